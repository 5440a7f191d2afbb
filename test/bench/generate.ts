/**
 * Data for scale: fills a database with years of serialized stock movements through
 * set-based SQL (generate_series, INSERT … SELECT), consistent with the ledger invariants
 * (test/support/invariants.ts): every stock level is the sum of its ledger, every ALWAYS
 * unit in stock is counted once where it is, and every unit's own events net to +1 at the
 * store it is in and 0 elsewhere.
 *
 *   pnpm generate [--events 1000000] [--stores 50] [--items 20000] [--years 2] [--seed 0.42]
 *
 * DATABASE_URL = the database to fill (migrated and given the demo users first if empty);
 * without it, the embedded database `pnpm start` uses (.data/pg, database serialdesk).
 *
 * The model: units arrive on vendor receipts (about 20 units, one vendor, one store); about a
 * third are transferred weekly to one of three partner stores; about two thirds are sold
 * (mostly to a known customer, at a register), a few of those come back; of the unsold, a few
 * go back to the vendor, are adjusted out, or are missing at a cycle count. Each step happens
 * after the previous one; what would happen after "now" does not happen, so recent units are
 * still in stock or in the middle of their life. The documents (receipts with lines and scans,
 * transfers, sales, returns, adjustments, counts, returns to vendor) exist like the engine
 * writes them, so trace and document inquiry work on generated data too.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

export interface GenerateOptions {
  events: number;
  stores: number;
  items: number;
  years: number;
  seed: number;
  log?: (message: string) => void;
}

export interface GenerateResult {
  events: number;
  units: number;
  stores: number;
  items: number;
  seconds: number;
}

export const GENERATE_DEFAULTS: Omit<GenerateOptions, 'log'> = { events: 1_000_000, stores: 50, items: 20_000, years: 2, seed: 0.42 };

/** Average ledger events per generated unit, used to size the unit population before trimming. */
const EVENTS_PER_UNIT = 2.15;

export async function generate(databaseUrl: string, opts: GenerateOptions): Promise<GenerateResult> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const step = async (label: string, sql: string, values: unknown[] = []) => {
    const t = performance.now();
    const r = await client.query(sql, values);
    log(`  ${label.padEnd(34)} ${String(r.rowCount ?? '').padStart(9)}  ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return r;
  };
  try {
    const { rows: done } = await client.query(`select count(*)::int as n from store where code like 'G%'`);
    if (done[0].n > 0) throw new Error('This database already holds generated data (stores G001…); use a fresh database.');
    const { rows: admins } = await client.query(`select id, password_hash from app_user where username = 'admin'`);
    if (!admins[0]) throw new Error('No admin user: migrate and load the demo data first (pnpm start does both).');

    await client.query('begin');
    await client.query(`set local work_mem = '256MB'`);
    await client.query(`set local maintenance_work_mem = '512MB'`);
    // The data is consistent by construction (and the benchmark checks the invariants after);
    // a superuser skips the per-row foreign-key triggers, which would dominate the run time.
    await client.query('savepoint fk');
    const fastLoad = await client.query(`set local session_replication_role = replica`).then(
      () => true,
      () => false,
    );
    if (!fastLoad) await client.query('rollback to savepoint fk');
    await client.query(`select setseed($1)`, [opts.seed]);
    const units = Math.ceil((opts.events / EVENTS_PER_UNIT) * 1.08);
    log(
      `Generating about ${opts.events.toLocaleString('en')} events (${units.toLocaleString('en')} candidate units), ${opts.stores} stores, ${opts.items.toLocaleString('en')} items, ${opts.years} years …`,
    );

    // ---- Locations, people, catalog --------------------------------------------------------
    await step(
      'venues',
      `
      insert into venue (name)
      select v from unnest(array['Pacific','Mountain','Central','Eastern','Alaska & Hawaii','United Kingdom','Germany','Arizona']) v
      where not exists (select 1 from venue x where x.name = v)`,
    );
    await step(
      'stores',
      `
      with z(venue, tz, n) as (values ('Pacific','America/Los_Angeles',0),('Mountain','America/Denver',1),('Central','America/Chicago',2),('Eastern','America/New_York',3),
                                   ('Alaska & Hawaii','Pacific/Honolulu',4),('United Kingdom','Europe/London',5),('Germany','Europe/Berlin',6),('Arizona','America/Phoenix',7))
      insert into store (venue_id, code, name, kind, time_zone)
      select v.id, 'G' || lpad(k::text, 3, '0'), (array['Harbor','Summit','Riverside','Old Town','Lakeside','Midtown','Airport','University','Market Street','Union Square'])[1 + k % 10] || ' ' || k,
             case when k % 10 = 0 then 'WAREHOUSE' else 'STORE' end, z.tz
      from generate_series(1, $1::int) k join z on z.n = (case when k % 5 = 0 then 3 else k % 8 end) join venue v on v.name = z.venue`,
      [opts.stores],
    );
    await client.query(
      `create temp table g_store on commit drop as select row_number() over (order by id)::int - 1 as idx, id, kind from store where code like 'G%'`,
    );
    await step(
      'registers',
      `insert into register (store_id, code, name) select s.id, 'R' || r, 'Register ' || r from g_store s cross join generate_series(1, 3) r where s.kind = 'STORE'`,
    );
    await step(
      'users',
      `
      insert into app_user (username, display_name, password_hash, role)
      select 'gen' || lpad(k::text, 4, '0'), (array['Alex','Sam','Jo','Kim','Lee','Pat','Ruth','Omar','Ines','Yuki','Zoe','Ali'])[1 + k % 12] || ' ' ||
             (array['Smith','Novak','Garcia','Nguyen','Okafor','Müller','Rossi','Silva','Khan','Berg'])[1 + (k / 12) % 10], $2, 'CLERK'
      from generate_series(1, $1::int * 4) k`,
      [opts.stores, admins[0].password_hash],
    );
    await client.query(`
      create temp table g_user on commit drop as
      select (row_number() over (order by id))::int - 1 as idx, id from app_user where username ~ '^gen[0-9]{4}$'`);
    await step(
      'user stores',
      `insert into user_store (user_id, store_id) select u.id, s.id from g_user u join g_store s on s.idx = u.idx / 4`,
    );
    await step(
      'customers',
      `
      insert into customer (number, name)
      select 'GC-' || lpad(k::text, 7, '0'),
             case when k % 97 = 0 then (array['Acme, Inc.','The "Best" Buyers','Smith & Sons, Ltd.'])[1 + k % 3] || ' ' || k
                  else (array['Jordan','Priya','Seán','María','Chen','Amara','Lukas','Sofia','Noah','Aiko','Mateo','Fatima'])[1 + k % 12] || ' ' ||
                       (array['Lee','Raman','O''Neill','García','Wei','Okoye','Schmidt','Rossi','Brown','Tanaka','Díaz','Haddad','Kowalski'])[1 + (k / 12) % 13] end
      from generate_series(1, greatest(1000, $1::int)) k`,
      [Math.round(opts.items / 2)],
    );
    await client.query(
      `create temp table g_customer on commit drop as select (row_number() over (order by id))::int - 1 as idx, id from customer where number like 'GC-%'`,
    );
    await step(
      'vendors',
      `
      insert into vendor (code, name)
      select 'GV' || lpad(k::text, 3, '0'), (array['Northwind','Contoso','Fabrikam','Tailspin','Wide World','Litware','Proseware','Adventure Works'])[1 + k % 8] || ' ' ||
             (array['Supply','Trading','Distribution','Wholesale','Imports'])[1 + (k / 8) % 5] || ' ' || k
      from generate_series(1, 60) k`,
    );
    await client.query(
      `create temp table g_vendor on commit drop as select (row_number() over (order by id))::int - 1 as idx, id from vendor where code ~ '^GV[0-9]{3}$'`,
    );
    await step(
      'classification',
      `
      with d as (
        insert into classification (level, code, name, serial_level)
        select 'DEPARTMENT', 'G-D' || lpad(k::text, 2, '0'), (array['Electronics','Computing','Phones','Appliances','Power Tools','Cycling','Fitness','Firearms','Watches','Musical Instruments'])[k] || ' (gen)', 'ALWAYS'
        from generate_series(1, 10) k returning id, code),
      c as (
        insert into classification (level, parent_id, parent_level, code, name)
        select 'CATEGORY', d.id, 'DEPARTMENT', d.code || '-C' || k, 'Category ' || substr(d.code, 4) || '.' || k from d cross join generate_series(1, 4) k returning id, code)
      insert into classification (level, parent_id, parent_level, code, name)
      select 'SUBCATEGORY', c.id, 'CATEGORY', c.code || '-S' || k, 'Subcategory ' || substr(c.code, 4) || '.' || k from c cross join generate_series(1, 5) k`,
    );
    await client.query(`
      create temp table g_sub on commit drop as
      select (row_number() over (order by s.id))::int - 1 as idx, s.id as sub_id, c.id as cat_id, c.parent_id as dept_id
      from classification s join classification c on c.id = s.parent_id where s.level = 'SUBCATEGORY' and s.code like 'G-D%'`);
    await step(
      'items',
      `
      insert into item (product_id, name, description, subcategory_id, category_id, department_id, vendor_id, style, size, color, brand, season, team, unit_cost, retail_price)
      select 'G' || lpad(k::text, 6, '0'), b.brand || ' ' || m.model || ' ' || k, b.brand || ' ' || m.model || ', generated item ' || k,
             s.sub_id, s.cat_id, s.dept_id, v.id,
             upper(substr(b.brand, 1, 3)) || '-' || (100 + k % 900), (array['S','M','L','XL',null,null])[1 + k % 6], (array['Black','Silver','White','Navy','Red','Walnut','Graphite'])[1 + k % 7],
             b.brand, (array['SS25','FW25','SS26','FW26','ALL'])[1 + k % 5], case when k % 11 = 0 then (array['Rangers','Comets','Harbor FC','Miners'])[1 + k % 4] end,
             cost, round(cost * (1.3 + (k % 8) / 10.0), 2)
      from generate_series(1, $1::int) k
      cross join lateral (select round((5 + random() * 1995 + 0 * k)::numeric, 2) as cost) c
      join g_sub s on s.idx = k % (select count(*) from g_sub)
      join g_vendor v on v.idx = (k * 7) % (select count(*) from g_vendor)
      cross join lateral (select (array['Lumen','Vivid','Zen','Forge','Swift','Aero','Ridge','Falcon','Stride','Pace','Echo','Nova'])[1 + k % 12] as brand) b
      cross join lateral (select (array['Pro','Max','Mini','Plus','S','X','Air','One'])[1 + (k / 12) % 8] as model) m`,
      [opts.items],
    );
    await client.query(`
      create temp table g_item on commit drop as
      select id, vendor_id, (row_number() over (partition by vendor_id order by id))::int - 1 as vidx, count(*) over (partition by vendor_id)::int as vcount
      from item where product_id ~ '^G[0-9]{6}$'`);
    await client.query(`create index on g_item (vendor_id, vidx)`);
    // UPC-A: 11 digits and a check digit; a main UPC for every item, additional ones for a third.
    await step(
      'UPCs',
      `
      insert into item_upc (upc, item_id, is_main, position)
      select body || ((10 - (select sum(substr(body, p, 1)::int * case when p % 2 = 1 then 3 else 1 end) from generate_series(1, 11) p) % 10) % 10), item_id, is_main, position
      from (select i.id as item_id, n = 0 as is_main, n as position, (6 + n)::text || lpad(i.id::text, 10, '0') as body
            from g_item i cross join generate_series(0, 2) n where n = 0 or i.id % 3 = 0 and n <= 1 + i.id % 2) u`,
    );

    // ---- Units and their lives ------------------------------------------------------------
    const now: Date = (await client.query(`select date_trunc('second', now()) as now`)).rows[0].now;
    const span = `${opts.years * 365} days`;
    await client.query(
      `create temp table g_vcount on commit drop as select vendor_id, count(*)::int as cnt from g_item group by vendor_id`,
    );
    await client.query(
      `create temp table g_reg on commit drop as select store_id, (row_number() over (partition by store_id order by code))::int - 1 as idx, id from register where store_id in (select id from g_store)`,
    );
    await step(
      'receipts (candidates)',
      `
      create temp table g_rcpt on commit drop as
      select x.rn, s.id as store_id, v.id as vendor_id, u.id as user_id, x.at, x.item_pick
      from (select r as rn, random() as item_pick, floor(random() * (select count(*) from g_store))::int as sidx, floor(random() * (select count(*) from g_vendor))::int as vidx,
                   floor(random() * 4)::int as uidx, $2::timestamptz - $3::interval * random() - interval '1 hour' as at
            from generate_series(0, ceil($1::numeric / 20)::int - 1) r) x
      join g_store s on s.idx = x.sidx join g_vendor v on v.idx = x.vidx join g_user u on u.idx = s.idx * 4 + x.uidx`,
      [units, now, span],
    );
    await step(
      'units (candidates)',
      `
      create temp table g_unit on commit drop as
      select x.*, r.store_id as store_a, r.at as t0, r.vendor_id, i.id as item_id,
             upper(substr(md5(x.n::text || $2::text), 1, 3)) || lpad(x.n::text, 8, '0') as serial
      from (select n, n / 20 as rn,
                   random() < 0.3 as moves, 1 + floor(random() * 3)::int as partner, random() * 60 as req_days,
                   random() < 0.65 as sells, random() * 90 as sale_days, random() < 0.08 as comes_back, random() * 30 as return_days,
                   random() as out_draw, random() * 120 as out_days, random() as cust_draw, floor(random() * 3)::int as reg_idx, floor(random() * 4)::int as user_idx
            from generate_series(0, $1::int - 1) n) x
      join g_rcpt r on r.rn = x.rn
      join g_vcount c on c.vendor_id = r.vendor_id
      join g_item i on i.vendor_id = r.vendor_id and i.vidx = (floor(r.item_pick * c.cnt)::int + (x.n % 5) * 7) % c.cnt`,
      [units, String(opts.seed)],
    );
    await client.query(`
      alter table g_unit add column to_id int;
      update g_unit u set to_id = sb.id from g_store sa, g_store sb
      where u.moves and sa.id = u.store_a and sb.idx = (sa.idx + u.partner) % (select count(*) from g_store)`);
    // Transfers: per (from, to, week of request), shipped at the end of that week, received 1-4 days later.
    await step(
      'transfers (candidates)',
      `
      create temp table g_transfer on commit drop as
      select row_number() over (order by ship_at, from_id, to_id)::int as tn, t.*, t.ship_at + interval '1 day' + random() * interval '3 days' as recv_at
      from (select from_id, to_id, wk, wk + interval '7 days 9 hours' + random() * interval '8 hours' as ship_at
            from (select distinct u.store_a as from_id, u.to_id, date_trunc('week', u.t0 + interval '1 day' + u.req_days * interval '1 day') as wk from g_unit u where u.moves) g) t`,
    );
    await client.query(`delete from g_transfer where recv_at > $1`, [now]);
    await client.query(`create index on g_transfer (from_id, to_id, wk)`);
    // Each step after the previous one; a step that would come after now does not happen (warehouses do not sell).
    await step(
      'unit lives',
      `
      create temp table g_life on commit drop as
      select u.n, u.rn, u.item_id, u.vendor_id, u.serial, u.store_a, u.t0, u.cust_draw, u.reg_idx, u.user_idx, u.out_draw,
             t.tn, t.recv_at, h.store_here, h.t_here, s.t_sale, r.t_return, o.out_kind, o.t_out,
             1 + case when t.tn is not null then 2 else 0 end + (s.t_sale is not null)::int + (r.t_return is not null)::int + (o.out_kind is not null)::int as events
      from g_unit u
      left join g_transfer t on u.moves and t.from_id = u.store_a and t.to_id = u.to_id and t.wk = date_trunc('week', u.t0 + interval '1 day' + u.req_days * interval '1 day')
      cross join lateral (select coalesce(t.to_id, u.store_a) as store_here, coalesce(t.recv_at, u.t0) as t_here) h
      join g_store hs on hs.id = h.store_here
      cross join lateral (select h.t_here + interval '1 hour' + u.sale_days * interval '1 day' as at) sx
      cross join lateral (select case when u.sells and hs.kind = 'STORE' and sx.at <= $1 then sx.at end as t_sale) s
      cross join lateral (select s.t_sale + interval '1 hour' + u.return_days * interval '1 day' as at) rx
      cross join lateral (select case when u.comes_back and rx.at <= $1 then rx.at end as t_return) r
      cross join lateral (select h.t_here + interval '1 hour' + u.out_days * interval '1 day' as at) ox
      cross join lateral (select case when s.t_sale is null and u.out_draw < 0.06 and ox.at <= $1
                                      then case when u.out_draw < 0.03 then 'RETURN_TO_VENDOR' when u.out_draw < 0.05 then 'ADJUSTMENT' else 'COUNT' end end as out_kind,
                                 case when s.t_sale is null and u.out_draw < 0.06 and ox.at <= $1 then ox.at end as t_out) o`,
      [now],
    );
    // Keep whole units, in order, until the requested number of events.
    await step(
      'trim to the event count',
      `
      delete from g_life l using (select n, sum(events) over (order by n) as running from g_life) r where r.n = l.n and r.running > $1`,
      [opts.events],
    );
    await client.query(`create unique index on g_life (n)`);
    await client.query(`analyze g_life`);

    // ---- Documents -------------------------------------------------------------------------
    await client.query(`
      create temp table g_rdoc on commit drop as
      select r.rn, nextval('receipt_id_seq')::int as id, 'RCV-' || lpad(nextval('receipt_number_seq')::text, 6, '0') as number, r.store_id, r.vendor_id, r.user_id, r.at
      from g_rcpt r where r.rn in (select distinct rn from g_life) order by r.at`);
    await step(
      'receipts',
      `
      insert into receipt (id, number, kind, store_id, vendor_id, asn_reference, status, note, created_by, created_at, posted_by, posted_at)
      select id, number, 'ASN', store_id, vendor_id, 'ASN-G' || rn, 'POSTED', 'Generated', user_id, at - interval '2 hours', user_id, at from g_rdoc`,
    );
    await step(
      'receipt lines',
      `
      insert into receipt_line (receipt_id, line_no, item_id, expected_quantity, received_quantity)
      select d.id, row_number() over (partition by d.id order by l.item_id), l.item_id, count(*), count(*)
      from g_life l join g_rdoc d on d.rn = l.rn group by d.id, l.item_id`,
    );
    await step(
      'receipt scans',
      `
      insert into receipt_scan (receipt_id, line_id, item_id, serial, serial_key, scanned_by, scanned_at)
      select d.id, rl.id, l.item_id, l.serial, upper(l.serial), d.user_id, d.at - interval '1 hour'
      from g_life l join g_rdoc d on d.rn = l.rn join receipt_line rl on rl.receipt_id = d.id and rl.item_id = l.item_id`,
    );
    await client.query(`
      create temp table g_tdoc on commit drop as
      select t.tn, nextval('transfer_id_seq')::int as id, 'TRF-' || lpad(nextval('transfer_number_seq')::text, 6, '0') as number, t.from_id, t.to_id, t.ship_at, t.recv_at,
             (select id from g_user u where u.idx = sa.idx * 4) as ship_user, (select id from g_user u where u.idx = sb.idx * 4 + 1) as recv_user
      from g_transfer t join g_store sa on sa.id = t.from_id join g_store sb on sb.id = t.to_id
      where t.tn in (select distinct tn from g_life where tn is not null) order by t.ship_at`);
    await step(
      'transfers',
      `
      insert into transfer (id, number, from_store_id, to_store_id, status, note, created_by, created_at, shipped_by, shipped_at, received_by, received_at)
      select id, number, from_id, to_id, 'RECEIVED', 'Generated', ship_user, ship_at - interval '1 day', ship_user, ship_at, recv_user, recv_at from g_tdoc`,
    );
    await step(
      'transfer lines',
      `
      insert into transfer_line (transfer_id, line_no, item_id, quantity, shipped_quantity, received_quantity, received_posted)
      select d.id, row_number() over (partition by d.id order by l.item_id), l.item_id, count(*), count(*), 0, 0
      from g_life l join g_tdoc d on d.tn = l.tn group by d.id, l.item_id`,
    );
    await step(
      'transfer serials',
      `
      insert into transfer_serial (transfer_id, line_id, item_id, serial, serial_key, registered_by, registered_at, received_by, received_at, posted)
      select d.id, tl.id, l.item_id, l.serial, upper(l.serial), d.ship_user, d.ship_at, d.recv_user, d.recv_at, true
      from g_life l join g_tdoc d on d.tn = l.tn join transfer_line tl on tl.transfer_id = d.id and tl.item_id = l.item_id`,
    );
    await client.query(`
      create temp table g_sdoc on commit drop as
      select l.n, nextval('sale_id_seq')::int as id, 'SAL-' || lpad(nextval('sale_number_seq')::text, 6, '0') as number, l.store_here as store_id, l.t_sale,
             g.id as register_id, case when l.cust_draw < 0.8 then c.id end as customer_id, u.id as user_id
      from g_life l join g_store s on s.id = l.store_here join g_user u on u.idx = s.idx * 4 + l.user_idx
      left join g_reg g on g.store_id = l.store_here and g.idx = l.reg_idx
      left join g_customer c on c.idx = (l.cust_draw * 1e7)::int % (select count(*) from g_customer)
      where l.t_sale is not null order by l.t_sale`);
    await step(
      'sales',
      `
      insert into sale (id, number, store_id, register_id, customer_id, status, created_by, created_at, completed_by, completed_at)
      select id, number, store_id, register_id, customer_id, 'COMPLETED', user_id, t_sale - interval '5 minutes', user_id, t_sale from g_sdoc`,
    );
    await step(
      'sale lines',
      `
      insert into sale_line (sale_id, line_no, item_id, quantity, serial, serial_key, serial_status, fulfilled)
      select d.id, 1, l.item_id, 1, l.serial, upper(l.serial), 'GIVEN', true from g_sdoc d join g_life l on l.n = d.n`,
    );
    await client.query(`
      create temp table g_retdoc on commit drop as
      select l.n, nextval('customer_return_id_seq')::int as id, 'RTN-' || lpad(nextval('return_number_seq')::text, 6, '0') as number, s.store_id, s.register_id, s.customer_id, s.user_id, l.t_return
      from g_life l join g_sdoc s on s.n = l.n where l.t_return is not null order by l.t_return`);
    await step(
      'returns',
      `
      insert into customer_return (id, number, store_id, register_id, created_by, created_at) select id, number, store_id, register_id, user_id, t_return from g_retdoc`,
    );
    await client.query(`
      create temp table g_odoc on commit drop as
      select l.n, l.out_kind, l.store_here as store_id, l.t_out, l.vendor_id, u.id as user_id,
             case l.out_kind when 'RETURN_TO_VENDOR' then nextval('vendor_return_id_seq') when 'ADJUSTMENT' then nextval('adjustment_id_seq') else nextval('cycle_count_id_seq') end::int as id,
             case l.out_kind when 'RETURN_TO_VENDOR' then 'RTV-' || lpad(nextval('rtv_number_seq')::text, 6, '0')
                             when 'ADJUSTMENT' then 'ADJ-' || lpad(nextval('adjustment_number_seq')::text, 6, '0')
                             else 'CNT-' || lpad(nextval('count_number_seq')::text, 6, '0') end as number,
             (array['DAMAGED','LOST','THEFT'])[1 + floor(l.out_draw * 1000)::int % 3] as reason
      from g_life l join g_store s on s.id = l.store_here join g_user u on u.idx = s.idx * 4 + 2
      where l.out_kind is not null order by l.t_out`);
    await step(
      'returns to vendor',
      `
      insert into vendor_return (id, number, store_id, vendor_id, rma, created_by, created_at)
      select id, number, store_id, vendor_id, 'RMA-' || n, user_id, t_out from g_odoc where out_kind = 'RETURN_TO_VENDOR'`,
    );
    await step(
      'adjustments',
      `
      insert into adjustment (id, number, store_id, mode, reason, note, created_by, created_at)
      select id, number, store_id, 'SUBTRACT', reason, 'Generated', user_id, t_out from g_odoc where out_kind = 'ADJUSTMENT'`,
    );
    await step(
      'cycle counts',
      `
      insert into cycle_count (id, number, store_id, status, created_by, created_at, closed_at, posted_by, posted_at)
      select id, number, store_id, 'POSTED', user_id, t_out - interval '3 hours', t_out - interval '1 hour', user_id, t_out from g_odoc where out_kind = 'COUNT'`,
    );

    // ---- Units, ledger, levels -------------------------------------------------------------
    await client.query(`select setval('serial_unit_id_seq', greatest((select coalesce(max(id), 0) from serial_unit), 1) + $1::bigint)`, [
      units + 1,
    ]);
    await client.query(`create temp table g_base on commit drop as select currval('serial_unit_id_seq') - $1::bigint as base`, [units + 1]);
    // Loading into nearly empty tables: their secondary indexes are dropped and rebuilt afterwards
    // (a sorted build is several times faster than a million scattered inserts into each).
    const dropped: { indexname: string; indexdef: string }[] = [];
    for (const table of ['serial_unit', 'stock_event']) {
      const { rows: size } = await client.query(`select count(*)::int as n from ${table}`);
      if (size[0].n > opts.events / 4) continue;
      const { rows } = await client.query(
        `select indexname, indexdef from pg_indexes i where schemaname = current_schema() and tablename = $1 and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
        [table],
      );
      for (const i of rows) await client.query(`drop index ${i.indexname}`);
      dropped.push(...rows);
    }
    const restore = async () => {
      const t = performance.now();
      for (const i of dropped) await client.query(i.indexdef);
      log(`  ${'indexes rebuilt'.padEnd(34)} ${String(dropped.length).padStart(9)}  ${((performance.now() - t) / 1000).toFixed(1)} s`);
    };
    await step(
      'serial units',
      `
      insert into serial_unit (id, item_id, serial, serial_key, state, store_id, transfer_id, updated_at, in_stock_since)
      select (select base from g_base) + 1 + l.n, l.item_id, l.serial, upper(l.serial),
             case when l.t_return is not null then 'IN_STOCK' when l.t_sale is not null then 'SOLD'
                  when l.out_kind = 'RETURN_TO_VENDOR' then 'RETURNED_TO_VENDOR' when l.out_kind is not null then 'REMOVED' else 'IN_STOCK' end,
             case when l.t_return is not null or (l.t_sale is null and l.out_kind is null) then l.store_here end, null,
             greatest(l.t0, l.recv_at, l.t_sale, l.t_return, l.t_out), coalesce(l.t_return, l.t_here)
      from g_life l order by l.item_id, upper(l.serial)`,
    );
    await step(
      'ledger',
      `
      insert into stock_event (occurred_at, type, item_id, unit_id, serial, quantity, store_id, source_store_id, destination_store_id, register_id, customer_id,
                               document_kind, document_id, document_number, user_id, reason, event_label)
      select e.* from (
        select d.at, 'RECEIVING', l.item_id, b.base + 1 + l.n, l.serial, 1, l.store_a, null::int, l.store_a, null::int, null::int, 'RECEIPT', d.id, d.number, d.user_id, null::text,
               case when extract(month from d.at) = 11 and extract(day from d.at) > 20 then 'Black Friday' end
        from g_life l join g_rdoc d on d.rn = l.rn cross join g_base b
        union all
        select t.ship_at, 'TRANSFER_OUT', l.item_id, b.base + 1 + l.n, l.serial, -1, t.from_id, t.from_id, t.to_id, null, null, 'TRANSFER', t.id, t.number, t.ship_user, null, null
        from g_life l join g_tdoc t on t.tn = l.tn cross join g_base b
        union all
        select t.recv_at, 'TRANSFER_IN', l.item_id, b.base + 1 + l.n, l.serial, 1, t.to_id, t.from_id, t.to_id, null, null, 'TRANSFER', t.id, t.number, t.recv_user, null, null
        from g_life l join g_tdoc t on t.tn = l.tn cross join g_base b
        union all
        select s.t_sale, 'SALE', l.item_id, b.base + 1 + l.n, l.serial, -1, s.store_id, s.store_id, null, s.register_id, s.customer_id, 'SALE', s.id, s.number, s.user_id, null, null
        from g_life l join g_sdoc s on s.n = l.n cross join g_base b
        union all
        select r.t_return, 'RETURN', l.item_id, b.base + 1 + l.n, l.serial, 1, r.store_id, null, r.store_id, r.register_id, r.customer_id, 'RETURN', r.id, r.number, r.user_id, 'Customer return', null
        from g_life l join g_retdoc r on r.n = l.n cross join g_base b
        union all
        select o.t_out, o.out_kind, l.item_id, b.base + 1 + l.n, l.serial, -1, o.store_id, o.store_id, null, null, null,
               case o.out_kind when 'RETURN_TO_VENDOR' then 'RTV' else o.out_kind end, o.id, o.number, o.user_id,
               case o.out_kind when 'ADJUSTMENT' then o.reason when 'COUNT' then 'Cycle count ' || o.number end, null
        from g_life l join g_odoc o on o.n = l.n cross join g_base b
      ) e order by 1`,
    );
    await restore();
    // Every generated item is ALWAYS serialized: its level is its units in stock, which is also
    // what its ledger sums to (each unit nets +1 where it is, 0 elsewhere).
    await step(
      'stock levels',
      `
      insert into stock_level (item_id, store_id, quantity)
      select item_id, store_here, count(*) from g_life where t_return is not null or (t_sale is null and out_kind is null) group by item_id, store_here`,
    );
    await client.query('commit');
    for (const table of [
      'stock_event',
      'serial_unit',
      'item',
      'item_upc',
      'stock_level',
      'store',
      'customer',
      'classification',
      'receipt',
      'sale',
      'transfer',
      'app_user',
    ]) {
      await client.query(`analyze ${table}`);
    }
    const { rows: counts } = await client.query(`
      select (select count(*) from stock_event e join item i on i.id = e.item_id where i.product_id ~ '^G[0-9]{6}$')::int as events,
             (select count(*) from serial_unit u join item i on i.id = u.item_id where i.product_id ~ '^G[0-9]{6}$')::int as units`);
    const seconds = (performance.now() - started) / 1000;
    log(`Done in ${seconds.toFixed(1)} s: ${counts[0].events.toLocaleString('en')} events, ${counts[0].units.toLocaleString('en')} units.`);
    return { events: counts[0].events, units: counts[0].units, stores: opts.stores, items: opts.items, seconds };
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}

/** `--events n` etc. over the defaults. */
export function generateArgs(
  argv: string[],
  extra: Record<string, { type: 'string' }> = {},
): { options: Omit<GenerateOptions, 'log'>; rest: Record<string, string | undefined> } {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      stores: { type: 'string' },
      items: { type: 'string' },
      years: { type: 'string' },
      seed: { type: 'string' },
      ...extra,
    },
    strict: true,
  });
  const num = (key: keyof typeof GENERATE_DEFAULTS, min: number, max: number) => {
    const raw = (values as Record<string, string | undefined>)[key];
    if (raw === undefined) return GENERATE_DEFAULTS[key];
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${key} must be a number between ${min} and ${max}, got "${raw}"`);
    return n;
  };
  return {
    options: {
      events: Math.round(num('events', 100, 50_000_000)),
      stores: Math.round(num('stores', 2, 1000)),
      items: Math.round(num('items', 10, 1_000_000)),
      years: num('years', 0.1, 20),
      seed: num('seed', -1, 1),
    },
    rest: values as Record<string, string | undefined>,
  };
}

async function main(): Promise<void> {
  const { options } = generateArgs(process.argv.slice(2));
  const { migrate, openOrm } = await import('../../server/src/db/orm.js');
  const { isEmpty, seedDemo } = await import('../../server/src/demo/seed.js');
  let embedded: { url: string; stop(): Promise<void> } | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    const { startEmbeddedPostgres } = await import('../../server/src/db/embedded.js');
    const { repoRoot } = await import('../../server/src/config.js');
    embedded = await startEmbeddedPostgres(process.env.EMBEDDED_PG_DIR ?? path.join(repoRoot, '.data/pg'));
    const admin = new pg.Client({ connectionString: embedded.url });
    await admin.connect();
    if (!(await admin.query(`select 1 from pg_database where datname = 'serialdesk'`)).rowCount)
      await admin.query('create database serialdesk');
    await admin.end();
    const u = new URL(embedded.url);
    u.pathname = '/serialdesk';
    url = u.toString();
    console.log(`Embedded PostgreSQL: ${url}`);
  }
  try {
    const orm = await openOrm(url);
    await migrate(orm);
    await orm.close();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    if (await isEmpty(pool)) {
      console.log('Empty database: loading the demo data first …');
      await seedDemo(pool);
    }
    await pool.end();
    await generate(url, { ...options });
  } finally {
    await embedded?.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href && fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
