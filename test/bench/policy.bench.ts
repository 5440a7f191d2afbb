/**
 * policy (issue 3): the effective serialization policy, two ways it is asked for, each beside a
 * hand-written SQL statement that computes the same (target: within 2× of the SQL).
 *
 * 1. Bulk lookup: `itemPolicies(itemIds: [10,000 ids])` in one GraphQL request (every field of
 *    ItemPolicy), against one SELECT that walks item → subcategory → category → department with
 *    coalesce and returns the same fields (level, source, source id and name, explanation,
 *    effective "required when selling / returning", pattern). `--rounds` times each, alternating.
 *    Every GraphQL answer is checked field by field against the SQL one. Beside them, the same
 *    figures as columns (`itemPolicyTable`, `lookup_table_…`), checked against itemPolicies.
 * 2. Scan-code resolution: `resolveCode(code)` with the receiving console's selection (item id,
 *    product id, name, main UPC, policy level / source / pattern) for random main and additional
 *    UPCs, `--concurrency` workers for `--duration` s, against one SELECT doing the UPC lookup and
 *    the policy walk, with a pg.Pool of the same size; and, for reading those figures, the floor
 *    of any authenticated GraphQL request (`{ __typename }`) at the same concurrency. The three
 *    phases are interleaved in slices.
 *
 * Set-up: `--items` items (default 10,000) inserted set-based under the demo subcategories, each
 * with a main UPC and 0–2 additional ones, every 7th with its own level.
 *
 *   pnpm bench policy [--items 10000] [--rounds 15] [--duration 8] [--concurrency 16] [--warmup 2]
 */
import os from 'node:os';
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
  runBench,
  startBenchServer,
  timingSummary,
  warmUp,
  withPeakRss,
} from './support.js';

const POLICY_FIELDS =
  'itemId level source sourceId sourceName explanation serialRequiredWhenSelling serialRequiredWhenReturning serialPattern';
const ITEM_POLICIES = `query ItemPolicies($ids: [ID!]!) { itemPolicies(itemIds: $ids) { ${POLICY_FIELDS} } }`;
// The same figures as columns (itemPolicyTable), for clients that sync a whole catalog.
const ITEM_POLICY_TABLE = `query ItemPolicyTable($ids: [ID!]!) { itemPolicyTable(itemIds: $ids) {
  itemIds levels sources sourceIds sourceNames explanations serialRequiredWhenSelling serialRequiredWhenReturning serialPatterns } }`;
interface GqlTable {
  itemIds: string[];
  levels: string[];
  sources: string[];
  sourceIds: (string | null)[];
  sourceNames: (string | null)[];
  explanations: string[];
  serialRequiredWhenSelling: boolean[];
  serialRequiredWhenReturning: boolean[];
  serialPatterns: (string | null)[];
}
// The receiving console's ReceivingResolveCode, plus the policy's source.
const RESOLVE_CODE = `query ResolveCode($code: String!) {
  resolveCode(code: $code) { matchedBy item { id productId name mainUpc policy { level source serialPattern } } }
}`;

/** The fixed cost of an authenticated GraphQL request, for reading the resolveCode figures. */
const FLOOR = `query Floor { __typename }`;

/** POL-2 by hand: one statement, same fields and order as itemPolicies. */
const SQL_POLICIES = `
select i.id as item_id, p.level, p.source, p.source_id, p.source_name,
  case p.source when 'ITEM' then 'set on this item'
                when 'DEFAULT' then 'default (no level set on the item or its classification)'
                else 'inherited from ' || initcap(p.source) || ' ' || p.source_name end as explanation,
  p.level = 'ALWAYS' or (p.level = 'SOMETIMES' and i.serial_required_on_sale) as required_selling,
  p.level = 'ALWAYS' or (p.level = 'SOMETIMES' and i.serial_required_on_return) as required_returning,
  i.serial_pattern
from unnest($1::int[]) with ordinality as t(id, ord)
join item i on i.id = t.id
join classification sc on sc.id = i.subcategory_id
join classification c on c.id = sc.parent_id
join classification d on d.id = c.parent_id
cross join lateral (select
    coalesce(i.serial_level, sc.serial_level, c.serial_level, d.serial_level, 'NEVER') as level,
    case when i.serial_level is not null then 'ITEM' when sc.serial_level is not null then 'SUBCATEGORY'
         when c.serial_level is not null then 'CATEGORY' when d.serial_level is not null then 'DEPARTMENT' else 'DEFAULT' end as source,
    case when i.serial_level is not null then i.id when sc.serial_level is not null then sc.id
         when c.serial_level is not null then c.id when d.serial_level is not null then d.id end as source_id,
    case when i.serial_level is not null then i.name when sc.serial_level is not null then sc.name
         when c.serial_level is not null then c.name when d.serial_level is not null then d.name end as source_name) p
order by t.ord`;

/** Scan lookup by hand: the UPC, its item, the main UPC and the policy walk in one statement. */
const SQL_RESOLVE = `
select u.item_id, case when u.is_main then 'MAIN_UPC' else 'ADDITIONAL_UPC' end as matched_by, i.product_id, i.name,
  (select m.upc from item_upc m where m.item_id = i.id and m.is_main) as main_upc,
  coalesce(i.serial_level, sc.serial_level, c.serial_level, d.serial_level, 'NEVER') as level,
  case when i.serial_level is not null then 'ITEM' when sc.serial_level is not null then 'SUBCATEGORY'
       when c.serial_level is not null then 'CATEGORY' when d.serial_level is not null then 'DEPARTMENT' else 'DEFAULT' end as source,
  i.serial_pattern
from item_upc u
join item i on i.id = u.item_id
join classification sc on sc.id = i.subcategory_id
join classification c on c.id = sc.parent_id
join classification d on d.id = c.parent_id
where u.upc = $1`;

interface GqlPolicy {
  itemId: string;
  level: string;
  source: string;
  sourceId: string | null;
  sourceName: string | null;
  explanation: string;
  serialRequiredWhenSelling: boolean;
  serialRequiredWhenReturning: boolean;
  serialPattern: string | null;
}

await runBench(async () => {
  const args = benchFlags(
    { items: 10_000, rounds: 15, duration: 8, concurrency: 16, warmup: 2, slices: 4 },
    { integers: ['items', 'rounds', 'concurrency', 'slices'], min: { items: 1, rounds: 1, duration: 0.1, concurrency: 1, slices: 1 } },
  );
  if (args.items > 10_000) throw new BenchFailure('--items: itemPolicies takes at most 10,000 ids per call');
  const db = await benchDatabase();
  const server = await startBenchServer(db.url);
  const sql = benchPool(db.url, args.concurrency);
  const client = server.client(await server.signIn('clerk'));

  // ---- set-up: items, UPCs, overrides
  console.log(`set-up: ${args.items} items with UPCs …`);
  const itemIds = await insertBenchItems(sql, { count: args.items, prefix: 'BPOL', upcPrefix: '9', overrideEvery: 7 });
  await sql.query('analyze item; analyze item_upc; analyze classification');
  const { rows: upcRows } = await sql.query<{ upc: string; item_id: number; is_main: boolean }>(
    `select upc, item_id, is_main from item_upc where item_id = any($1::int[])`,
    [itemIds],
  );
  const sources = (
    await sql.query<{ source: string; n: number }>(
      `select source, count(*)::int as n from item_policy where item_id = any($1::int[]) group by 1 order by 1`,
      [itemIds],
    )
  ).rows;
  console.log(
    `  ${upcRows.length} UPCs (${upcRows.filter((u) => !u.is_main).length} additional); sources: ${sources.map((s) => `${s.source} ${s.n}`).join(', ')}`,
  );
  const idArg = itemIds.map(String);

  // ---- 1. bulk lookup
  const loadAvg = os.loadavg()[0]!;
  const gqlLookup = async () => (await client.data<{ itemPolicies: GqlPolicy[] }>(ITEM_POLICIES, { ids: idArg })).itemPolicies;
  const sqlLookup = async () => (await sql.query(SQL_POLICIES, [itemIds])).rows;
  const tableLookup = async (): Promise<GqlPolicy[]> => {
    const t = (await client.data<{ itemPolicyTable: GqlTable }>(ITEM_POLICY_TABLE, { ids: idArg })).itemPolicyTable;
    return t.itemIds.map((itemId, i) => ({
      itemId,
      level: t.levels[i]!,
      source: t.sources[i]!,
      sourceId: t.sourceIds[i]!,
      sourceName: t.sourceNames[i]!,
      explanation: t.explanations[i]!,
      serialRequiredWhenSelling: t.serialRequiredWhenSelling[i]!,
      serialRequiredWhenReturning: t.serialRequiredWhenReturning[i]!,
      serialPattern: t.serialPatterns[i]!,
    }));
  };

  // Correctness first: the same answer, field by field.
  const [g0, s0, tb0] = [await gqlLookup(), await sqlLookup(), await tableLookup()];
  let mismatches = Math.abs(g0.length - s0.length) + Math.abs(tb0.length - g0.length);
  for (let i = 0; i < Math.min(g0.length, tb0.length); i++)
    if (JSON.stringify(tb0[i]) !== JSON.stringify(g0[i])) {
      if (mismatches < 3) console.error('table mismatch:', JSON.stringify(tb0[i]), JSON.stringify(g0[i]));
      mismatches++;
    }
  for (let i = 0; i < Math.min(g0.length, s0.length); i++) {
    const g = g0[i]!;
    const s = s0[i]!;
    const same =
      g.itemId === String(s.item_id) &&
      g.level === s.level &&
      g.source === s.source &&
      g.sourceId === (s.source_id == null ? null : String(s.source_id)) &&
      g.sourceName === s.source_name &&
      g.explanation === s.explanation &&
      g.serialRequiredWhenSelling === s.required_selling &&
      g.serialRequiredWhenReturning === s.required_returning &&
      g.serialPattern === s.serial_pattern;
    if (!same) {
      if (mismatches < 3) console.error('mismatch:', JSON.stringify(g), JSON.stringify(s));
      mismatches++;
    }
  }
  if (g0.length !== args.items) throw new BenchFailure(`itemPolicies returned ${g0.length} of ${args.items} items`);

  console.log(`bulk lookup: ${args.rounds} rounds each of ${args.items} items, GraphQL and SQL alternating …`);
  for (let i = 0; i < Math.max(1, Math.round(args.warmup)); i++) {
    await gqlLookup();
    await sqlLookup();
  }
  const gMs: number[] = [];
  const sMs: number[] = [];
  const tMs: number[] = [];
  let lookupPeakRss = 0;
  for (let i = 0; i < args.rounds; i++) {
    for (const side of i % 2 === 0 ? (['g', 's', 't'] as const) : (['t', 's', 'g'] as const)) {
      await quiesce(sql);
      const t0 = performance.now();
      if (side === 't') {
        const rows = await tableLookup();
        tMs.push(performance.now() - t0);
        if (rows.length !== args.items) throw new BenchFailure(`itemPolicyTable returned ${rows.length} items`);
      } else if (side === 'g') {
        const { result, peakRssMb } = await withPeakRss(gqlLookup, 10);
        gMs.push(performance.now() - t0);
        lookupPeakRss = Math.max(lookupPeakRss, peakRssMb);
        if (result.length !== args.items) throw new BenchFailure(`itemPolicies returned ${result.length} items`);
      } else {
        const rows = await sqlLookup();
        sMs.push(performance.now() - t0);
        if (rows.length !== args.items) throw new BenchFailure(`SQL returned ${rows.length} items`);
      }
    }
  }
  const gl = timingSummary(gMs);
  const sl = timingSummary(sMs);
  const tl = timingSummary(tMs);

  // ---- 2. scan-code resolution
  // The floor: what any authenticated GraphQL request costs here (HTTP, session, Apollo, JSON).
  const gqlFloor = async ({ signal }: { signal: AbortSignal }) => {
    const r = await client.data<{ __typename: string }>(FLOOR, {}, signal);
    if (r.__typename !== 'Query') throw new Error(`floor: ${JSON.stringify(r)}`);
  };
  const expectedItem = new Map(upcRows.map((u) => [u.upc, { itemId: u.item_id, matchedBy: u.is_main ? 'MAIN_UPC' : 'ADDITIONAL_UPC' }]));
  const codes = upcRows.map((u) => u.upc);
  let seed = 12345;
  const randomCode = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return codes[seed % codes.length]!;
  };
  const gqlResolve = async ({ signal }: { signal: AbortSignal }) => {
    const code = randomCode();
    const r = await client.data<{ resolveCode: { matchedBy: string; item: { id: string; policy: { level: string } } } | null }>(
      RESOLVE_CODE,
      { code },
      signal,
    );
    const want = expectedItem.get(code)!;
    if (r.resolveCode?.item.id !== String(want.itemId) || r.resolveCode.matchedBy !== want.matchedBy)
      throw new Error(`resolveCode(${code}) → ${JSON.stringify(r.resolveCode)}`);
  };
  const sqlResolve = async () => {
    const code = randomCode();
    const { rows } = await sql.query(SQL_RESOLVE, [code]);
    const want = expectedItem.get(code)!;
    if (rows[0]?.item_id !== want.itemId || rows[0].matched_by !== want.matchedBy)
      throw new Error(`SQL lookup of ${code} → ${JSON.stringify(rows[0])}`);
  };
  console.log(
    `scan-code resolution: warm-up ${args.warmup} s, then ${args.duration} s per side at concurrency ${args.concurrency}, in ${args.slices} interleaved slices …`,
  );
  await warmUp({ concurrency: args.concurrency, fn: gqlResolve }, args.warmup);
  await warmUp({ concurrency: args.concurrency, fn: sqlResolve }, args.warmup);
  await quiesce(sql);
  const { result: phases, peakRssMb: resolvePeakRss } = await withPeakRss(() =>
    interleavedLoad({
      concurrency: args.concurrency,
      durationMs: args.duration * 1000,
      slices: args.slices,
      sides: [
        { name: 'graphql', fn: gqlResolve },
        { name: 'sql', fn: sqlResolve },
        { name: 'floor', fn: gqlFloor },
      ],
    }),
  );
  const rg = phases.graphql!;
  const rs = phases.sql!;
  const rf = phases.floor!;

  report(
    'policy',
    {
      items: args.items,
      upcs: upcRows.length,
      item_overrides: sources.find((s) => s.source === 'ITEM')?.n ?? 0,
      lookup_rounds: args.rounds,
      resolve_duration_s: args.duration,
      resolve_concurrency: args.concurrency,
      resolve_slices: args.slices,
      warmup_s: args.warmup,
      load_avg_1m_at_start: Math.round(loadAvg * 100) / 100,
      sql_pool_max: args.concurrency,
      server: 'in-process',
      ...environment(db),
    },
    {
      lookup_graphql_p50_ms: gl.p50,
      lookup_graphql_p99_ms: gl.p99,
      lookup_sql_p50_ms: sl.p50,
      lookup_sql_p99_ms: sl.p99,
      lookup_table_p50_ms: tl.p50,
      lookup_table_p99_ms: tl.p99,
      lookup_table_p50_vs_sql: tl.p50 / sl.p50,
      lookup_table_p99_vs_sql: tl.p99 / sl.p99,
      lookup_p50_vs_sql: gl.p50 / sl.p50,
      lookup_p99_vs_sql: gl.p99 / sl.p99,
      lookup_peak_rss_mb: lookupPeakRss,
      lookup_mismatches: mismatches,
      resolve_graphql_per_s: rg.perSecond,
      resolve_graphql_p50_ms: rg.p50,
      resolve_graphql_p99_ms: rg.p99,
      resolve_graphql_max_ms: rg.max,
      resolve_graphql_errors: rg.errors,
      resolve_sql_per_s: rs.perSecond,
      resolve_sql_p50_ms: rs.p50,
      resolve_sql_p99_ms: rs.p99,
      resolve_sql_max_ms: rs.max,
      resolve_sql_errors: rs.errors,
      resolve_p50_vs_sql: rg.p50 / rs.p50,
      resolve_p99_vs_sql: rg.p99 / rs.p99,
      resolve_throughput_vs_sql: rs.perSecond / rg.perSecond,
      resolve_peak_rss_mb: resolvePeakRss,
      floor_graphql_per_s: rf.perSecond,
      floor_graphql_p50_ms: rf.p50,
      floor_graphql_p99_ms: rf.p99,
      floor_graphql_errors: rf.errors,
    },
  );
  const errors = [...rg.errorSamples.map((e) => `graphql: ${e}`), ...rs.errorSamples.map((e) => `sql: ${e}`)];
  errors.push(...rf.errorSamples.map((e) => `floor: ${e}`));
  if (rg.errors || rs.errors || rf.errors)
    throw new BenchFailure(`${rg.errors + rs.errors + rf.errors} calls failed, e.g.\n  ${errors.join('\n  ')}`);
  if (mismatches) throw new BenchFailure(`${mismatches} items got a different policy from GraphQL than from the SQL`);
});
