/**
 * count (issue 6): closing a cycle count of 50,000 expected units against 50,000 scans (1%
 * missing, 1% unexpected). The variance computation, `countVariances` through GraphQL (the
 * counts console's selection), beside a hand-written SQL set difference (EXCEPT both ways) in one
 * statement that returns the same rows (target: ≤ 2× the SQL), with the process's RSS sampled
 * (target: flat server memory; the server runs in this process).
 *
 * Set-up, directly with SQL and consistent with the ledger (test/support/invariants.ts): a
 * classification tree of its own (department BENCH-CNT, ALWAYS, one category, 5 subcategories),
 * `--items` items (500) and `--units` units (50,000) IN_STOCK at S001, their stock levels and one
 * RECEIVING ledger row per unit. Then, through the API as the clerk: openCount for the
 * department; scanCount in pastes of at most 10,000 entries, each paste a new batch: 99% of the
 * units' serials (every 100th left out = missing) and 1% unknown serials (= unexpected), shuffled.
 * Timed: every scan paste; `--rounds` countVariances calls in turn with the SQL (and with a
 * second hand-written statement using anti-joins instead of EXCEPT: `…_antijoin_…`, ratio
 * `variances_p50_antijoin_vs_sql` = GraphQL ÷ that); closeCount (which answers with the
 * variances too; `close_vs_sql` is against the EXCEPT statement). Every answer is checked
 * against the truth.
 *
 *   pnpm bench count [--units 50000] [--items 500] [--rounds 10] [--warmup 1]
 */
import os from 'node:os';
import { invariantViolations } from '../support/invariants.js';
import {
  BenchFailure,
  benchDatabase,
  benchFlags,
  benchPool,
  environment,
  insertBenchItems,
  quiesce,
  report,
  runBench,
  sampleRss,
  startBenchServer,
  timingSummary,
  withPeakRss,
} from './support.js';

const MAX_ENTRIES = 10_000;

// The counts console's documents (web/src/modules/counts/counts.graphql).
const VARIANCE_FIELDS = `fragment CountVarianceFields on CountVariances {
  expected counted missing { itemId serial } unexpected { itemId serial state storeCode } quantities { itemId onHand counted }
}`;
const USER_ERROR = `fragment CountUserError on UserError { code field message index }`;
const COUNT_FIELDS = `fragment CycleCountFields on CycleCount { id number storeId status classificationId itemIds }`;
const OPEN = `mutation OpenCount($input: OpenCountInput!) {
  openCount(input: $input) { count { ...CycleCountFields } userErrors { ...CountUserError } }
} ${COUNT_FIELDS} ${USER_ERROR}`;
const SCAN = `mutation ScanCount($input: ScanCountInput!) {
  scanCount(input: $input) {
    results { index input outcome accepted message itemId serial storeCode } batchId batchNo currentItemId userErrors { ...CountUserError }
  }
} ${USER_ERROR}`;
const VARIANCES = `query CountVariances($id: ID!) { countVariances(id: $id) { ...CountVarianceFields } } ${VARIANCE_FIELDS}`;
const CLOSE = `mutation CloseCount($input: CountActionInput!) {
  closeCount(input: $input) { count { ...CycleCountFields } variances { ...CountVarianceFields } userErrors { ...CountUserError } }
} ${COUNT_FIELDS} ${VARIANCE_FIELDS} ${USER_ERROR}`;

interface Variances {
  expected: number;
  counted: number;
  missing: { itemId: string; serial: string }[];
  unexpected: { itemId: string; serial: string; state: string | null; storeCode: string | null }[];
  quantities: { itemId: string; onHand: number; counted: number }[];
}

/**
 * CNT-1 closing figures by hand, one statement: expected (units in stock here, in scope) and
 * counted as two sets, EXCEPT both ways; the serial as entered and where an unexpected unit is
 * believed to be; quantity variances of never-serialized (or quantity-counted) items in scope;
 * both totals. Scope: $2 = classification (any level) or $4 = item ids, as the count has it.
 */
const SQL_VARIANCES = `
with scope as (select i.id from item i
               where ($2::int is null and $4::int[] is null) or i.subcategory_id = $2 or i.category_id = $2 or i.department_id = $2 or i.id = any($4::int[])),
expected as (select u.item_id, u.serial_key from serial_unit u join scope on scope.id = u.item_id where u.store_id = $1 and u.state = 'IN_STOCK'),
counted as (select item_id, serial_key from count_scan where count_id = $3),
missing as (select * from expected except select * from counted),
unexpected as (select * from counted except select * from expected)
select 'M' as kind, m.item_id, u.serial, null::text as state, null::text as store_code, null::int as on_hand, null::int as n
from missing m join serial_unit u on u.item_id = m.item_id and u.serial_key = m.serial_key
union all
select 'U', x.item_id, s.serial, u.state, st.code, null, null
from unexpected x join count_scan s on s.count_id = $3 and s.item_id = x.item_id and s.serial_key = x.serial_key
left join serial_unit u on u.item_id = x.item_id and u.serial_key = x.serial_key left join store st on st.id = u.store_id
union all
select 'Q', q.item_id, null, null, null, q.on_hand, q.counted
from (select i.id as item_id,
        coalesce(l.quantity, 0) - (select count(*)::int from serial_unit u where u.item_id = i.id and u.store_id = $1 and u.state = 'IN_STOCK') as on_hand,
        coalesce(cq.quantity, 0) as counted
      from scope i join item_policy p on p.item_id = i.id
      left join stock_level l on l.item_id = i.id and l.store_id = $1
      left join count_quantity cq on cq.count_id = $3 and cq.item_id = i.id
      where p.level = 'NEVER' or cq.item_id is not null) q
where q.on_hand <> q.counted
union all
select 'T', null, null, null, null, (select count(*)::int from expected), (select count(*)::int from counted)`;

/**
 * The same figures with anti-joins (NOT EXISTS / outer join on the unique key) instead of
 * EXCEPT: the other way to write a set difference by hand, and the faster one here (no hashing
 * of both 50,000-row sets); reported beside the EXCEPT baseline so the ratio is not flattered.
 */
const SQL_VARIANCES_ANTI = `
with scope as (select i.id from item i
               where ($2::int is null and $4::int[] is null) or i.subcategory_id = $2 or i.category_id = $2 or i.department_id = $2 or i.id = any($4::int[]))
select 'M' as kind, u.item_id, u.serial, null::text as state, null::text as store_code, null::int as on_hand, null::int as n
from serial_unit u join scope on scope.id = u.item_id
where u.store_id = $1 and u.state = 'IN_STOCK'
  and not exists (select 1 from count_scan s where s.count_id = $3 and s.item_id = u.item_id and s.serial_key = u.serial_key)
union all
select 'U', s.item_id, s.serial, u.state, st.code, null, null
from count_scan s left join serial_unit u on u.item_id = s.item_id and u.serial_key = s.serial_key left join store st on st.id = u.store_id
where s.count_id = $3 and not (u.state is not distinct from 'IN_STOCK' and u.store_id is not distinct from $1)
union all
select 'Q', q.item_id, null, null, null, q.on_hand, q.counted
from (select i.id as item_id,
        coalesce(l.quantity, 0) - (select count(*)::int from serial_unit u where u.item_id = i.id and u.store_id = $1 and u.state = 'IN_STOCK') as on_hand,
        coalesce(cq.quantity, 0) as counted
      from scope i join item_policy p on p.item_id = i.id
      left join stock_level l on l.item_id = i.id and l.store_id = $1
      left join count_quantity cq on cq.count_id = $3 and cq.item_id = i.id
      where p.level = 'NEVER' or cq.item_id is not null) q
where q.on_hand <> q.counted
union all
select 'T', null, null, null, null,
  (select count(*)::int from serial_unit u join scope on scope.id = u.item_id where u.store_id = $1 and u.state = 'IN_STOCK'),
  (select count(*)::int from count_scan where count_id = $3)`;

await runBench(async () => {
  const args = benchFlags(
    { units: 50_000, items: 500, rounds: 10, warmup: 1 },
    { integers: ['units', 'items', 'rounds', 'warmup'], min: { units: 100, items: 1, rounds: 1 } },
  );
  const db = await benchDatabase();
  const server = await startBenchServer(db.url);
  const sql = benchPool(db.url, 4);
  const clerk = server.client(await server.signIn('clerk'));

  // ---- set-up
  const ctx = (
    await sql.query<{ store: number; admin: number }>(
      `select (select id from store where code = 'S001') as store, (select id from app_user where username = 'admin') as admin`,
    )
  ).rows[0]!;
  const { rows: tree } = await sql.query<{ id: number; level: string }>(
    `with d as (insert into classification (level, code, name, serial_level) values ('DEPARTMENT', 'BENCH-CNT', 'Bench count', 'ALWAYS') returning id),
          c as (insert into classification (level, parent_id, parent_level, code, name) select 'CATEGORY', d.id, 'DEPARTMENT', 'BENCH-CNT-C', 'Bench count category' from d returning id),
          s as (insert into classification (level, parent_id, parent_level, code, name)
                select 'SUBCATEGORY', c.id, 'CATEGORY', 'BENCH-CNT-S' || n, 'Bench count subcategory ' || n from c, generate_series(1, 5) n returning id)
     select id, 'DEPARTMENT' as level from d union all select id, 'SUBCATEGORY' from s`,
  );
  const departmentId = tree.find((t) => t.level === 'DEPARTMENT')!.id;
  const itemIds = await insertBenchItems(sql, {
    count: args.items,
    prefix: 'BCNT',
    upcPrefix: '7',
    subcategoryIds: tree.filter((t) => t.level === 'SUBCATEGORY').map((t) => t.id),
  });
  console.log(`set-up: ${args.units} units of ${args.items} items IN_STOCK at S001, with stock levels and ledger …`);
  const seeded = await sql.query(
    `with t as (select n, ($3::int[])[1 + (n - 1) % cardinality($3::int[])] as item_id from generate_series(1, $4::int) n),
     u as (insert into serial_unit (item_id, serial, serial_key, state, store_id)
           select item_id, 'CNT' || lpad(n::text, 8, '0'), 'CNT' || lpad(n::text, 8, '0'), 'IN_STOCK', $1 from t order by item_id, n
           returning id, item_id, serial),
     lv as (insert into stock_level (item_id, store_id, quantity) select item_id, $1, count(*) from u group by item_id returning 1),
     ev as (insert into stock_event (type, item_id, unit_id, serial, quantity, store_id, destination_store_id, document_kind, document_id, document_number, user_id, reason)
            select 'RECEIVING', item_id, id, serial, 1, $1, $1, 'BENCH', 0, 'BENCH-SEED', $2, 'count benchmark opening stock' from u returning 1)
     select (select count(*)::int from u) as units, (select count(*)::int from lv) as levels, (select count(*)::int from ev) as events`,
    [ctx.store, ctx.admin, itemIds, args.units],
  );
  if (seeded.rows[0].units !== args.units || seeded.rows[0].events !== args.units)
    throw new BenchFailure(`seeding: ${JSON.stringify(seeded.rows[0])}`);
  await sql.query('analyze');

  // The scans: 99% of the units (every 100th missing) and 1% unknown serials, shuffled.
  const serials = (
    await sql.query<{ serial: string; item_id: number }>(
      `select u.serial, u.item_id from serial_unit u join item i on i.id = u.item_id where i.department_id = $1 and u.store_id = $2 and u.state = 'IN_STOCK' order by u.serial_key`,
      [departmentId, ctx.store],
    )
  ).rows;
  const missingTruth = new Set(serials.filter((_, i) => i % 100 === 99).map((s) => s.serial));
  const unknown = Array.from({ length: missingTruth.size }, (_, i) => `UNK${String(i + 1).padStart(8, '0')}`);
  const entries = [...serials.filter((s) => !missingTruth.has(s.serial)).map((s) => s.serial), ...unknown];
  let seed = 42;
  for (let i = entries.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }

  const open = await clerk.data<{ openCount: { count: { id: string } | null; userErrors: unknown[] } }>(OPEN, {
    input: { storeId: String(ctx.store), classificationId: String(departmentId) },
  });
  if (!open.openCount.count) throw new BenchFailure(`openCount: ${JSON.stringify(open.openCount.userErrors)}`);
  const countId = open.openCount.count.id;

  const loadAvg = os.loadavg()[0]!;
  console.log(
    `scanning ${entries.length} serials (${missingTruth.size} left out, ${unknown.length} unknown) in pastes of ≤ ${MAX_ENTRIES} …`,
  );
  const scanMs: number[] = [];
  const scanRss = sampleRss(10);
  for (let i = 0; i < entries.length; i += MAX_ENTRIES) {
    const chunk = entries.slice(i, i + MAX_ENTRIES);
    await quiesce(sql);
    const t0 = performance.now();
    const r = await clerk.data<{ scanCount: { results: { outcome: string; message: string }[]; userErrors: unknown[] } }>(SCAN, {
      input: { countId, input: chunk.join('\n'), currentItemId: String(itemIds[0]) },
    });
    scanMs.push(performance.now() - t0);
    const refused = r.scanCount.results.filter((x) => x.outcome !== 'ACCEPTED');
    if (r.scanCount.userErrors.length || r.scanCount.results.length !== chunk.length || refused.length) {
      throw new BenchFailure(
        `scanCount: ${refused.length} of ${chunk.length} refused, e.g. ${refused[0]?.outcome} ${refused[0]?.message} ${JSON.stringify(r.scanCount.userErrors)}`,
      );
    }
  }
  const scanMem = scanRss.stop();
  await sql.query('analyze count_scan');

  // ---- variances: GraphQL vs SQL, alternating
  const countRow = (await sql.query(`select store_id, classification_id, item_ids from cycle_count where id = $1`, [countId])).rows[0];
  const sqlParams = [countRow.store_id, countRow.classification_id, Number(countId), countRow.item_ids];
  const gql = async () => (await clerk.data<{ countVariances: Variances }>(VARIANCES, { id: countId })).countVariances;
  const viaSql = async () => (await sql.query(SQL_VARIANCES, sqlParams)).rows;
  const viaAnti = async () => (await sql.query(SQL_VARIANCES_ANTI, sqlParams)).rows;

  const check = (label: string, v: { missing: string[]; unexpected: string[]; expected: number; counted: number }) => {
    const problems: string[] = [];
    if (v.expected !== args.units) problems.push(`expected ${v.expected}, not ${args.units}`);
    if (v.counted !== entries.length) problems.push(`counted ${v.counted}, not ${entries.length}`);
    if (v.missing.length !== missingTruth.size || v.missing.some((s) => !missingTruth.has(s)))
      problems.push(`missing ${v.missing.length}, not the ${missingTruth.size} left out`);
    const unk = new Set(unknown);
    if (v.unexpected.length !== unknown.length || v.unexpected.some((s) => !unk.has(s)))
      problems.push(`unexpected ${v.unexpected.length}, not the ${unknown.length} unknown`);
    if (problems.length) throw new BenchFailure(`${label}: ${problems.join('; ')}`);
  };
  const g0 = await gql();
  check('countVariances', {
    missing: g0.missing.map((m) => m.serial),
    unexpected: g0.unexpected.map((u) => u.serial),
    expected: g0.expected,
    counted: g0.counted,
  });
  if (g0.quantities.length) throw new BenchFailure(`countVariances: ${g0.quantities.length} quantity variances, expected none`);
  for (const [label, run] of [
    ['SQL (EXCEPT)', viaSql],
    ['SQL (anti-join)', viaAnti],
  ] as const) {
    const rows = await run();
    const total = rows.find((r) => r.kind === 'T')!;
    check(label, {
      missing: rows.filter((r) => r.kind === 'M').map((r) => r.serial),
      unexpected: rows.filter((r) => r.kind === 'U').map((r) => r.serial),
      expected: total.on_hand,
      counted: total.n,
    });
  }

  console.log(`variances: ${args.rounds} rounds each, GraphQL, SQL with EXCEPT and SQL with anti-joins in turn …`);
  for (let i = 0; i < args.warmup; i++) {
    await gql();
    await viaSql();
    await viaAnti();
  }
  const ms = { g: [] as number[], s: [] as number[], a: [] as number[] };
  let varPeak = 0;
  let varStart = Infinity;
  const sides = ['g', 's', 'a'] as const;
  for (let i = 0; i < args.rounds; i++) {
    for (const side of [...sides.slice(i % 3), ...sides.slice(0, i % 3)]) {
      await quiesce(sql);
      const t0 = performance.now();
      if (side === 'g') {
        const { result, peakRssMb, startRssMb } = await withPeakRss(gql, 10);
        ms.g.push(performance.now() - t0);
        varPeak = Math.max(varPeak, peakRssMb);
        varStart = Math.min(varStart, startRssMb);
        if (result.missing.length !== missingTruth.size) throw new BenchFailure(`countVariances: ${result.missing.length} missing`);
      } else {
        const rows = await (side === 's' ? viaSql : viaAnti)();
        ms[side].push(performance.now() - t0);
        if (rows.length !== missingTruth.size + unknown.length + 1) throw new BenchFailure(`SQL variances: ${rows.length} rows`);
      }
    }
  }
  const g = timingSummary(ms.g);
  const s = timingSummary(ms.s);
  const a = timingSummary(ms.a);

  // ---- close (answers with the variances as well)
  await quiesce(sql);
  const t0 = performance.now();
  const { result: closed, peakRssMb: closePeak } = await withPeakRss(
    () =>
      clerk.data<{ closeCount: { count: { status: string } | null; variances: Variances | null; userErrors: unknown[] } }>(CLOSE, {
        input: { countId },
      }),
    10,
  );
  const closeMs = performance.now() - t0;
  if (closed.closeCount.count?.status !== 'CLOSED' || closed.closeCount.variances?.missing.length !== missingTruth.size) {
    throw new BenchFailure(`closeCount: ${JSON.stringify(closed.closeCount).slice(0, 300)}`);
  }

  const violations = await invariantViolations(sql);
  for (const v of violations.slice(0, 5)) console.error(`invariant: ${v}`);
  const scans = timingSummary(scanMs);
  report(
    'count',
    {
      units_expected: args.units,
      items: args.items,
      scans: entries.length,
      missing: missingTruth.size,
      unexpected: unknown.length,
      scan_pastes: scanMs.length,
      variance_rounds: args.rounds,
      load_avg_1m_at_start: Math.round(loadAvg * 100) / 100,
      server: 'in-process',
      ...environment(db),
    },
    {
      variances_graphql_p50_ms: g.p50,
      variances_graphql_max_ms: g.max,
      variances_sql_p50_ms: s.p50,
      variances_sql_max_ms: s.max,
      variances_p50_vs_sql: g.p50 / s.p50,
      variances_sql_antijoin_p50_ms: a.p50,
      variances_sql_antijoin_max_ms: a.max,
      variances_p50_antijoin_vs_sql: g.p50 / a.p50,
      variances_start_rss_mb: varStart,
      variances_peak_rss_mb: varPeak,
      close_graphql_ms: closeMs,
      close_vs_sql: closeMs / s.p50,
      close_peak_rss_mb: closePeak,
      scan_paste_p50_ms: scans.p50,
      scan_paste_max_ms: scans.max,
      scan_total_ms: scanMs.reduce((a, b) => a + b, 0),
      scan_start_rss_mb: scanMem.startRssMb,
      scan_peak_rss_mb: scanMem.peakRssMb,
      invariant_violations: violations.length,
    },
  );
  if (violations.length) throw new BenchFailure(`${violations.length} stock invariant violations`);
});
