/**
 * receiving (issue 4): posting receipts through the GraphQL API beside hand-written SQL doing the
 * same inserts and updates in one transaction (target: ≤ 2× the SQL), scan answer latency with
 * many clerks at once (target: p99 under 25 ms), and peak memory during the big post.
 *
 * Two receipts, each received through the API as a clerk would, at S001, blind:
 *   - "10k":   one ALWAYS item, `--serials` serials (10,000) pasted in one scanReceipt call with
 *              the item as currentItemId;
 *   - "lines": `--lines` ALWAYS items × `--per-line` serials (1,000 × 10), pasted as each item's
 *              UPC followed by its serials, in calls of at most 10,000 entries, split between
 *              items.
 * Scans use the receiving console's ScanReceipt document (answers + receipt progress). Then
 * postReceipt (selection: receipt id and status, userErrors) is timed on its own, with the
 * process's RSS sampled every 10 ms (the server runs in this process).
 *
 * The SQL side does the same on its own receipt, items and fresh serials: registration in one
 * statement (UPC → current item, policy, duplicate and in-stock-elsewhere checks, lines and
 * received quantities, one answer per entry), and the post in one transaction (the blockers
 * check of RCV-3, then one statement: units inserted, stock levels upserted, ledger rows
 * inserted, receipt POSTED; the ledger doorbell). Sides alternate per `--rounds`.
 *
 * Scan latency: `--clerks` demo-like clerks (32, one session each) each scan into their own
 * blind receipt on a second server started as its own process (as `pnpm start` runs it; its RSS
 * is `scan_one_peak_rss_mb`), one serial per call (the console's ScanReceipt document, with a client key as
 * the console sends), beside the same
 * single-scan registration as one SQL statement (receipt locked, checks, insert, line update) on
 * a pool of `--clerks` connections; interleaved in `--slices`, `--duration` s per side, twice:
 *   - paced (the headline figures, `scan_one_…`): after each answer a clerk waits 0.5–1.5 ×
 *     `--think-ms` (500 ms: two scans a second each, a brisk scanner pace), so the latency is
 *     the answer time under 32 clerks' load rather than the queue;
 *   - back to back (`scan_saturated_…`): no pause, a closed loop: throughput, and latency that
 *     is mostly queueing (p50 ≈ clerks ÷ throughput).
 *
 * At the end the stock invariants of test/support/invariants.ts are checked.
 *
 *   pnpm bench receiving [--serials 10000] [--lines 1000] [--per-line 10] [--rounds 1]
 *                        [--clerks 32] [--think-ms 500] [--duration 8] [--warmup 1] [--slices 2]
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import { invariantViolations } from '../support/invariants.js';
import {
  BenchFailure,
  benchDatabase,
  benchFlags,
  benchPool,
  environment,
  insertBenchItems,
  interleavedLoad,
  quiesce,
  report,
  settleDatabase,
  runBench,
  sampleRss,
  startBenchServer,
  startBenchServerProcess,
  timingSummary,
  warmUp,
  withPeakProcessRss,
  withPeakRss,
  type GraphQLClient,
} from './support.js';

const MAX_ENTRIES = 10_000;

// The receiving console's documents (web/src/modules/receiving/receiving.graphql).
const USER_ERROR = `fragment ReceivingUserError on UserError { code field message index }`;
const SUMMARY = `fragment ReceiptSummary on Receipt { id number kind status asnReference store { id code name timeZone } vendor { id name } createdAt postedAt }`;
const PROGRESS = `${USER_ERROR} ${SUMMARY}
fragment ReceiptLineProgress on ReceiptLine {
  id lineNo item { id productId name mainUpc policy { level serialPattern } } expectedQuantity receivedQuantity scannedCount variance
}
fragment ReceiptProgress on Receipt {
  ...ReceiptSummary note createdBy { id displayName } postedBy { id displayName } lines { ...ReceiptLineProgress } postBlockers { ...ReceivingUserError }
}`;
const CREATE = `mutation CreateReceipt($input: CreateReceiptInput!) {
  createReceipt(input: $input) { receipt { ...ReceiptSummary } userErrors { ...ReceivingUserError } }
} ${USER_ERROR} ${SUMMARY}`;
const SCAN = `mutation ScanReceipt($input: ScanReceiptInput!) {
  scanReceipt(input: $input) {
    results { index input outcome accepted message itemId lineId serial storeCode lineScanned lineExpected }
    currentItemId receipt { ...ReceiptProgress } userErrors { ...ReceivingUserError }
  }
} ${PROGRESS}`;
const POST = `mutation PostReceipt($input: ReceiptActionInput!) {
  postReceipt(input: $input) { receipt { id status } userErrors { code field message index } }
}`;

interface ScanResponse {
  scanReceipt: {
    results: { outcome: string; accepted: boolean; message: string }[];
    currentItemId: string | null;
    receipt: { lines: { scannedCount: number }[] } | null;
    userErrors: { code: string; message: string }[];
  };
}

/**
 * Registration by hand: entries in order; a UPC selects its item for the entries after it
 * (before any UPC: $3, the current item); serials of serialized items that are not already on
 * the receipt, in stock or in transit are registered (once per paste), lines created with their
 * received quantities (the receipt is new, as on the API side); one answer per entry.
 */
const SQL_REGISTER = `
with e as (select entry, n, upper(btrim(entry)) as key from unnest($2::text[]) with ordinality as t(entry, n)),
c as (select e.*, u.item_id as upc_item from e left join item_upc u on u.upc = e.key),
g as (select c.*, count(c.upc_item) over (order by c.n) as grp from c),
a as (select g.*, coalesce(max(g.upc_item) over (partition by g.grp), $3::int) as item_id from g),
pol as materialized (select p.item_id from item_policy p where p.level <> 'NEVER' and p.item_id in (select item_id from a)),
s as (select distinct on (a.item_id, a.key) a.item_id, btrim(a.entry) as serial, a.key, a.n
      from a join pol on pol.item_id = a.item_id
      where a.upc_item is null and length(a.key) between 1 and 64
        and not exists (select 1 from serial_unit u where u.item_id = a.item_id and u.serial_key = a.key and u.state in ('IN_STOCK', 'IN_TRANSIT'))
        and not exists (select 1 from receipt_scan r where r.receipt_id = $1 and r.item_id = a.item_id and r.serial_key = a.key)
      order by a.item_id, a.key, a.n),
cnt as (select item_id, count(*)::int as n from s group by item_id),
lines as (insert into receipt_line (receipt_id, line_no, item_id, received_quantity)
          select $1, (select coalesce(max(line_no), 0) from receipt_line where receipt_id = $1) + row_number() over (order by f.first_n), f.item_id, coalesce(cnt.n, 0)
          from (select item_id, min(n) as first_n from a where item_id is not null group by item_id) f left join cnt using (item_id)
          returning id, item_id),
ins as (insert into receipt_scan (receipt_id, line_id, item_id, serial, serial_key, scanned_by)
        select $1, l.id, s.item_id, s.serial, s.key, $4 from s join lines l using (item_id) order by s.n
        returning 1)
select a.n, case when a.upc_item is not null then 'ITEM_SELECTED' when s.n is not null then 'ACCEPTED' else 'REFUSED' end as outcome,
       (select count(*) from ins) as registered
from a left join s on s.n = a.n
order by a.n`;

/** RCV-3 blockers by hand: lines whose serial count does not fit the item's level. */
const SQL_BLOCKERS = `
select l.id from receipt_line l join item_policy p on p.item_id = l.item_id
left join (select line_id, count(*)::int as n from receipt_scan where receipt_id = $1 group by 1) s on s.line_id = l.id
where l.receipt_id = $1 and ((p.level = 'ALWAYS' and coalesce(s.n, 0) <> l.received_quantity)
   or (p.level = 'SOMETIMES' and coalesce(s.n, 0) > l.received_quantity) or (p.level = 'NEVER' and coalesce(s.n, 0) > 0))`;

/** The post by hand: units, stock levels, ledger, receipt status, in one statement. */
const SQL_POST = `
with s as (select item_id, serial, serial_key from receipt_scan where receipt_id = $1),
u as (insert into serial_unit as u (item_id, serial, serial_key, state, store_id)
      select item_id, serial, serial_key, 'IN_STOCK', $2 from s order by item_id, serial_key
      on conflict (item_id, serial_key) do update set state = excluded.state, store_id = excluded.store_id, transfer_id = null,
        serial = excluded.serial, updated_at = now()
      where u.state not in ('IN_STOCK', 'IN_TRANSIT')
      returning u.id, u.item_id, u.serial),
lv as (insert into stock_level as l (item_id, store_id, quantity)
       select item_id, $2, count(*) from u group by item_id order by item_id
       on conflict (item_id, store_id) do update set quantity = l.quantity + excluded.quantity
       returning 1),
ev as (insert into stock_event (type, item_id, unit_id, serial, quantity, store_id, destination_store_id, document_kind, document_id, document_number, user_id)
       select 'RECEIVING', item_id, id, serial, 1, $2, $2, 'RECEIPT', $1, $3, $4 from u
       returning 1),
r as (update receipt set status = 'POSTED', posted_by = $4, posted_at = now() where id = $1 and status = 'OPEN' returning 1)
select (select count(*)::int from s) as scans, (select count(*)::int from u) as units, (select count(*)::int from lv) as levels,
       (select count(*)::int from ev) as events, (select count(*)::int from r) as receipts`;

/** One scan by hand: the receipt locked and open, the checks, the registration and the line's new count. */
const SQL_SCAN_ONE = `
with r as (select id from receipt where id = $1 and status = 'OPEN' for update),
k as (select btrim($2) as serial, upper(btrim($2)) as key),
ok as (select k.* from k, r, item_policy p
       where p.item_id = $3 and p.level <> 'NEVER' and length(k.key) between 1 and 64
         and not exists (select 1 from serial_unit u where u.item_id = $3 and u.serial_key = k.key and u.state in ('IN_STOCK', 'IN_TRANSIT'))),
ins as (insert into receipt_scan (receipt_id, line_id, item_id, serial, serial_key, scanned_by)
        select $1, $4, $3, ok.serial, ok.key, $5 from ok on conflict do nothing returning line_id),
upd as (update receipt_line l set received_quantity = l.received_quantity + 1 where l.id in (select line_id from ins) returning l.received_quantity)
select (select count(*)::int from ins) as accepted, (select received_quantity from upd) as line_scanned`;

await runBench(async () => {
  const args = benchFlags(
    { serials: 10_000, lines: 1_000, 'per-line': 10, rounds: 1, clerks: 32, 'think-ms': 500, duration: 8, warmup: 1, slices: 2 },
    {
      integers: ['serials', 'lines', 'per-line', 'rounds', 'clerks', 'slices'],
      min: { serials: 1, lines: 1, 'per-line': 1, rounds: 1, clerks: 1, 'think-ms': 0, duration: 0.1, slices: 1 },
    },
  );
  if (args.serials > MAX_ENTRIES) throw new BenchFailure(`--serials: one scanReceipt call takes at most ${MAX_ENTRIES} entries`);
  if (args['per-line'] + 1 > MAX_ENTRIES)
    throw new BenchFailure(`--per-line: an item's UPC and serials must fit one call of ${MAX_ENTRIES} entries`);
  const perLine = args['per-line'];
  const db = await benchDatabase();
  const server = await startBenchServer(db.url);
  const sql = benchPool(db.url, 4);
  const clerk = server.client(await server.signIn('clerk'));

  // ---- set-up: ALWAYS items under OLED TVs (Electronics is ALWAYS), separate per side and round
  const { rows: ids } = await sql.query<{ store: number; sub: number; clerk: number }>(
    `select (select id from store where code = 'S001') as store, (select id from classification where code = 'ELEC-TV-OLED') as sub,
            (select id from app_user where username = 'clerk') as clerk`,
  );
  const { store: storeId, sub: subId, clerk: clerkId } = ids[0]!;
  const perSide = args.rounds * (1 + args.lines);
  console.log(`set-up: ${2 * perSide + args.clerks} ALWAYS items …`);
  const allItems = await insertBenchItems(sql, {
    count: 2 * perSide + args.clerks,
    prefix: 'BRCV',
    upcPrefix: '8',
    subcategoryIds: [subId],
    maxAdditional: 0,
  });
  await sql.query('analyze item; analyze item_upc');
  const upcOf = new Map(
    (
      await sql.query<{ item_id: number; upc: string }>(`select item_id, upc from item_upc where item_id = any($1::int[]) and is_main`, [
        allItems,
      ])
    ).rows.map((r) => [r.item_id, r.upc]),
  );
  const levels = (
    await sql.query<{ level: string }>(`select distinct level from item_policy where item_id = any($1::int[])`, [allItems])
  ).rows.map((r) => r.level);
  if (levels.join() !== 'ALWAYS') throw new BenchFailure(`bench items are not all ALWAYS: ${levels.join()}`);
  const itemsFor = (side: 0 | 1, round: number) => {
    const base = side * perSide + round * (1 + args.lines);
    return { single: allItems[base]!, lines: allItems.slice(base + 1, base + 1 + args.lines) };
  };

  const serialsOf = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}-${String(i + 1).padStart(7, '0')}`);
  /** Entries for the multi-line paste: each item's UPC, then its serials. */
  const lineEntries = (tag: string, items: number[]) => items.map((id, k) => [upcOf.get(id)!, ...serialsOf(`${tag}L${k + 1}`, perLine)]);
  /** Splits per-item groups into pastes of at most MAX_ENTRIES entries, between items. */
  const chunked = (groups: string[][]) => {
    const out: string[][] = [];
    let cur: string[] = [];
    for (const g of groups) {
      if (cur.length + g.length > MAX_ENTRIES) {
        out.push(cur);
        cur = [];
      }
      cur.push(...g);
    }
    if (cur.length) out.push(cur);
    return out;
  };

  // ---- GraphQL side
  const createReceipt = async (c: GraphQLClient, note: string) => {
    const r = await c.data<{ createReceipt: { receipt: { id: string } | null; userErrors: unknown[] } }>(CREATE, {
      input: { storeId: String(storeId), kind: 'BLIND', note },
    });
    if (!r.createReceipt.receipt) throw new BenchFailure(`createReceipt: ${JSON.stringify(r.createReceipt.userErrors)}`);
    return r.createReceipt.receipt.id;
  };
  const scanPaste = async (
    c: GraphQLClient,
    receiptId: string,
    entries: string[],
    currentItemId: number | null,
    expectAccepted: number,
  ) => {
    const r = await c.data<ScanResponse>(SCAN, {
      input: { receiptId, input: entries.join('\n'), currentItemId: currentItemId == null ? null : String(currentItemId) },
    });
    const s = r.scanReceipt;
    if (s.userErrors.length) throw new BenchFailure(`scanReceipt: ${JSON.stringify(s.userErrors)}`);
    const accepted = s.results.filter((x) => x.outcome === 'ACCEPTED').length;
    if (s.results.length !== entries.length || accepted !== expectAccepted) {
      const refused = s.results.find((x) => !x.accepted);
      throw new BenchFailure(
        `scanReceipt: ${accepted} of ${expectAccepted} serials accepted (${s.results.length} answers), e.g. ${refused?.outcome}: ${refused?.message}`,
      );
    }
  };
  const graphqlRound = async (kind: 'single' | 'lines', round: number) => {
    const items = itemsFor(0, round);
    const receiptId = await createReceipt(clerk, `bench ${kind} ${round}`);
    const pastes =
      kind === 'single'
        ? [{ entries: serialsOf(`G${round}S`, args.serials), current: items.single as number | null, accepted: args.serials }]
        : chunked(lineEntries(`G${round}`, items.lines)).map((entries) => ({
            entries,
            current: null,
            accepted: entries.length - entries.filter((e) => /^8\d{11}$/.test(e)).length,
          }));
    const units = pastes.reduce((n, p) => n + p.accepted, 0);
    await quiesce(sql);
    const t0 = performance.now();
    const { peakRssMb: scanPeak } = await withPeakRss(async () => {
      for (const p of pastes) await scanPaste(clerk, receiptId, p.entries, p.current, p.accepted);
    }, 10);
    const scanMs = performance.now() - t0;
    await quiesce(sql);
    // RSS from the request until the server is quiet again: the realtime hub reads the new
    // ledger rows right after the commit, and that belongs to the post too.
    const rss = sampleRss(10);
    const t1 = performance.now();
    const result = await clerk.data<{ postReceipt: { receipt: { status: string } | null; userErrors: unknown[] } }>(POST, {
      input: { receiptId },
    });
    const postMs = performance.now() - t1;
    await quiesce(sql);
    const { peakRssMb, startRssMb } = rss.stop();
    if (result.postReceipt.userErrors.length || result.postReceipt.receipt?.status !== 'POSTED')
      throw new BenchFailure(`postReceipt: ${JSON.stringify(result.postReceipt)}`);
    const n = (
      await sql.query(
        `select count(*)::int as n from serial_unit u join receipt_scan s using (item_id, serial_key) where s.receipt_id = $1 and u.state = 'IN_STOCK'`,
        [receiptId],
      )
    ).rows[0].n;
    if (n !== units) throw new BenchFailure(`after the post ${n} of ${units} units are in stock`);
    return { scanMs, postMs, calls: pastes.length, units, scanPeak, postPeak: peakRssMb, postStart: startRssMb };
  };

  // ---- SQL side
  const sqlReceipt = async (note: string) =>
    (
      await sql.query<{ id: number; number: string }>(
        `insert into receipt (number, kind, store_id, note, created_by) values ('RCV-' || lpad(nextval('receipt_number_seq')::text, 6, '0'), 'BLIND', $1, $2, $3) returning id, number`,
        [storeId, note, clerkId],
      )
    ).rows[0]!;
  const inTx = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await sql.connect();
    try {
      await c.query('begin');
      const r = await fn(c);
      await c.query('commit');
      return r;
    } catch (e) {
      await c.query('rollback').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  };
  const sqlRound = async (kind: 'single' | 'lines', round: number) => {
    const items = itemsFor(1, round);
    const receipt = await sqlReceipt(`bench sql ${kind} ${round}`);
    const pastes =
      kind === 'single'
        ? [{ entries: serialsOf(`Q${round}S`, args.serials), current: items.single as number | null }]
        : chunked(lineEntries(`Q${round}`, items.lines)).map((entries) => ({ entries, current: null }));
    const units = kind === 'single' ? args.serials : args.lines * perLine;
    // The API receipt is new when its first paste arrives; so is this one. Later pastes (the
    // multi-line case) only bring new items, so inserting their lines is right here too.
    await quiesce(sql);
    const t0 = performance.now();
    let registered = 0;
    for (const p of pastes) {
      const { rows } = await inTx((c) => c.query(SQL_REGISTER, [receipt.id, p.entries, p.current, clerkId]));
      if (rows.length !== p.entries.length)
        throw new BenchFailure(`SQL registration answered ${rows.length} of ${p.entries.length} entries`);
      registered += Number(rows[0]?.registered ?? 0);
    }
    const scanMs = performance.now() - t0;
    if (registered !== units) throw new BenchFailure(`SQL registration: ${registered} of ${units} serials registered`);
    await quiesce(sql);
    const t1 = performance.now();
    const r = await inTx(async (c) => {
      await c.query(`select id from receipt where id = $1 and status = 'OPEN' for update`, [receipt.id]);
      const blockers = await c.query(SQL_BLOCKERS, [receipt.id]);
      if (blockers.rowCount) throw new BenchFailure(`SQL post: ${blockers.rowCount} blocked lines`);
      const { rows } = await c.query(SQL_POST, [receipt.id, storeId, receipt.number, clerkId]);
      if (rows[0].units !== rows[0].scans || rows[0].receipts !== 1)
        throw new BenchFailure(`SQL post conflict: ${JSON.stringify(rows[0])}`);
      await c.query(`select pg_notify('stock_event', '')`);
      return rows[0];
    });
    const postMs = performance.now() - t1;
    if (r.units !== units || r.events !== units) throw new BenchFailure(`SQL post: ${JSON.stringify(r)} for ${units} serials`);
    return { scanMs, postMs, calls: pastes.length, units };
  };

  const loadAvg = os.loadavg()[0]!;
  const results: Record<'single' | 'lines', { g: Awaited<ReturnType<typeof graphqlRound>>[]; s: Awaited<ReturnType<typeof sqlRound>>[] }> =
    {
      single: { g: [], s: [] },
      lines: { g: [], s: [] },
    };
  for (const kind of ['single', 'lines'] as const) {
    for (let round = 0; round < args.rounds; round++) {
      const label = kind === 'single' ? `1 × ${args.serials}` : `${args.lines} × ${perLine}`;
      for (const side of round % 2 === 0 ? (['g', 's'] as const) : (['s', 'g'] as const)) {
        if (side === 'g') {
          const r = await graphqlRound(kind, round);
          results[kind].g.push(r);
          console.log(
            `receipt ${label}, round ${round + 1}, GraphQL: scans ${r.scanMs.toFixed(0)} ms in ${r.calls} call(s), post ${r.postMs.toFixed(0)} ms, peak RSS ${r.postPeak.toFixed(0)} MiB`,
          );
        } else {
          const r = await sqlRound(kind, round);
          results[kind].s.push(r);
          console.log(
            `receipt ${label}, round ${round + 1}, SQL:     registration ${r.scanMs.toFixed(0)} ms in ${r.calls} statement(s), post ${r.postMs.toFixed(0)} ms`,
          );
        }
      }
    }
  }
  const med = (xs: number[]) => timingSummary(xs).p50;

  // ---- scan answer latency: N clerks, N receipts, one serial per call
  console.log(`scan latency: ${args.clerks} clerks …`);
  await sql.query(
    `with u as (insert into app_user (username, display_name, password_hash, role)
                select 'benchclerk' || lpad(n::text, 3, '0'), 'Bench Clerk ' || n, c.password_hash, 'CLERK'
                from generate_series(1, $1::int) n, (select password_hash from app_user where username = 'clerk') c returning id)
     insert into user_store (user_id, store_id) select id, $2 from u`,
    [args.clerks, storeId],
  );
  const clerkItems = allItems.slice(2 * perSide);
  // The clerks scan into a server of its own process, as `pnpm start` runs it: the clerks'
  // HTTP clients here are not on the server's event loop (in a shop they are browsers).
  const latServer = await startBenchServerProcess(db.url);
  const clerks = await Promise.all(
    Array.from({ length: args.clerks }, async (_, w) => {
      const client = latServer.client(await latServer.signIn(`benchclerk${String(w + 1).padStart(3, '0')}`));
      const receiptId = await createReceipt(client, `bench scan latency ${w + 1}`);
      return { client, receiptId, itemId: String(clerkItems[w]!) };
    }),
  );
  const sqlClerks: { receiptId: number; lineId: number; itemId: number }[] = [];
  for (let w = 0; w < args.clerks; w++) {
    const receipt = await sqlReceipt(`bench sql scan latency ${w + 1}`);
    const { rows } = await sql.query(`insert into receipt_line (receipt_id, line_no, item_id) values ($1, 1, $2) returning id`, [
      receipt.id,
      clerkItems[w],
    ]);
    sqlClerks.push({ receiptId: receipt.id, lineId: rows[0].id as number, itemId: clerkItems[w]! });
  }
  const scanPool = benchPool(db.url, args.clerks);
  let serialNo = 0;
  const gqlScan = async ({ worker, signal }: { worker: number; signal: AbortSignal }) => {
    const c = clerks[worker]!;
    const serial = `LAT-G-${++serialNo}`;
    const r = await c.client.data<ScanResponse>(
      SCAN,
      // With a client key, as the console sends every scan (DOC-1).
      { input: { receiptId: c.receiptId, input: serial, currentItemId: c.itemId, clientKey: randomUUID() } },
      signal,
    );
    const a = r.scanReceipt.results[0];
    if (a?.outcome !== 'ACCEPTED')
      throw new Error(`scan ${serial}: ${a?.outcome} ${a?.message} ${JSON.stringify(r.scanReceipt.userErrors)}`);
  };
  const sqlScan = async ({ worker }: { worker: number }) => {
    const c = sqlClerks[worker]!;
    const serial = `LAT-Q-${++serialNo}`;
    const { rows } = await scanPool.query(SQL_SCAN_ONE, [c.receiptId, serial, c.itemId, c.lineId, clerkId]);
    if (rows[0]?.accepted !== 1) throw new Error(`SQL scan ${serial}: ${JSON.stringify(rows[0])}`);
  };
  // The posts above left dirty pages and autovacuum work behind; let them finish first, so a
  // checkpoint or a vacuum of the bulk-loaded tables does not land in one side's measurement.
  console.log(`  settled the database in ${Math.round(await settleDatabase(sql))} ms (checkpoint, autovacuum)`);
  await warmUp({ concurrency: args.clerks, fn: gqlScan }, args.warmup);
  await warmUp({ concurrency: args.clerks, fn: sqlScan }, args.warmup);
  await quiesce(sql);
  const scanLoadAvg = os.loadavg()[0]!;
  const latency = (thinkMs: number) =>
    withPeakProcessRss(latServer.pid, () =>
      interleavedLoad({
        concurrency: args.clerks,
        durationMs: args.duration * 1000,
        slices: args.slices,
        thinkMs,
        sides: [
          { name: 'graphql', fn: gqlScan },
          { name: 'sql', fn: sqlScan },
        ],
      }),
    );
  console.log(
    `  paced: each clerk scans, then waits ${args['think-ms'] / 2}–${(args['think-ms'] * 3) / 2} ms, ${args.duration} s per side …`,
  );
  const { result: lat, peakRssMb: latPeak } = await latency(args['think-ms']);
  const lg = lat.graphql!;
  const ls = lat.sql!;
  await quiesce(sql);
  console.log(`  back to back (no pause), ${args.duration} s per side …`);
  const { result: sat } = await latency(0);
  const sg = sat.graphql!;
  const ss = sat.sql!;
  await latServer.stop();

  const violations = await invariantViolations(sql);
  for (const v of violations.slice(0, 5)) console.error(`invariant: ${v}`);

  const G = (k: 'single' | 'lines', f: 'scanMs' | 'postMs') => med(results[k].g.map((r) => r[f]));
  const S = (k: 'single' | 'lines', f: 'scanMs' | 'postMs') => med(results[k].s.map((r) => r[f]));
  report(
    'receiving',
    {
      serials_10k_receipt: args.serials,
      lines: args.lines,
      serials_per_line: perLine,
      rounds: args.rounds,
      clerks: args.clerks,
      scan_duration_s: args.duration,
      scan_think_ms: args['think-ms'],
      scan_slices: args.slices,
      warmup_s: args.warmup,
      load_avg_1m_at_start: Math.round(loadAvg * 100) / 100,
      load_avg_1m_at_scan_phase: Math.round(scanLoadAvg * 100) / 100,
      // Since this session the scan latency is measured against a separate server process.
      server: 'in-process; scan latency: separate process',
      ...environment(db),
    },
    {
      post_10k_graphql_ms: G('single', 'postMs'),
      post_10k_sql_ms: S('single', 'postMs'),
      post_10k_vs_sql: G('single', 'postMs') / S('single', 'postMs'),
      post_10k_peak_rss_mb: Math.max(...results.single.g.map((r) => r.postPeak)),
      post_10k_start_rss_mb: Math.min(...results.single.g.map((r) => r.postStart)),
      post_lines_graphql_ms: G('lines', 'postMs'),
      post_lines_sql_ms: S('lines', 'postMs'),
      post_lines_vs_sql: G('lines', 'postMs') / S('lines', 'postMs'),
      scan_10k_graphql_ms: G('single', 'scanMs'),
      scan_10k_sql_ms: S('single', 'scanMs'),
      scan_10k_vs_sql: G('single', 'scanMs') / S('single', 'scanMs'),
      scan_10k_peak_rss_mb: Math.max(...results.single.g.map((r) => r.scanPeak)),
      scan_lines_graphql_ms: G('lines', 'scanMs'),
      scan_lines_sql_ms: S('lines', 'scanMs'),
      scan_lines_vs_sql: G('lines', 'scanMs') / S('lines', 'scanMs'),
      scan_lines_calls: results.lines.g[0]!.calls,
      scan_one_graphql_per_s: lg.perSecond,
      scan_one_graphql_p50_ms: lg.p50,
      scan_one_graphql_p99_ms: lg.p99,
      scan_one_graphql_max_ms: lg.max,
      scan_one_graphql_errors: lg.errors,
      scan_one_sql_per_s: ls.perSecond,
      scan_one_sql_p50_ms: ls.p50,
      scan_one_sql_p99_ms: ls.p99,
      scan_one_sql_errors: ls.errors,
      scan_one_p50_vs_sql: lg.p50 / ls.p50,
      scan_one_p99_vs_sql: lg.p99 / ls.p99,
      scan_one_peak_rss_mb: latPeak,
      scan_saturated_graphql_per_s: sg.perSecond,
      scan_saturated_graphql_p50_ms: sg.p50,
      scan_saturated_graphql_p99_ms: sg.p99,
      scan_saturated_graphql_errors: sg.errors,
      scan_saturated_sql_per_s: ss.perSecond,
      scan_saturated_sql_p50_ms: ss.p50,
      scan_saturated_sql_p99_ms: ss.p99,
      scan_saturated_sql_errors: ss.errors,
      scan_saturated_throughput_vs_sql: ss.perSecond / sg.perSecond,
      invariant_violations: violations.length,
    },
  );
  console.log(
    `\nscan answer p99 ${lg.p99.toFixed(1)} ms with ${args.clerks} clerks pausing ~${args['think-ms']} ms between scans (target: under 25 ms); ` +
      `back to back: ${sg.perSecond.toFixed(0)} scans/s, p99 ${sg.p99.toFixed(1)} ms`,
  );
  const failed = [lg, ls, sg, ss].reduce((n, m) => n + m.errors, 0);
  const errors = [lg, ls, sg, ss].flatMap((m, i) => m.errorSamples.map((e) => `${['graphql', 'sql'][i % 2]}: ${e}`));
  if (failed) throw new BenchFailure(`${failed} scans failed, e.g.\n  ${errors.join('\n  ')}`);
  if (violations.length) throw new BenchFailure(`${violations.length} stock invariant violations`);
});
