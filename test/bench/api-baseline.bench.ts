/**
 * api-baseline: the fixed cost of one authenticated GraphQL request over HTTP (`{ stores { id code } }`:
 * HTTP parse, session lookup, Apollo, one tiny query, JSON) next to the floor of a bare `SELECT 1`
 * through a pg.Pool, at the same concurrency and duration. Phases run one after the other.
 *
 *   pnpm bench api-baseline [--duration 10] [--concurrency 32] [--warmup 2]
 */
import pg from 'pg';
import {
  BenchFailure,
  benchArgs,
  benchDatabase,
  environment,
  isInterrupted,
  loadLoop,
  report,
  runBench,
  startBenchServer,
  warmUp,
  withPeakRss,
  type LoadMetrics,
} from './support.js';

const STORES = '{ stores { id code } }';

await runBench(async () => {
  const args = benchArgs({ duration: 10, concurrency: 32, warmup: 2 });
  const db = await benchDatabase();
  const server = await startBenchServer(db.url);
  const client = server.client(await server.signIn('admin'));
  const expectedStores = (await client.data<{ stores: unknown[] }>(STORES)).stores.length;
  if (expectedStores === 0) throw new BenchFailure('the demo data has no stores');

  const graphqlCall = async ({ signal }: { signal: AbortSignal }) => {
    const data = await client.data<{ stores: unknown[] }>(STORES, undefined, signal);
    if (data.stores.length !== expectedStores) throw new Error(`expected ${expectedStores} stores, got ${data.stores.length}`);
  };
  const sqlPool = new pg.Pool({ connectionString: db.url, max: 32 });
  let sqlPoolEnded = false;
  // Dropping the database at clean-up can still reach connections pg.Pool#end() is closing.
  sqlPool.on('error', (e) => sqlPoolEnded || isInterrupted() || console.error('idle SQL connection failed:', e.message));
  const sqlCall = async () => {
    const { rows } = await sqlPool.query('SELECT 1 AS one');
    if (rows[0]?.one !== 1) throw new Error('SELECT 1 returned something else');
  };

  const phase = async (label: string, fn: typeof graphqlCall) => {
    console.log(`${label}: warm-up ${args.warmup} s, then ${args.duration} s at concurrency ${args.concurrency} …`);
    await warmUp({ concurrency: args.concurrency, fn }, args.warmup);
    const { result, peakRssMb } = await withPeakRss(() =>
      loadLoop({ concurrency: args.concurrency, durationMs: args.duration * 1000, fn }),
    );
    if (result.count === 0) throw new BenchFailure(`${label}: no successful call`);
    return { m: result, peakRssMb };
  };

  let graphql: LoadMetrics, sql: LoadMetrics, graphqlRss: number;
  try {
    ({ m: graphql, peakRssMb: graphqlRss } = await phase('graphql', graphqlCall));
    ({ m: sql } = await phase('sql', sqlCall));
  } finally {
    sqlPoolEnded = true;
    await sqlPool.end();
  }

  report(
    'api-baseline',
    {
      query: STORES,
      duration_s: args.duration,
      concurrency: args.concurrency,
      warmup_s: args.warmup,
      sql_pool_max: 32,
      server: 'in-process',
      ...environment(db),
    },
    {
      graphql_per_s: graphql.perSecond,
      graphql_p50_ms: graphql.p50,
      graphql_p99_ms: graphql.p99,
      graphql_max_ms: graphql.max,
      graphql_requests: graphql.count,
      graphql_errors: graphql.errors,
      graphql_peak_rss_mb: graphqlRss,
      sql_per_s: sql.perSecond,
      sql_p50_ms: sql.p50,
      sql_p99_ms: sql.p99,
      sql_max_ms: sql.max,
      sql_queries: sql.count,
      sql_errors: sql.errors,
      graphql_p50_vs_sql: graphql.p50 / sql.p50,
      graphql_p99_vs_sql: graphql.p99 / sql.p99,
      graphql_throughput_vs_sql: sql.perSecond / graphql.perSecond,
    },
  );
  const errors = [...graphql.errorSamples.map((e) => `graphql: ${e}`), ...sql.errorSamples.map((e) => `sql: ${e}`)];
  if (graphql.errors || sql.errors) throw new BenchFailure(`${graphql.errors + sql.errors} calls failed, e.g.\n  ${errors.join('\n  ')}`);
});
