import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import type { ApiClient } from '../support/client.js';
import { invariantViolations } from '../support/invariants.js';

// The server's own CSV parser (a well-kept library), to read exports the way a spreadsheet would.
const { parse } = createRequire(new URL('../../server/package.json', import.meta.url))('csv-parse/sync') as {
  parse: (input: string, options: Record<string, unknown>) => string[][];
};

let t: TestServer;
let admin: ApiClient;
let clerk: ApiClient; // S001 only
let viewer: ApiClient; // every store
let S: Record<string, string>; // store code → id
let V: Record<string, string>; // venue name → id
let C: Record<string, string>; // classification code → id
let U: Record<string, string>; // username → id
let vendorOf: Record<string, string>; // vendor code → id
let R1: string;
let hammer: string; // customer C-9001
let acme: string;

const ROW = `eventId unitId serial itemId description productId productName occurredAt localTime timeZone customerNumber customerName type quantity source destination
  department category subcategory style size color brand season team vendor initiatedBy event storeId storeCode registerCode documentKind documentNumber reason cursor`;
const HISTORY = `query($f: SerialHistoryFilter, $sort: SerialHistorySort, $first: Int, $after: String) {
  serialHistory(filter: $f, sort: $sort, first: $first, after: $after) { rows { ${ROW} } pageInfo { endCursor hasNextPage } } }`;
const TOTALS = `query($f: SerialHistoryFilter) { serialHistoryTotals(filter: $f) { total byType { type count } } }`;
const ON_HAND_ROW = `cursor unitId serial upc itemId description productId productName department category subcategory style size color brand season team vendor unitCost retailPrice storeId storeCode receivedAt receivedLocalTime timeZone`;
const ON_HAND = `query($f: SerialsOnHandFilter, $first: Int, $after: String, $extra: Boolean = false) {
  serialsOnHand(filter: $f, first: $first, after: $after) { rows { ${ON_HAND_ROW} additionalUpcs @include(if: $extra) } pageInfo { endCursor hasNextPage } } }`;
const SUMMARY = `query($f: SerialsOnHandFilter) { onHandSummary(filter: $f) { departments { departmentId department units costValue retailValue } units costValue retailValue } }`;
const TRACE = `query($serial: String!, $itemId: ID) { serialTrace(serial: $serial, itemId: $itemId) {
  unitId serial itemId productId state storeId storeCode transferNumber events { type storeCode source destination occurredAt documentNumber } } }`;
const DOCUMENT = `query($kind: String!, $number: String!) { documentSerials(kind: $kind, number: $number) { kind number rows { serial type storeCode } } }`;

// ---------------------------------------------------------------------------------------------
// Fixture: units with back-dated lives, written straight into the ledger in one transaction
// per unit, keeping the invariants (levels = ledger sums, units where their events say).

type StepType = 'RECEIVING' | 'TRANSFER_OUT' | 'TRANSFER_IN' | 'SALE' | 'RETURN' | 'RETURN_TO_VENDOR' | 'ADJUSTMENT';
interface Step {
  type: StepType;
  at: string;
  store: string;
  to?: string;
  from?: string;
  user?: string;
  customer?: string;
  register?: string;
  reason?: string;
  label?: string;
  vendor?: string;
  number?: string;
}

let docSeq = 0;
async function unit(productId: string, serial: string, steps: Step[]): Promise<{ itemId: string; unitId: string; numbers: string[] }> {
  const db = await t.db.connect();
  const numbers: string[] = [];
  try {
    await db.query('begin');
    const item = (await db.query(`select id, vendor_id from item where product_id = $1`, [productId])).rows[0];
    const { rows } = await db.query(
      `insert into serial_unit (item_id, serial, serial_key, state) values ($1, $2, serial_key_of($2), 'REMOVED') returning id`,
      [item.id, serial],
    );
    const unitId = rows[0].id as string;
    let state = 'REMOVED';
    let storeId: string | null = null;
    let since: string | null = null;
    for (const s of steps) {
      const store = S[s.store]!;
      const user = U[s.user ?? 'admin'];
      let docKind =
        s.type === 'RECEIVING' ? 'RECEIPT' : s.type === 'RETURN_TO_VENDOR' ? 'RTV' : s.type.startsWith('TRANSFER') ? 'TRANSFER' : s.type;
      let docId = 900_000 + ++docSeq;
      let number = s.number ?? `${docKind.slice(0, 3)}-T${String(docSeq).padStart(4, '0')}`;
      if (s.type === 'RECEIVING') {
        const vendor = s.vendor ? vendorOf[s.vendor] : item.vendor_id;
        number = s.number ?? `RCV-T${String(docSeq).padStart(4, '0')}`;
        docId = (
          await db.query(
            `insert into receipt (number, kind, store_id, vendor_id, status, created_by, posted_by, posted_at) values ($1, 'BLIND', $2, $3, 'POSTED', $4, $4, $5) returning id`,
            [number, store, vendor, user, s.at],
          )
        ).rows[0].id;
      }
      if (s.type === 'RETURN_TO_VENDOR') {
        docId = (
          await db.query(
            `insert into vendor_return (number, store_id, vendor_id, rma, created_by, created_at) values ($1, $2, $3, 'RMA-T', $4, $5) returning id`,
            [number, store, s.vendor ? vendorOf[s.vendor] : item.vendor_id, user, s.at],
          )
        ).rows[0].id;
        docKind = 'RTV';
      }
      numbers.push(number);
      const incoming = ['RECEIVING', 'TRANSFER_IN', 'RETURN'].includes(s.type);
      const eventStore = s.type === 'TRANSFER_IN' ? S[s.to!]! : store;
      const qty = incoming ? 1 : -1;
      const source = s.type === 'TRANSFER_OUT' || s.type === 'TRANSFER_IN' ? store : incoming ? null : store;
      const destination = s.type === 'TRANSFER_OUT' || s.type === 'TRANSFER_IN' ? S[s.to!]! : incoming ? eventStore : null;
      await db.query(
        `insert into stock_event (occurred_at, type, item_id, unit_id, serial, quantity, store_id, source_store_id, destination_store_id, register_id, customer_id,
                                  document_kind, document_id, document_number, user_id, reason, event_label)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          s.at,
          s.type,
          item.id,
          unitId,
          serial,
          qty,
          eventStore,
          source,
          destination,
          s.register ?? null,
          s.customer ?? null,
          docKind,
          docId,
          number,
          user,
          s.reason ?? null,
          s.label ?? null,
        ],
      );
      // (A check constraint is tested before ON CONFLICT, so a decrement is a plain update.)
      const upd = await db.query(`update stock_level set quantity = quantity + $3 where item_id = $1 and store_id = $2`, [
        item.id,
        eventStore,
        qty,
      ]);
      if (!upd.rowCount)
        await db.query(`insert into stock_level (item_id, store_id, quantity) values ($1, $2, $3)`, [item.id, eventStore, qty]);
      if (incoming) [state, storeId, since] = ['IN_STOCK', eventStore, s.at];
      else
        [state, storeId] = [
          { SALE: 'SOLD', RETURN_TO_VENDOR: 'RETURNED_TO_VENDOR', TRANSFER_OUT: 'IN_TRANSIT' }[s.type as string] ?? 'REMOVED',
          null,
        ];
    }
    if (state === 'IN_TRANSIT') throw new Error('fixture units do not end in transit');
    await db.query(`update serial_unit set state = $2, store_id = $3, in_stock_since = $4 where id = $1`, [unitId, state, storeId, since]);
    await db.query('commit');
    return { itemId: String(item.id), unitId: String(unitId), numbers };
  } catch (e) {
    await db.query('rollback');
    throw e;
  } finally {
    db.release();
  }
}

const fx: Record<string, { itemId: string; unitId: string; numbers: string[] }> = {};
const TV = 'TVOLED-002'; // Electronics › Televisions › OLED TVs, vendor NWE, ALWAYS; one additional UPC
const GUN = 'FAHG-001'; // Sporting Goods › Firearms › Handguns, vendor ACA
const TREADMILL = 'FITTRD-001'; // Sporting Goods › Fitness Equipment › Treadmills, vendor SUM

beforeAll(async () => {
  t = await startTestServer();
  [admin, clerk, viewer] = await Promise.all([t.as('admin'), t.as('clerk'), t.as('viewer')]);
  const map = async (sql: string) => Object.fromEntries((await t.db.query(sql)).rows.map((r) => [r.k, String(r.v)]));
  S = await map(`select code as k, id as v from store`);
  V = await map(`select name as k, id as v from venue`);
  C = await map(`select code as k, id as v from classification`);
  U = await map(`select username as k, id as v from app_user`);
  vendorOf = await map(`select code as k, id as v from vendor`);
  R1 = (await t.db.query(`select r.id from register r join store s on s.id = r.store_id where s.code = 'S001' and r.code = 'R1'`)).rows[0]
    .id;
  const R2 = (await t.db.query(`select r.id from register r join store s on s.id = r.store_id where s.code = 'S001' and r.code = 'R2'`))
    .rows[0].id;
  hammer = (await t.db.query(`insert into customer (number, name) values ('C-9001', 'Smith "The Hammer", Jr.') returning id`)).rows[0].id;
  const sean = (await t.db.query(`select id from customer where number = 'C-1003'`)).rows[0].id;
  acme = (await t.db.query(`select id from customer where number = 'C-1006'`)).rows[0].id;
  await t.db.query(`update item set size = 'XL' where product_id = $1`, [TV]);

  // U1: received in New York at 23:30 on Oct 31 (03:30 UTC on Nov 1): an October event there.
  fx.U1 = await unit(TV, 'RPT-0001', [
    { type: 'RECEIVING', at: '2026-11-01T03:30:00Z', store: 'S001', label: 'Fall Launch' },
    { type: 'SALE', at: '2026-11-05T15:00:00Z', store: 'S001', customer: hammer, register: R1, user: 'clerk' },
  ]);
  // U2: received in New York at 00:30 on Nov 1, then transferred to S001.
  fx.U2 = await unit(TV, 'RPT-0002', [
    { type: 'RECEIVING', at: '2026-11-01T04:30:00Z', store: 'S002', user: 'manager' },
    { type: 'TRANSFER_OUT', at: '2026-11-10T14:00:00Z', store: 'S002', to: 'S001', user: 'manager', number: 'TRF-T9001' },
    { type: 'TRANSFER_IN', at: '2026-11-12T16:00:00Z', store: 'S002', to: 'S001', user: 'clerk', number: 'TRF-T9001' },
  ]);
  fx.U3 = await unit(GUN, 'RPT-0003', [
    { type: 'RECEIVING', at: '2026-09-15T15:00:00Z', store: 'S003' },
    { type: 'RETURN_TO_VENDOR', at: '2026-09-20T15:00:00Z', store: 'S003' },
  ]);
  // U4: stored lower-case; Denver.
  fx.U4 = await unit(TREADMILL, 'rpt-0004', [
    { type: 'RECEIVING', at: '2026-11-20T18:00:00Z', store: 'S004', user: 'merch' },
    { type: 'ADJUSTMENT', at: '2026-11-21T17:00:00Z', store: 'S004', user: 'merch', reason: 'DAMAGED' },
  ]);
  // U5: received at 23:30 on Dec 31, 2025 in New York (04:30 UTC on Jan 1, 2026), sold and returned.
  fx.U5 = await unit(TV, 'RPT-0005', [
    { type: 'RECEIVING', at: '2026-01-01T04:30:00Z', store: 'S001' },
    { type: 'SALE', at: '2026-01-02T17:00:00Z', store: 'S001', customer: sean, register: R2, user: 'clerk' },
    { type: 'RETURN', at: '2026-01-10T17:00:00Z', store: 'S001', customer: sean, user: 'clerk' },
  ]);
  // U6: received in Chicago at 23:30 on Oct 31: the same UTC instant as U2's receipt, but October there.
  fx.U6 = await unit(GUN, 'RPT-0006', [{ type: 'RECEIVING', at: '2026-11-01T04:30:00Z', store: 'S003' }]);
  // U7: the serial of U1 on another item.
  fx.U7 = await unit(GUN, 'RPT-0001', [{ type: 'RECEIVING', at: '2026-08-01T18:00:00Z', store: 'S004' }]);
});
afterEach(async () => {
  expect(await invariantViolations(t.db)).toEqual([]);
});
afterAll(async () => {
  await t?.close();
});

type Row = Record<string, any>;
async function page(
  filter: Record<string, unknown> | null,
  opts: { sort?: string; first?: number; after?: string; client?: ApiClient } = {},
) {
  return (await (opts.client ?? admin).data(HISTORY, { f: filter, sort: opts.sort, first: opts.first ?? 500, after: opts.after }))
    .serialHistory as {
    rows: Row[];
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
}
/** Every row of a filter, page by page. */
async function all(
  filter: Record<string, unknown> | null,
  opts: { sort?: string; first?: number; client?: ApiClient } = {},
): Promise<Row[]> {
  const out: Row[] = [];
  let after: string | undefined;
  for (;;) {
    const p = await page(filter, { ...opts, after });
    out.push(...p.rows);
    if (!p.pageInfo.hasNextPage) return out;
    after = p.pageInfo.endCursor!;
  }
}
/** The fixture's rows as "serial type store", in the order returned. */
const fixture = (rows: Row[]) =>
  rows.filter((r) => /^RPT-/i.test(r.serial)).map((r) => `${r.serial.toUpperCase()} ${r.type} ${r.storeCode}`);
const sorted = (xs: string[]) => [...xs].sort();
const FIXTURE = { serialFrom: 'RPT-0000', serialTo: 'RPT-9999' };

describe('REP-1 serial history: each filter', () => {
  it('REP-1: without a filter, every serial event of every store, newest first; quantity-only events are not listed', async () => {
    const rows = await all(null);
    expect(rows.length).toBe(Number((await t.db.query(`select count(*) from stock_event where serial is not null`)).rows[0].count));
    for (let i = 1; i < rows.length; i++) expect(new Date(rows[i - 1]!.occurredAt) >= new Date(rows[i]!.occurredAt)).toBe(true);
    expect(sorted(fixture(rows))).toEqual(
      sorted([
        'RPT-0001 RECEIVING S001',
        'RPT-0001 SALE S001',
        'RPT-0002 RECEIVING S002',
        'RPT-0002 TRANSFER_OUT S002',
        'RPT-0002 TRANSFER_IN S001',
        'RPT-0003 RECEIVING S003',
        'RPT-0003 RETURN_TO_VENDOR S003',
        'RPT-0004 RECEIVING S004',
        'RPT-0004 ADJUSTMENT S004',
        'RPT-0005 RECEIVING S001',
        'RPT-0005 SALE S001',
        'RPT-0005 RETURN S001',
        'RPT-0006 RECEIVING S003',
        'RPT-0001 RECEIVING S004',
      ]),
    );
    expect(rows.every((r) => r.serial)).toBe(true);
  });

  it('REP-1: store', async () => {
    const rows = await all({ storeIds: [S.S003] });
    expect(rows.length).toBeGreaterThan(3);
    expect(new Set(rows.map((r) => r.storeCode))).toEqual(new Set(['S003']));
    expect(sorted(fixture(rows))).toEqual(['RPT-0003 RECEIVING S003', 'RPT-0003 RETURN_TO_VENDOR S003', 'RPT-0006 RECEIVING S003']);
  });

  it('REP-1: several stores', async () => {
    const rows = await all({ storeIds: [S.S003, S.S004] });
    expect(new Set(rows.map((r) => r.storeCode))).toEqual(new Set(['S003', 'S004']));
    expect(fixture(rows)).toHaveLength(6);
  });

  it('REP-1: venue', async () => {
    const rows = await all({ venueIds: [V.Midwest] });
    expect(new Set(rows.map((r) => r.storeCode))).toEqual(new Set(['S003']));
    expect(fixture(rows)).toHaveLength(3);
  });

  it('REP-1: register', async () => {
    const rows = await all({ registerIds: [R1] });
    expect(fixture(rows)).toEqual(['RPT-0001 SALE S001']);
    expect(rows.every((r) => r.registerCode === 'R1' && r.storeCode === 'S001')).toBe(true);
  });

  it('REP-1 / SER-1: serial range, inclusive, compared case-insensitively after trimming', async () => {
    const rows = await all({ serialFrom: ' rpt-0002 ', serialTo: 'RPT-0004' });
    expect(sorted(rows.map((r) => r.serial))).toEqual(['RPT-0002', 'RPT-0002', 'RPT-0002', 'RPT-0003', 'RPT-0003', 'rpt-0004', 'rpt-0004']);
    expect((await all({ serialFrom: 'RPT-0006' })).every((r) => r.serial.toUpperCase() >= 'RPT-0006')).toBe(true);
    expect((await all({ serialTo: 'RPT-0001' })).every((r) => r.serial.toUpperCase() <= 'RPT-0001')).toBe(true);
  });

  it('REP-1: transaction types, several at once', async () => {
    const rows = await all({ types: ['SALE', 'RETURN'] });
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['SALE', 'RETURN']));
    expect(sorted(fixture(rows))).toEqual(['RPT-0001 SALE S001', 'RPT-0005 RETURN S001', 'RPT-0005 SALE S001']);
  });

  it('REP-1: department, category and subcategory', async () => {
    const dept = await all({ departmentIds: [C.SPRT] });
    expect(new Set(dept.map((r) => r.department))).toEqual(new Set(['Sporting Goods']));
    expect(new Set(fixture(dept).map((x) => x.split(' ')[0]))).toEqual(new Set(['RPT-0001', 'RPT-0003', 'RPT-0004', 'RPT-0006']));
    const cat = await all({ categoryIds: [C['SPRT-FA']] });
    expect(new Set(cat.map((r) => r.category))).toEqual(new Set(['Firearms']));
    expect(sorted(fixture(cat))).toEqual([
      'RPT-0001 RECEIVING S004',
      'RPT-0003 RECEIVING S003',
      'RPT-0003 RETURN_TO_VENDOR S003',
      'RPT-0006 RECEIVING S003',
    ]);
    const sub = await all({ subcategoryIds: [C['SPRT-FIT-TRD']] });
    expect(new Set(sub.map((r) => r.subcategory))).toEqual(new Set(['Treadmills']));
    expect(sorted(fixture(sub))).toEqual(['RPT-0004 ADJUSTMENT S004', 'RPT-0004 RECEIVING S004']);
    // Several departments: any of them.
    expect((await all({ departmentIds: [C.SPRT, C.ELEC] })).length).toBe(dept.length + (await all({ departmentIds: [C.ELEC] })).length);
  });

  it('REP-1: item by id, by its main UPC, by an additional UPC and by product id', async () => {
    const upcs = (await t.db.query(`select upc, is_main from item_upc where item_id = $1 order by is_main desc`, [fx.U1!.itemId])).rows;
    expect(upcs.length).toBe(2);
    const byId = fixture(await all({ itemId: fx.U1!.itemId }));
    expect(sorted(byId)).toEqual(
      sorted([
        'RPT-0001 RECEIVING S001',
        'RPT-0001 SALE S001',
        'RPT-0002 RECEIVING S002',
        'RPT-0002 TRANSFER_OUT S002',
        'RPT-0002 TRANSFER_IN S001',
        'RPT-0005 RECEIVING S001',
        'RPT-0005 SALE S001',
        'RPT-0005 RETURN S001',
      ]),
    );
    for (const code of [upcs[0].upc, upcs[1].upc, TV.toLowerCase()])
      expect(fixture(await all({ itemCode: code }))).toEqual(fixture(await all({ itemId: fx.U1!.itemId })));
  });

  it("REP-1: vendor (the item's vendor)", async () => {
    const rows = await all({ vendorIds: [vendorOf.ACA] });
    expect(new Set(rows.map((r) => r.vendor))).toEqual(new Set(['Acme Arms Supply']));
    expect(sorted(fixture(rows))).toEqual([
      'RPT-0001 RECEIVING S004',
      'RPT-0003 RECEIVING S003',
      'RPT-0003 RETURN_TO_VENDOR S003',
      'RPT-0006 RECEIVING S003',
    ]);
  });

  it('REP-1: customer by id, by exact number, by part of the name', async () => {
    expect(fixture(await all({ customerIds: [hammer] }))).toEqual(['RPT-0001 SALE S001']);
    expect(fixture(await all({ customer: 'c-9001' }))).toEqual(['RPT-0001 SALE S001']);
    expect(fixture(await all({ customer: 'the hammer' }))).toEqual(['RPT-0001 SALE S001']);
    expect(sorted(fixture(await all({ customer: "O'Neill" })))).toEqual(['RPT-0005 RETURN S001', 'RPT-0005 SALE S001']);
    // LIKE wildcards in the text are literal.
    expect(await all({ customer: '%' })).toEqual([]);
    expect(fixture(await all({ customerIds: [acme] }))).toEqual([]);
  });

  it('REP-1: the user who initiated the event', async () => {
    const rows = await all({ userIds: [U.merch] });
    expect(sorted(fixture(rows))).toEqual(['RPT-0004 ADJUSTMENT S004', 'RPT-0004 RECEIVING S004']);
    expect(rows.every((r) => r.initiatedBy === 'Mona Merchandiser')).toBe(true);
  });

  it("REP-1: a date range in each store's time zone — 23:30 on the last day of the month belongs to that month", async () => {
    const october = fixture(await all({ from: '2026-10-01', to: '2026-10-31' }));
    // U1 at 03:30 UTC on Nov 1 is 23:30 on Oct 31 in New York; U6 at 04:30 UTC is 23:30 in Chicago;
    // U2 at that same 04:30 UTC instant is 00:30 on Nov 1 in New York: November.
    expect(sorted(october)).toEqual(['RPT-0001 RECEIVING S001', 'RPT-0006 RECEIVING S003']);
    const november = fixture(await all({ ...FIXTURE, from: '2026-11-01', to: '2026-11-30' }));
    expect(november).toContain('RPT-0002 RECEIVING S002');
    expect(november).not.toContain('RPT-0001 RECEIVING S001');
    expect(november).not.toContain('RPT-0006 RECEIVING S003');
    // One day, both ends inclusive; open ends.
    expect(fixture(await all({ ...FIXTURE, from: '2026-10-31', to: '2026-10-31' }))).toHaveLength(2);
    expect(sorted(fixture(await all({ ...FIXTURE, to: '2026-09-30' })))).toEqual([
      'RPT-0001 RECEIVING S004',
      'RPT-0003 RECEIVING S003',
      'RPT-0003 RETURN_TO_VENDOR S003',
      'RPT-0005 RECEIVING S001',
      'RPT-0005 RETURN S001',
      'RPT-0005 SALE S001',
    ]);
    expect(fixture(await all({ ...FIXTURE, from: '2026-11-21' }))).toEqual(['RPT-0004 ADJUSTMENT S004']);
  });

  it("REP-1: presets, evaluated on the server in each store's time zone", async () => {
    const at = (asOf: string, preset: string) => all({ ...FIXTURE, preset, asOf }).then((r) => sorted(fixture(r)));
    const nov15 = '2026-11-15T17:00:00Z';
    expect(await at(nov15, 'LAST_MONTH')).toEqual(['RPT-0001 RECEIVING S001', 'RPT-0006 RECEIVING S003']);
    expect(await at(nov15, 'CURRENT_MONTH')).toEqual(
      sorted([
        'RPT-0001 SALE S001',
        'RPT-0002 RECEIVING S002',
        'RPT-0002 TRANSFER_OUT S002',
        'RPT-0002 TRANSFER_IN S001',
        'RPT-0004 RECEIVING S004',
        'RPT-0004 ADJUSTMENT S004',
      ]),
    );
    // 2025-12-31 23:30 in New York is last year there, though 2026 in UTC.
    const year = await at(nov15, 'CURRENT_YEAR');
    expect(year).not.toContain('RPT-0005 RECEIVING S001');
    expect(year).toContain('RPT-0005 SALE S001');
    expect(year).toHaveLength(13);
    // Saturday Nov 21, 13:00 in Denver.
    const sat = '2026-11-21T20:00:00Z';
    expect(await at(sat, 'TODAY')).toEqual(['RPT-0004 ADJUSTMENT S004']);
    expect(await at(sat, 'YESTERDAY')).toEqual(['RPT-0004 RECEIVING S004']);
    expect(await at(sat, 'THIS_WEEK')).toEqual(['RPT-0004 ADJUSTMENT S004', 'RPT-0004 RECEIVING S004']);
    // 02:00 UTC on Nov 22 is still Saturday in Denver (19:00) but Sunday in UTC.
    expect(await at('2026-11-22T02:00:00Z', 'TODAY')).toEqual(['RPT-0004 ADJUSTMENT S004']);
  });

  it('REP-1: filters combine with "and"', async () => {
    expect(fixture(await all({ storeIds: [S.S001], types: ['SALE'], preset: 'CURRENT_MONTH', asOf: '2026-11-15T17:00:00Z' }))).toEqual([
      'RPT-0001 SALE S001',
    ]);
    expect(
      sorted(
        fixture(await all({ departmentIds: [C.ELEC], serialFrom: 'RPT-0002', serialTo: 'RPT-0005', from: '2026-01-01', to: '2026-01-31' })),
      ),
    ).toEqual(['RPT-0005 RETURN S001', 'RPT-0005 SALE S001']);
    expect(
      fixture(
        await all({
          venueIds: [V.Northeast],
          customerIds: [hammer],
          registerIds: [R1],
          userIds: [U.clerk],
          itemCode: TV,
          vendorIds: [vendorOf.NWE],
        }),
      ),
    ).toEqual(['RPT-0001 SALE S001']);
    expect(await all({ storeIds: [S.S003], types: ['SALE'] })).toEqual([]);
    expect(await all({ venueIds: [V.Midwest], storeIds: [S.S001] })).toEqual([]);
  });
});

describe('REP-1 columns', () => {
  const one = async (serial: string, type: string) =>
    (await all({ serialFrom: serial, serialTo: serial, types: [type] })).find((r) => r.storeCode !== 'S004' || serial !== 'RPT-0001')!;

  it('REP-1: a sale row carries the seed-004 columns, the customer as destination', async () => {
    const r = await one('RPT-0001', 'SALE');
    expect(r).toMatchObject({
      serial: 'RPT-0001',
      productId: TV,
      type: 'SALE',
      quantity: -1,
      source: 'S001',
      destination: 'Smith "The Hammer", Jr.',
      customerNumber: 'C-9001',
      customerName: 'Smith "The Hammer", Jr.',
      department: 'Electronics',
      category: 'Televisions',
      subcategory: 'OLED TVs',
      size: 'XL',
      vendor: 'Northwind Electronics',
      initiatedBy: 'Cleo Clerk',
      storeCode: 'S001',
      registerCode: 'R1',
      documentKind: 'SALE',
      occurredAt: '2026-11-05T15:00:00.000Z',
      localTime: '2026-11-05 10:00:00',
      timeZone: 'America/New_York',
      unitId: fx.U1!.unitId,
    });
    expect(r.description).toMatch(/OLED/);
    for (const k of ['productName', 'style', 'color', 'brand', 'season']) expect(r[k]).toBeTruthy();
  });

  it('REP-1: source and destination by type: vendor → store, store → store, store → vendor, customer → store, store → Adjustment', async () => {
    const pairs = Object.fromEntries(
      (await all(FIXTURE))
        .filter((r) => r.storeCode !== 'S004' || r.serial !== 'RPT-0001')
        .map((r) => [`${r.serial.toUpperCase()} ${r.type}`, `${r.source} → ${r.destination}`]),
    );
    expect(pairs).toEqual({
      'RPT-0001 RECEIVING': 'Northwind Electronics → S001',
      'RPT-0001 SALE': 'S001 → Smith "The Hammer", Jr.',
      'RPT-0002 RECEIVING': 'Northwind Electronics → S002',
      'RPT-0002 TRANSFER_OUT': 'S002 → S001',
      'RPT-0002 TRANSFER_IN': 'S002 → S001',
      'RPT-0003 RECEIVING': 'Acme Arms Supply → S003',
      'RPT-0003 RETURN_TO_VENDOR': 'S003 → Acme Arms Supply',
      'RPT-0004 RECEIVING': 'Summit Fitness → S004',
      'RPT-0004 ADJUSTMENT': 'S004 → Adjustment',
      'RPT-0005 RECEIVING': 'Northwind Electronics → S001',
      'RPT-0005 SALE': "S001 → Seán O'Neill",
      'RPT-0005 RETURN': "Seán O'Neill → S001",
      'RPT-0006 RECEIVING': 'Acme Arms Supply → S003',
    });
    const adj = await one('RPT-0004', 'ADJUSTMENT');
    expect(adj).toMatchObject({ reason: 'DAMAGED', quantity: -1, storeCode: 'S004', localTime: '2026-11-21 10:00:00' });
    expect((await one('RPT-0001', 'RECEIVING')).event).toBe('Fall Launch');
  });
});

describe('REP-1 sorting and cursor paging', () => {
  const pages = async (filter: Record<string, unknown>, sort: string, first: number) => {
    const seen: Row[] = [];
    let after: string | undefined;
    for (let n = 0; n < 100; n++) {
      const p = await page(filter, { sort, first, after });
      expect(p.rows.length).toBeLessThanOrEqual(first);
      seen.push(...p.rows);
      if (!p.pageInfo.hasNextPage) break;
      expect(p.pageInfo.endCursor).toBe(p.rows.at(-1)!.cursor);
      after = p.pageInfo.endCursor!;
    }
    return seen;
  };

  it('REP-1: every order pages with cursors to exactly the rows of one big page, without duplicates or gaps', async () => {
    for (const sort of ['DATE_DESC', 'DATE_ASC', 'SERIAL_ASC', 'SERIAL_DESC', 'PRODUCT_ASC', 'PRODUCT_DESC']) {
      const whole = (await page(FIXTURE, { sort, first: 500 })).rows.map((r) => r.eventId);
      const paged = (await pages(FIXTURE, sort, 2)).map((r) => r.eventId);
      expect(paged, sort).toEqual(whole);
      expect(new Set(paged).size).toBe(14);
    }
  });

  it('REP-1: serial order is by normalized serial, then time; product order is by product id, newest first within a product', async () => {
    const bySerial = (await page(FIXTURE, { sort: 'SERIAL_ASC' })).rows;
    expect(bySerial.map((r) => r.serial.toUpperCase())).toEqual([...bySerial.map((r) => r.serial.toUpperCase())].sort());
    expect(bySerial.slice(0, 3).map((r) => `${r.type} ${r.storeCode}`)).toEqual(['RECEIVING S004', 'RECEIVING S001', 'SALE S001']);
    const byProduct = (await page(FIXTURE, { sort: 'PRODUCT_ASC' })).rows;
    expect([...new Set(byProduct.map((r) => r.productId))]).toEqual([GUN, TREADMILL, TV]);
    const tv = byProduct.filter((r) => r.productId === TV).map((r) => r.occurredAt);
    expect(tv).toEqual([...tv].sort().reverse());
    expect([...new Set((await page(FIXTURE, { sort: 'PRODUCT_DESC' })).rows.map((r) => r.productId))]).toEqual([TV, TREADMILL, GUN]);
    const byDate = (await page(FIXTURE, { sort: 'DATE_ASC' })).rows.map((r) => r.occurredAt);
    expect(byDate).toEqual([...byDate].sort());
  });

  it('REP-1: paging newest first while new events arrive repeats and skips nothing', async () => {
    const before = (await all(null)).map((r) => r.eventId);
    const first = await page(null, { first: 7 });
    // Events posted through the API between two page requests.
    const tv = (
      await t.db.query(`select u.upc from item i join item_upc u on u.item_id = i.id and u.is_main where i.product_id = $1`, [TV])
    ).rows[0].upc;
    const { createReceipt } = await clerk.data(`mutation($i: CreateReceiptInput!) { createReceipt(input: $i) { receipt { id } } }`, {
      i: { storeId: S.S001, kind: 'BLIND' },
    });
    const serials = ['LIVE-1', 'LIVE-2', 'LIVE-3'].map((s) => `${s}-${Date.now()}`);
    await clerk.data(`mutation($i: ScanReceiptInput!) { scanReceipt(input: $i) { results { outcome } } }`, {
      i: { receiptId: createReceipt.receipt.id, input: [tv, ...serials].join('\n') },
    });
    const posted = await clerk.data(`mutation($i: ReceiptActionInput!) { postReceipt(input: $i) { userErrors { code } } }`, {
      i: { receiptId: createReceipt.receipt.id },
    });
    expect(posted.postReceipt.userErrors).toEqual([]);
    const rest: string[] = [];
    let after = first.pageInfo.endCursor!;
    for (;;) {
      const p = await page(null, { first: 7, after });
      rest.push(...p.rows.map((r) => r.eventId));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor!;
    }
    expect([...first.rows.map((r) => r.eventId), ...rest]).toEqual(before);
    // A fresh first page shows them on top.
    expect(sorted((await page(null, { first: 3 })).rows.map((r) => r.serial))).toEqual(sorted(serials));
  });
});

describe('REP-1 totals', () => {
  it('REP-1: counts by transaction type for the whole filter, not the page', async () => {
    const totals = (await admin.data(TOTALS, { f: FIXTURE })).serialHistoryTotals;
    expect(totals.total).toBe(14);
    expect(totals.byType).toEqual([
      { type: 'ADJUSTMENT', count: 1 },
      { type: 'RECEIVING', count: 7 },
      { type: 'RETURN', count: 1 },
      { type: 'RETURN_TO_VENDOR', count: 1 },
      { type: 'SALE', count: 2 },
      { type: 'TRANSFER_IN', count: 1 },
      { type: 'TRANSFER_OUT', count: 1 },
    ]);
    const s1 = (await admin.data(TOTALS, { f: { storeIds: [S.S001] } })).serialHistoryTotals;
    expect(s1.total).toBe((await all({ storeIds: [S.S001] })).length);
  });
});

describe('SEC-2 scope', () => {
  it('SEC-2: a clerk sees only the events of their stores', async () => {
    const rows = await all(null, { client: clerk });
    expect(new Set(rows.map((r) => r.storeCode))).toEqual(new Set(['S001']));
    const totals = (await clerk.data(TOTALS, {})).serialHistoryTotals;
    expect(totals.total).toBe(rows.length);
  });

  it('SEC-2: an explicit store outside the scope is refused with STORE_OUT_OF_SCOPE', async () => {
    const res = await clerk.request(HISTORY, { f: { storeIds: [S.S001, S.S002] } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'STORE_OUT_OF_SCOPE', field: 'filter.storeIds', storeId: S.S002 });
    expect(await clerk.errorCode(TOTALS, { f: { storeIds: [S.S003] } })).toBe('STORE_OUT_OF_SCOPE');
    const r2 = (await t.db.query(`select r.id from register r join store s on s.id = r.store_id where s.code = 'S002' limit 1`)).rows[0].id;
    expect(await clerk.errorCode(HISTORY, { f: { registerIds: [String(r2)] } })).toBe('STORE_OUT_OF_SCOPE');
    expect(await clerk.errorCode(ON_HAND, { f: { storeIds: [S.S002] } })).toBe('STORE_OUT_OF_SCOPE');
  });

  it('SEC-2: a venue narrows to its stores within the scope', async () => {
    const rows = await all({ venueIds: [V.Northeast] }, { client: clerk });
    expect(new Set(rows.map((r) => r.storeCode))).toEqual(new Set(['S001']));
    expect(await all({ venueIds: [V.Midwest] }, { client: clerk })).toEqual([]);
  });

  it('SEC-2: reports refuse callers who are not signed in', async () => {
    expect(await t.anonymous().errorCode(HISTORY, {})).toBe('UNAUTHENTICATED');
    expect((await fetch(`${t.url}/export/serial-history.csv`)).status).toBe(401);
  });
});

describe('REP-1 bad input', () => {
  const code = async (filter: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const res = await admin.request(HISTORY, { f: filter, ...extra });
    return { code: res.errors?.[0]?.extensions?.code, field: res.errors?.[0]?.extensions?.field, message: res.errors?.[0]?.message };
  };
  it('REP-1: a date range that starts after it ends', async () => {
    expect(await code({ from: '2026-11-02', to: '2026-11-01' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.from',
      message: 'The range starts (2026-11-02) after it ends (2026-11-01).',
    });
  });
  it('REP-1: a serial range that starts after it ends (compared normalized)', async () => {
    expect(await code({ serialFrom: 'b', serialTo: 'A' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.serialFrom' });
    expect((await code({ serialFrom: 'a', serialTo: 'A' })).code).toBeUndefined();
  });
  it('REP-1: unknown store, venue, register, classification (or one of another level), item, vendor, user, customer', async () => {
    expect(await code({ storeIds: ['99999'] })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.storeIds' });
    expect(await code({ venueIds: ['99999'] })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.venueIds' });
    expect(await code({ registerIds: ['99999'] })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.registerIds' });
    expect(await code({ departmentIds: ['99999'] })).toMatchObject({
      code: 'NOT_FOUND',
      field: 'filter.departmentIds',
      message: 'Department 99999 does not exist.',
    });
    expect(await code({ departmentIds: [C['ELEC-TV']] })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.departmentIds' });
    expect(await code({ categoryIds: [C.ELEC] })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.categoryIds' });
    expect(await code({ subcategoryIds: ['99999'] })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.subcategoryIds' });
    expect(await code({ itemId: '99999' })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.itemId' });
    expect(await code({ itemCode: 'NO-SUCH-THING' })).toMatchObject({
      code: 'NOT_FOUND',
      field: 'filter.itemCode',
      message: 'No item has the UPC or product id "NO-SUCH-THING".',
    });
    expect((await admin.request(ON_HAND, { f: { upc: 'nope' } })).errors?.[0]).toMatchObject({
      message: 'No item has the UPC or product id "nope".',
      extensions: { code: 'NOT_FOUND', field: 'filter.upc' },
    });
    expect(await code({ vendorIds: ['99999'] })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.vendorIds' });
    expect(await code({ userIds: ['99999'] })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.userIds' });
    expect(await code({ customerIds: ['99999'] })).toMatchObject({ code: 'NOT_FOUND', field: 'filter.customerIds' });
  });
  it('REP-1: a page size over the maximum of 500, or under 1', async () => {
    expect(await code({}, { first: 501 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(await code({}, { first: 0 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await code({}, { first: 500 })).code).toBeUndefined();
    expect((await admin.request(ON_HAND, { first: 1000 })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
  });
  it('REP-1: malformed days, a preset with a range, a foreign or broken cursor', async () => {
    expect(await code({ from: '2026-02-30' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.from' });
    expect(await code({ to: '11/01/2026' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.to' });
    expect(await code({ preset: 'TODAY', from: '2026-11-01' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.preset' });
    const cursor = (await page(FIXTURE, { first: 1 })).pageInfo.endCursor;
    expect(await code(FIXTURE, { sort: 'SERIAL_ASC', after: cursor })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(await code(FIXTURE, { after: 'garbage' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
  it('REP-1: a cursor whose keys are not of their types (a tampered one) is not a cursor', async () => {
    const cursor = (keys: string[]) => Buffer.from(JSON.stringify(keys)).toString('base64url');
    const notACursor = { code: 'BAD_USER_INPUT', field: 'after', message: 'after is not a cursor of this report.' };
    for (const keys of [
      ['DATE_DESC', 'notadate', '1'],
      ['DATE_DESC', '2026-02-30T10:00:00.000000Z', '1'],
      ['DATE_DESC', '2026-11-01T10:00:00.000000Z', 'x'],
      ['DATE_DESC', '2026-11-01T10:00:00.000000Z', '99999999999999999999'],
    ])
      expect(await code(FIXTURE, { after: cursor(keys) })).toMatchObject(notACursor);
    expect(
      await code(FIXTURE, { sort: 'SERIAL_ASC', after: cursor(['SERIAL_ASC', 'A\u0000', '2026-11-01T10:00:00Z', '1']) }),
    ).toMatchObject(notACursor);
    const res = await admin.request(ON_HAND, { after: cursor(['ON_HAND', 'RPT-0001', 'y']) });
    expect(res.errors?.[0]).toMatchObject({ message: notACursor.message, extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
  });
  it('REP-1: a filter field that does not exist is refused, not ignored', async () => {
    const res = await admin.request(`query($f: SerialHistoryFilter) { serialHistory(filter: $f) { rows { serial } } }`, {
      f: { unknownField: 1 },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
  it('REP-1: a NUL character in a text filter is BAD_USER_INPUT', async () => {
    for (const f of [{ customer: 'a\u0000b' }, { serialFrom: 'a\u0000b' }])
      expect(await code(f)).toMatchObject({ code: 'BAD_USER_INPUT', message: 'Text cannot contain the NUL character (\\0).' });
  });
});

describe('REP-1 CSV export', () => {
  const get = (path: string, client: ApiClient | null = admin) =>
    fetch(`${t.url}${path}`, { headers: client?.token ? { authorization: `Bearer ${client.token}` } : {} });
  const url = (filter: unknown, extra = '') => `/export/serial-history.csv?filter=${encodeURIComponent(JSON.stringify(filter))}${extra}`;

  it('REP-1: exports every row of the filter (not a page) as UTF-8 CSV with a BOM, a header, ISO times and correct quoting', async () => {
    const res = await get(url(FIXTURE));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="serial-history-\d{4}-\d\d-\d\d\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.slice(3));
    // RFC 4180: a field with a comma or a quote is quoted, its quotes doubled.
    expect(text).toContain(',"Smith ""The Hammer"", Jr.",');
    expect(text).toContain(",Seán O'Neill,");
    const [header, ...rows] = parse(text, {});
    expect(header).toEqual([
      'serial',
      'description',
      'product_id',
      'product_name',
      'occurred_at',
      'local_time',
      'customer_number',
      'customer_name',
      'type',
      'source',
      'destination',
      'department',
      'category',
      'subcategory',
      'style',
      'size',
      'color',
      'brand',
      'season',
      'team',
      'vendor',
      'initiated_by',
      'event',
      'store',
      'document_number',
    ]);
    expect(rows.length).toBe(14);
    const col = (name: string) => header!.indexOf(name);
    const sale = rows.find((r) => r[col('serial')] === 'RPT-0001' && r[col('type')] === 'SALE')!;
    expect(sale[col('customer_name')]).toBe('Smith "The Hammer", Jr.');
    expect(sale[col('destination')]).toBe('Smith "The Hammer", Jr.');
    expect(sale[col('occurred_at')]).toBe('2026-11-05T15:00:00.000Z');
    expect(sale[col('local_time')]).toBe('2026-11-05 10:00:00');
    expect(sale[col('store')]).toBe('S001');
    expect(sale[col('initiated_by')]).toBe('Cleo Clerk');
    expect(rows.find((r) => r[col('type')] === 'RECEIVING' && r[col('serial')] === 'RPT-0001')![col('event')]).toBe('Fall Launch');
    // Same rows, same order as the API.
    const api = await all(FIXTURE);
    expect(rows.map((r) => `${r[col('serial')]} ${r[col('type')]} ${r[col('store')]}`)).toEqual(
      api.map((r) => `${r.serial} ${r.type} ${r.storeCode}`),
    );
  });

  it('REP-1: the export follows the sort and the scope, and refuses bad filters with the same codes', async () => {
    const text = await (await get(url(FIXTURE, '&sort=SERIAL_ASC'))).text();
    const serials = parse(text, { bom: true, from_line: 2 }).map((r) => r[0]!.toUpperCase());
    expect(serials).toEqual([...serials].sort());
    const clerkRows = parse(await (await get(url(null), clerk)).text(), { bom: true, columns: true }) as unknown as Record<
      string,
      string
    >[];
    expect(new Set(clerkRows.map((r) => r.store))).toEqual(new Set(['S001']));
    const refused = await get(url({ storeIds: [S.S002] }), clerk);
    expect(refused.status).toBe(403);
    expect((await refused.json()).errors[0].extensions.code).toBe('STORE_OUT_OF_SCOPE');
    const bad = await get(url({ from: '2026-12-01', to: '2026-11-01' }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.from' });
    expect((await get('/export/serial-history.csv?filter=%7Bnot-json')).status).toBe(400);
    expect((await get(url({ departmentIds: ['99999'] }))).status).toBe(404);
    expect((await get(url({ types: ['NOPE'] }))).status).toBe(400);
    expect((await get(url({}, '&sort=SIDEWAYS'))).status).toBe(400);
  });

  it('REP-1: an export filter naming a field that does not exist is refused, naming it, rather than exporting everything', async () => {
    for (const [path, filter, key] of [
      ['/export/serial-history.csv', { unknownField: 1 }, 'unknownField'],
      ['/export/serial-history.csv', { ...FIXTURE, storeId: S.S001 }, 'storeId'],
      ['/export/serials-on-hand.csv', { upcs: ['x'] }, 'upcs'],
    ] as const) {
      const res = await get(`${path}?filter=${encodeURIComponent(JSON.stringify(filter))}`);
      expect(res.status).toBe(400);
      const error = (await res.json()).errors[0];
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `filter.${key}` });
      expect(error.message).toContain(`"${key}"`);
    }
  });

  it('REP-1: a cell that a spreadsheet would run as a formula is exported as text', async () => {
    const evil = (
      await t.db.query(`insert into customer (number, name) values ('C-9002', '=HYPERLINK("http://x.test","Click")') returning id`)
    ).rows[0].id;
    await unit(GUN, 'RPT-0099', [
      { type: 'RECEIVING', at: '2026-07-01T12:00:00Z', store: 'S003' },
      { type: 'SALE', at: '2026-07-02T12:00:00Z', store: 'S003', customer: evil },
    ]);
    const text = await (await get(url({ serialFrom: 'RPT-0099', serialTo: 'RPT-0099', types: ['SALE'] }))).text();
    const [row] = parse(text, { bom: true, columns: true }) as unknown as Record<string, string>[];
    expect(row!.customer_name).toBe(`'=HYPERLINK("http://x.test","Click")`);
    // The API itself returns the name as stored.
    expect((await all({ customerIds: [evil] }))[0]!.customerName).toBe('=HYPERLINK("http://x.test","Click")');
    // Every first character csv-stringify's escape_formulas guards, the full-width forms too; a
    // sign or character later in the cell is left alone.
    const names = ['+1+2', '-3', '@SUM(A1)', '\tTab', '\rCR', '＝1', '＋1', '－1', '＠x', 'a=b', ' =1'];
    const guarded = new Set(names.slice(0, 9));
    for (const [n, name] of names.entries()) {
      const id = (await t.db.query(`insert into customer (number, name) values ($1, $2) returning id`, [`C-93${n}`, name])).rows[0].id;
      await unit(GUN, `RPT-01${n}`, [
        { type: 'RECEIVING', at: '2026-07-01T12:00:00Z', store: 'S003' },
        { type: 'SALE', at: '2026-07-02T12:00:00Z', store: 'S003', customer: id },
      ]);
      const text = await (await get(url({ customerIds: [id], types: ['SALE'] }))).text();
      const [sale] = parse(text, { bom: true, columns: true }) as unknown as Record<string, string>[];
      expect(sale!.customer_name, name).toBe(guarded.has(name) ? `'${name}` : name);
    }
  });

  it('REP-1: filter values with quotes and backslashes select the same rows in the export as through the API', async () => {
    const id = (await t.db.query(`insert into customer (number, name) values ('C-9004', $1) returning id`, [`Back\\slash 'Q' O'Brien`]))
      .rows[0].id;
    await unit(GUN, 'RPT-0098', [
      { type: 'RECEIVING', at: '2026-07-01T12:00:00Z', store: 'S003' },
      { type: 'SALE', at: '2026-07-02T12:00:00Z', store: 'S003', customer: id },
    ]);
    for (const customer of [`O'Neill`, `"The Hammer"`, `k\\s`, `'Q' O'B`, `'); drop table stock_event; --`]) {
      const filter = { customer, serialFrom: `RPT-0`, serialTo: `RPT-0999` };
      const rows = parse(await (await get(url(filter))).text(), { bom: true, columns: true }) as unknown as Record<string, string>[];
      const api = await all(filter);
      expect(
        rows.map((r) => `${r.serial} ${r.type} ${r.customer_name}`),
        customer,
      ).toEqual(api.map((r) => `${r.serial} ${r.type} ${r.customerName}`));
      if (!customer.includes('drop')) expect(api.length, customer).toBeGreaterThan(0);
    }
  });

  it('REP-1: an export of everything streams all rows', async () => {
    const text = await (await get('/export/serial-history.csv')).text();
    const rows = parse(text, { bom: true, from_line: 2 });
    expect(rows.length).toBe((await admin.data(TOTALS, {})).serialHistoryTotals.total);
  });

  it('REP-1: filters of several stores, dates and types select the same rows in the export as through the API', async () => {
    const filters = [
      { ...FIXTURE, storeIds: [S.S001, S.S003, S.S004], from: '2026-01-01', to: '2026-11-30' },
      { ...FIXTURE, types: ['SALE', 'RETURN', 'TRANSFER_OUT'], preset: 'CURRENT_MONTH', asOf: '2026-11-15T17:00:00Z' },
      { ...FIXTURE, storeIds: [S.S001], from: '2026-11-05', to: '2026-11-05' },
    ];
    for (const filter of filters) {
      const rows = parse(await (await get(url(filter))).text(), { bom: true, columns: true }) as unknown as Record<string, string>[];
      const api = await all(filter);
      expect(api.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(rows.map((r) => `${r.serial} ${r.type} ${r.store} ${r.occurred_at}`)).toEqual(
        api.map((r) => `${r.serial} ${r.type} ${r.storeCode} ${new Date(r.occurredAt).toISOString()}`),
      );
    }
  });

  it('REP-1: the export has every row once, in the order of each sort', async () => {
    for (const sort of ['DATE_DESC', 'SERIAL_ASC', 'PRODUCT_DESC']) {
      const text = await (await get(url(null, `&sort=${sort}`))).text();
      const rows = parse(text, { bom: true, columns: true }) as unknown as Record<string, string>[];
      const api = await all(null, { sort, first: 500 });
      expect(rows.length).toBeGreaterThan(12);
      expect(rows.map((r) => `${r.serial} ${r.type} ${r.store} ${r.occurred_at}`)).toEqual(
        api.map((r) => `${r.serial} ${r.type} ${r.storeCode} ${new Date(r.occurredAt).toISOString()}`),
      );
    }
  });
});

describe('REP-2 serials on hand', () => {
  const onHand = async (f: Record<string, unknown> | null, client = admin, extra = false) => {
    const out: Row[] = [];
    let after: string | undefined;
    for (;;) {
      const p = (await client.data(ON_HAND, { f, first: 200, after, extra })).serialsOnHand;
      out.push(...p.rows);
      if (!p.pageInfo.hasNextPage) return out;
      after = p.pageInfo.endCursor;
    }
  };
  const mine = (rows: Row[]) =>
    rows
      .filter((r) => /^RPT-/i.test(r.serial))
      .map((r) => `${r.serial} ${r.storeCode}`)
      .sort();

  it('REP-2: every unit in stock at your stores, in serial order, with the seed-004 columns', async () => {
    const rows = await onHand(null);
    expect(rows.length).toBe(Number((await t.db.query(`select count(*) from serial_unit where state = 'IN_STOCK'`)).rows[0].count));
    expect(mine(rows)).toEqual(['RPT-0001 S004', 'RPT-0002 S001', 'RPT-0005 S001', 'RPT-0006 S003']);
    const u2 = rows.find((r) => r.serial === 'RPT-0002')!;
    const item = (
      await t.db.query(`select i.*, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main where i.product_id = $1`, [TV])
    ).rows[0];
    expect(u2).toMatchObject({
      upc: item.upc,
      productId: TV,
      productName: item.name,
      description: item.description,
      department: 'Electronics',
      category: 'Televisions',
      subcategory: 'OLED TVs',
      size: 'XL',
      color: item.color,
      brand: item.brand,
      season: item.season,
      style: item.style,
      vendor: 'Northwind Electronics',
      storeCode: 'S001',
      receivedAt: '2026-11-12T16:00:00.000Z',
      unitCost: Number(item.unit_cost).toFixed(2),
      retailPrice: Number(item.retail_price).toFixed(2),
    });
    // Serial order: normalized serial, byte order.
    const keys = rows.map((r) => r.serial.trim().toUpperCase());
    expect(keys).toEqual([...keys].sort());
  });

  it('REP-2: additional UPCs as an optional column', async () => {
    const rows = await onHand({ upc: TV }, admin, true);
    const extra = (
      await t.db.query(`select array_agg(upc order by position, upc) as u from item_upc where item_id = $1 and not is_main`, [
        fx.U1!.itemId,
      ])
    ).rows[0].u;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => JSON.stringify(r.additionalUpcs) === JSON.stringify(extra))).toBe(true);
  });

  it('REP-2: filters by store, venue, classification, size, UPC and date received, alone and together', async () => {
    expect(mine(await onHand({ storeIds: [S.S001] }))).toEqual(['RPT-0002 S001', 'RPT-0005 S001']);
    expect(mine(await onHand({ venueIds: [V.Mountain] }))).toEqual(['RPT-0001 S004']);
    expect(mine(await onHand({ departmentIds: [C.ELEC] }))).toEqual(['RPT-0002 S001', 'RPT-0005 S001']);
    expect(mine(await onHand({ categoryIds: [C['SPRT-FA']] }))).toEqual(['RPT-0001 S004', 'RPT-0006 S003']);
    expect(mine(await onHand({ subcategoryIds: [C['SPRT-FA-HG']] }))).toEqual(['RPT-0001 S004', 'RPT-0006 S003']);
    expect((await onHand({ size: 'xl' })).every((r) => r.size === 'XL')).toBe(true);
    expect(mine(await onHand({ size: 'xl' }))).toEqual(['RPT-0002 S001', 'RPT-0005 S001']);
    const extraUpc = (await t.db.query(`select upc from item_upc where item_id = $1 and not is_main limit 1`, [fx.U1!.itemId])).rows[0].upc;
    expect(mine(await onHand({ upc: extraUpc }))).toEqual(['RPT-0002 S001', 'RPT-0005 S001']);
    // Received on a day in the store's time zone: U6 at 23:30 on Oct 31 in Chicago.
    expect(mine(await onHand({ receivedFrom: '2026-10-31', receivedTo: '2026-10-31' }))).toEqual(['RPT-0006 S003']);
    expect(mine(await onHand({ receivedFrom: '2026-11-01', receivedTo: '2026-11-30' }))).toEqual(['RPT-0002 S001']);
    expect(mine(await onHand({ receivedTo: '2026-08-31' }))).toEqual(['RPT-0001 S004', 'RPT-0005 S001']);
    expect(mine(await onHand({ receivedFrom: '2026-08-01', receivedTo: '2026-08-01' }))).toEqual(['RPT-0001 S004']);
    expect(
      mine(await onHand({ storeIds: [S.S001], departmentIds: [C.ELEC], receivedFrom: '2026-01-01', receivedTo: '2026-01-31' })),
    ).toEqual(['RPT-0005 S001']);
  });

  it('REP-2: a clerk sees the units of their stores only', async () => {
    expect(new Set((await onHand(null, clerk)).map((r) => r.storeCode))).toEqual(new Set(['S001']));
  });

  it('REP-2: bad input', async () => {
    expect(
      (await admin.request(ON_HAND, { f: { receivedFrom: '2026-12-01', receivedTo: '2026-11-01' } })).errors?.[0]?.extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.receivedFrom' });
    expect((await admin.request(ON_HAND, { f: { upc: '000000000000' } })).errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      field: 'filter.upc',
    });
    expect((await admin.request(ON_HAND, { f: { storeIds: ['99999'] } })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('REP-2: the summary by department adds up units, cost and retail value exactly', async () => {
    const expected = (
      await t.db.query(
        `select d.id::text as "departmentId", d.name as department, count(*)::int as units, sum(i.unit_cost) as cost, sum(i.retail_price) as retail
       from serial_unit u join item i on i.id = u.item_id join classification d on d.id = i.department_id where u.state = 'IN_STOCK' and u.store_id = $1
       group by d.id, d.name order by d.name`,
        [S.S001],
      )
    ).rows;
    const s = (await admin.data(SUMMARY, { f: { storeIds: [S.S001] } })).onHandSummary;
    expect(s.departments.map((d: Row) => [d.departmentId, d.department, d.units])).toEqual(
      expected.map((d) => [d.departmentId, d.department, d.units]),
    );
    const dec = (x: string) => x.replace(/(\.\d\d\d*?)0+$/, '$1');
    expect(s.departments.map((d: Row) => d.costValue)).toEqual(expected.map((d) => dec(String(d.cost))));
    expect(s.departments.map((d: Row) => d.retailValue)).toEqual(expected.map((d) => dec(String(d.retail))));
    expect(s.units).toBe(expected.reduce((a, d) => a + d.units, 0));
    const total = (
      await t.db.query(
        `select sum(i.unit_cost) as c from serial_unit u join item i on i.id = u.item_id where u.state = 'IN_STOCK' and u.store_id = $1`,
        [S.S001],
      )
    ).rows[0].c;
    expect(s.costValue).toBe(dec(String(total)));
    expect((await admin.data(SUMMARY, { f: { storeIds: [S.S001], receivedTo: '2000-01-01' } })).onHandSummary).toMatchObject({
      departments: [],
      units: 0,
      costValue: '0.00',
    });
  });

  it("REP-2: a unit's received time is also given in its store's time zone, as history shows times", async () => {
    const rows = await onHand({ storeIds: [S.S001] });
    expect(rows.find((r) => r.serial === 'RPT-0002')).toMatchObject({
      receivedAt: '2026-11-12T16:00:00.000Z',
      receivedLocalTime: '2026-11-12 11:00:00',
      timeZone: 'America/New_York',
    });
  });

  it('REP-2: CSV export with the optional additional UPCs column', async () => {
    const res = await fetch(
      `${t.url}/export/serials-on-hand.csv?additionalUpcs=1&filter=${encodeURIComponent(JSON.stringify({ departmentIds: [C.ELEC], storeIds: [S.S001] }))}`,
      {
        headers: { authorization: `Bearer ${admin.token}` },
      },
    );
    expect(res.status).toBe(200);
    const rows = parse(await res.text(), { bom: true, columns: true }) as unknown as Record<string, string>[];
    expect(rows.length).toBe((await onHand({ departmentIds: [C.ELEC], storeIds: [S.S001] })).length);
    const u2 = rows.find((r) => r.serial === 'RPT-0002')!;
    expect(u2).toMatchObject({
      product_id: TV,
      store: 'S001',
      received_at: '2026-11-12T16:00:00.000Z',
      received_local_time: '2026-11-12 11:00:00',
      size: 'XL',
    });
    expect(u2.additional_upcs).toMatch(/^\d{12}$/);
    expect(Object.keys(u2)).toContain('unit_cost');
  });

  it('REP-2: a size filter with quotes and a backslash selects the same units in the export as through the API', async () => {
    const size = `7' 6" \\ tall`;
    await t.db.query(`update item set size = $2 where product_id = $1`, [TV, size]);
    try {
      const filter = { size, storeIds: [S.S001] };
      const res = await fetch(`${t.url}/export/serials-on-hand.csv?filter=${encodeURIComponent(JSON.stringify(filter))}`, {
        headers: { authorization: `Bearer ${admin.token}` },
      });
      const rows = parse(await res.text(), { bom: true, columns: true }) as unknown as Record<string, string>[];
      const api = await onHand(filter);
      expect(api.length).toBeGreaterThan(0);
      expect(rows.map((r) => `${r.serial} ${r.size}`)).toEqual(api.map((r) => `${r.serial} ${size}`));
    } finally {
      await t.db.query(`update item set size = 'XL' where product_id = $1`, [TV]);
    }
  });

  it('REP-2: a unit received through the API shows when it came into stock', async () => {
    const tv = (
      await t.db.query(`select u.upc from item i join item_upc u on u.item_id = i.id and u.is_main where i.product_id = $1`, [TV])
    ).rows[0].upc;
    const { createReceipt } = await clerk.data(`mutation($i: CreateReceiptInput!) { createReceipt(input: $i) { receipt { id } } }`, {
      i: { storeId: S.S001, kind: 'BLIND' },
    });
    const serial = `RCVD-${Date.now()}`;
    await clerk.data(`mutation($i: ScanReceiptInput!) { scanReceipt(input: $i) { results { outcome } } }`, {
      i: { receiptId: createReceipt.receipt.id, input: `${tv}\n${serial}` },
    });
    const started = Date.now();
    await clerk.data(`mutation($i: ReceiptActionInput!) { postReceipt(input: $i) { userErrors { code } } }`, {
      i: { receiptId: createReceipt.receipt.id },
    });
    const [row] = (await onHand({ upc: tv })).filter((r) => r.serial === serial);
    expect(Math.abs(new Date(row!.receivedAt).getTime() - started)).toBeLessThan(60_000);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await onHand({ receivedFrom: yesterday, storeIds: [S.S001] })).map((r) => r.serial)).toContain(serial);
  });
});

describe('REP-3 trace and REP-4 document inquiry', () => {
  it('REP-3: a serial shared by two items gives both units, where each is now and every event oldest first', async () => {
    const units = (await admin.data(TRACE, { serial: ' rpt-0001 ' })).serialTrace;
    expect(units.map((u: Row) => [u.productId, u.state, u.storeCode])).toEqual([
      [GUN, 'IN_STOCK', 'S004'],
      [TV, 'SOLD', null],
    ]);
    expect(units[1].events.map((e: Row) => `${e.type} ${e.source} → ${e.destination}`)).toEqual([
      'RECEIVING Northwind Electronics → S001',
      'SALE S001 → Smith "The Hammer", Jr.',
    ]);
    const one = (await admin.data(TRACE, { serial: 'RPT-0001', itemId: fx.U1!.itemId })).serialTrace;
    expect(one.map((u: Row) => u.unitId)).toEqual([fx.U1!.unitId]);
    expect((await admin.data(TRACE, { serial: 'NO-SUCH-SERIAL' })).serialTrace).toEqual([]);
  });

  it('REP-3: a transferred unit: received, shipped, received at the other store', async () => {
    const [u] = (await admin.data(TRACE, { serial: 'RPT-0002' })).serialTrace;
    expect(u).toMatchObject({ state: 'IN_STOCK', storeCode: 'S001', transferNumber: null });
    expect(u.events.map((e: Row) => `${e.type} ${e.storeCode}`)).toEqual(['RECEIVING S002', 'TRANSFER_OUT S002', 'TRANSFER_IN S001']);
  });

  it("SEC-2: a clerk traces units that touched their store, and sees only that store's side", async () => {
    const [u] = (await clerk.data(TRACE, { serial: 'RPT-0002' })).serialTrace;
    expect(u.events.map((e: Row) => e.type)).toEqual(['TRANSFER_OUT', 'TRANSFER_IN']);
    expect((await clerk.data(TRACE, { serial: 'RPT-0003' })).serialTrace).toEqual([]);
    expect((await clerk.data(TRACE, { serial: 'RPT-0001' })).serialTrace.map((x: Row) => x.productId)).toEqual([TV]);
  });

  it('REP-4: the serials of a posted document, from the ledger', async () => {
    const transfer = (await admin.data(DOCUMENT, { kind: 'transfer', number: 'trf-t9001' })).documentSerials;
    expect(transfer).toMatchObject({ kind: 'TRANSFER', number: 'TRF-T9001' });
    expect(transfer.rows.map((r: Row) => `${r.serial} ${r.type} ${r.storeCode}`)).toEqual([
      'RPT-0002 TRANSFER_OUT S002',
      'RPT-0002 TRANSFER_IN S001',
    ]);
    const receipt = (await t.db.query(`select number from receipt where store_id = $1 and kind = 'ASN' and status = 'POSTED'`, [S.S001]))
      .rows[0].number;
    const rows = (await admin.data(DOCUMENT, { kind: 'RECEIPT', number: receipt })).documentSerials.rows;
    expect(rows.length).toBe(
      Number(
        (await t.db.query(`select count(*) from stock_event where document_number = $1 and serial is not null`, [receipt])).rows[0].count,
      ),
    );
    expect(rows.length).toBeGreaterThan(10);
  });

  it('REP-3: an item id that is not an id is refused, not ignored; so is a NUL in the serial', async () => {
    expect((await admin.request(TRACE, { serial: 'RPT-0001', itemId: 'abc' })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'itemId',
    });
    expect((await admin.request(TRACE, { serial: 'RPT\u00000001' })).errors?.[0]).toMatchObject({
      message: 'Text cannot contain the NUL character (\\0).',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('REP-4: an unknown kind is BAD_USER_INPUT listing the kinds; a NUL in the number is BAD_USER_INPUT', async () => {
    const res = await admin.request(DOCUMENT, { kind: 'FOO', number: 'X' });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kind' });
    expect(res.errors?.[0]?.message).toContain('RECEIPT, TRANSFER, SALE, RETURN, ADJUSTMENT, COUNT, RTV');
    expect(await admin.errorCode(DOCUMENT, { kind: 'RECEIPT', number: 'RCV\u0000' })).toBe('BAD_USER_INPUT');
  });

  it('REP-4: an unknown document is NOT_FOUND; another store’s is STORE_OUT_OF_SCOPE', async () => {
    expect(await admin.errorCode(DOCUMENT, { kind: 'RECEIPT', number: 'RCV-999999' })).toBe('NOT_FOUND');
    expect(await clerk.errorCode(DOCUMENT, { kind: 'RECEIPT', number: fx.U3!.numbers[0] })).toBe('STORE_OUT_OF_SCOPE');
    expect((await clerk.data(DOCUMENT, { kind: 'TRANSFER', number: 'TRF-T9001' })).documentSerials.rows).toHaveLength(2);
    expect((await viewer.data(DOCUMENT, { kind: 'RTV', number: fx.U3!.numbers[1] })).documentSerials.rows.map((r: Row) => r.type)).toEqual([
      'RETURN_TO_VENDOR',
    ]);
  });
});
