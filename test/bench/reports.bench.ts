/**
 * reports: serial history (REP-1) on a generated ledger (default 1,000,000 events over 2 years,
 * 50 stores, 20,000 items — see generate.ts).
 *
 *   pnpm bench reports [--events 1000000] [--stores 50] [--items 20000] [--years 2] [--runs 200] [--warmup 20]
 *
 * Three first pages (50 rows, every column) through GraphQL, one call at a time, `--runs` each:
 *   - store_dept_month: one store + one department + CURRENT_MONTH (the store's time zone);
 *   - serial_range: a range of 16 serial prefixes out of 4,096 (about 0.4 % of the ledger);
 *   - unfiltered: everything, newest first.
 * Beside each, the same page as hand-written SQL through a pg.Pool on the same database and
 * indexes, as a named prepared statement like the service's pages (`…_sql_p50_ms`; `…_p50_vs_sql` = GraphQL ÷ SQL, > 1 = slower than SQL), and the
 * service's own statement through the same pool (`…_own_sql_p50_ms`: what is left is the cost
 * of HTTP, the session, GraphQL and the filter check).
 * Then the CSV export of every row (GET /export/serial-history.csv) from a second server started
 * as its own process (server/src/main.ts, as `pnpm start` runs it): rows per second as the
 * client receives them, and that server process's peak RSS (`export_peak_rss_mb`); beside it the
 * same rows as a hand-written COPY to CSV (`export_sql_rows_per_s`; `export_vs_sql` = the
 * export's time ÷ the SQL's, > 1 = slower) and the service's statement as a COPY without HTTP.
 * The EXPLAIN (ANALYZE, BUFFERS) plans of the service's three statements go to
 * results/reports-explain.txt. The generated data is checked against the ledger invariants
 * first (`invariant_violations`, must be 0).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import {
  BenchFailure,
  benchDatabase,
  environment,
  isInterrupted,
  loadLoop,
  report,
  resultsDir,
  runBench,
  startBenchServer,
  startBenchServerProcess,
  withPeakProcessRss,
  type LoadMetrics,
} from './support.js';
import { generate, generateArgs } from './generate.js';
import { invariantViolations } from '../support/invariants.js';
import { ReportsService } from '../../server/src/modules/reports/reports.service.js';
import { historySql, prepared } from '../../server/src/modules/reports/reports.sql.js';
import { SerialHistorySort } from '../../server/src/modules/reports/reports.types.js';

const ROW = `cursor eventId serial description productId productName occurredAt customerNumber customerName type source destination department category subcategory
  style size color brand season team vendor initiatedBy event storeCode documentNumber`;
const QUERY = `query($f: SerialHistoryFilter) { serialHistory(filter: $f, first: 50) { rows { ${ROW} } pageInfo { endCursor hasNextPage } } }`;

/**
 * The same first page written by hand: the ledger rows on the indexes (store + time, serial key,
 * time), then the names of those 50 rows. `$where` is each case's condition.
 */
const handWritten = (where: string, limit: number | null = 50) => `
  select e.id, e.serial, i.description, i.product_id, i.name, e.occurred_at, cu.number, cu.name as customer, e.type,
         case when e.type = 'RECEIVING' then coalesce(rv.name, v.name) when e.type = 'RETURN' then cu.name when e.type = 'TRANSFER_IN' then ss.code
              when e.quantity > 0 then initcap(e.type) else st.code end as source,
         case when e.type = 'SALE' then cu.name when e.type = 'RETURN_TO_VENDOR' then coalesce(tv.name, v.name) when e.type = 'TRANSFER_OUT' then ds.code
              when e.quantity > 0 then st.code else initcap(e.type) end as destination,
         d.name, c.name, sc.name, i.style, i.size, i.color, i.brand, i.season, i.team, v.name as vendor, u.display_name, e.event_label, st.code, e.document_number
  from (select * from stock_event e where ${where} order by e.occurred_at desc, e.id desc${limit == null ? '' : ` limit ${limit}`}) e
  join item i on i.id = e.item_id
  join classification d on d.id = i.department_id join classification c on c.id = i.category_id join classification sc on sc.id = i.subcategory_id
  join store st on st.id = e.report_store_id
  left join vendor v on v.id = i.vendor_id
  left join store ss on ss.id = e.source_store_id left join store ds on ds.id = e.destination_store_id
  left join customer cu on cu.id = e.customer_id
  left join app_user u on u.id = e.user_id
  left join receipt r on e.document_kind = 'RECEIPT' and r.id = e.document_id left join vendor rv on rv.id = r.vendor_id
  left join vendor_return x on e.document_kind = 'RTV' and x.id = e.document_id left join vendor tv on tv.id = x.vendor_id
  order by e.occurred_at desc, e.id desc`;

await runBench(async () => {
  const { options, rest } = generateArgs(process.argv.slice(2), { runs: { type: 'string' }, warmup: { type: 'string' } });
  const runs = Number(rest.runs ?? 200);
  const warmupRuns = Number(rest.warmup ?? 20);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(warmupRuns) || warmupRuns < 0)
    throw new BenchFailure('--runs must be ≥ 1 and --warmup ≥ 0 (whole numbers)');

  const db = await benchDatabase();
  const generated = await generate(db.url, { ...options, log: (m) => console.log(m) });
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  let poolEnded = false;
  pool.on('error', (e) => poolEnded || isInterrupted() || console.error('idle SQL connection failed:', e.message));
  try {
    await pool.query('vacuum (analyze) stock_event');
    console.log('Checking the ledger invariants …');
    const violations = await invariantViolations(pool);
    if (violations.length) console.error(`invariant violations, e.g.: ${violations.slice(0, 5).join('; ')}`);

    // The busiest generated store, its busiest department this month.
    const { rows: pick } = await pool.query(`
      select e.report_store_id as store, i.department_id as dept, count(*)::int as n
      from stock_event e join item i on i.id = e.item_id join store s on s.id = e.report_store_id
      where s.code like 'G%' and e.occurred_at >= date_trunc('month', now() at time zone s.time_zone) at time zone s.time_zone
      group by 1, 2 order by 3 desc limit 1`);
    if (!pick[0]) throw new BenchFailure('the generated data has no events this month');
    const { store, dept } = pick[0];
    const serialFrom = '0A0';
    const serialTo = '0AZ';
    const cases = [
      {
        name: 'store_dept_month',
        filter: { storeIds: [String(store)], departmentIds: [String(dept)], preset: 'CURRENT_MONTH' },
        sql: handWritten(`e.serial is not null and e.report_store_id = $1 and e.item_id in (select id from item where department_id = $2)
          and e.occurred_at >= (select date_trunc('month', now() at time zone time_zone) at time zone time_zone from store where id = $1)
          and e.occurred_at < (select (date_trunc('month', now() at time zone time_zone) + interval '1 month') at time zone time_zone from store where id = $1)`),
        values: [store, dept],
      },
      {
        name: 'serial_range',
        filter: { serialFrom, serialTo },
        sql: handWritten(`e.serial_key between $1 and $2`),
        values: [serialFrom, serialTo],
      },
      { name: 'unfiltered', filter: null, sql: handWritten('e.serial is not null'), values: [] },
    ];

    const server = await startBenchServer(db.url);
    const token = await server.signIn('admin');
    const client = server.client(token);
    const service = new ReportsService();
    const adminViewer = { storeIds: null } as Parameters<ReportsService['history']>[1];
    const metrics: Record<string, number> = {};
    const explain: string[] = [
      `EXPLAIN (ANALYZE, BUFFERS) of the serial history's first page (50 rows + 1), ${generated.events.toLocaleString('en')} ledger events, ${new Date().toISOString()}`,
    ];
    const sequential = (fn: () => Promise<unknown>, count: number) =>
      loadLoop({ concurrency: 1, durationMs: 600_000, maxCount: count, fn });
    const check = (label: string, m: LoadMetrics) => {
      if (m.errors) throw new BenchFailure(`${label}: ${m.errors} errors, e.g. ${m.errorSamples.join(' | ')}`);
    };

    for (const c of cases) {
      let rows = 0;
      const gql = async () => {
        const data = await client.data<{ serialHistory: { rows: unknown[] } }>(QUERY, { f: c.filter });
        rows = data.serialHistory.rows.length;
      };
      // Both SQL variants as named prepared statements, as the service sends its pages.
      const sql = () => pool.query({ name: `hand_${c.name}`, text: c.sql, values: c.values });
      // The service's own statement straight through pg: GraphQL ÷ this = the API's overhead alone.
      const own = historySql(await service.history(pool, adminViewer, c.filter), SerialHistorySort.DATE_DESC, null, 51);
      const ownSql = () => pool.query(prepared(own));
      console.log(`${c.name}: ${warmupRuns} + ${runs} runs through GraphQL, then hand-written SQL, then the service's SQL …`);
      await sequential(gql, warmupRuns);
      const g = await sequential(gql, runs);
      check(`${c.name} graphql`, g);
      await sequential(sql, warmupRuns);
      const s = await sequential(sql, runs);
      check(`${c.name} sql`, s);
      await sequential(ownSql, warmupRuns);
      const o = await sequential(ownSql, runs);
      check(`${c.name} own sql`, o);
      const sqlRows = (await pool.query(c.sql, c.values)).rowCount ?? 0;
      if (rows !== sqlRows) throw new BenchFailure(`${c.name}: GraphQL returned ${rows} rows, the SQL ${sqlRows}`);
      Object.assign(metrics, {
        [`${c.name}_rows`]: rows,
        [`${c.name}_p50_ms`]: g.p50,
        [`${c.name}_p99_ms`]: g.p99,
        [`${c.name}_sql_p50_ms`]: s.p50,
        [`${c.name}_sql_p99_ms`]: s.p99,
        [`${c.name}_p50_vs_sql`]: g.p50 / s.p50,
        [`${c.name}_p99_vs_sql`]: g.p99 / s.p99,
        [`${c.name}_own_sql_p50_ms`]: o.p50,
        [`${c.name}_own_sql_p99_ms`]: o.p99,
      });
      // The service's own statement, as the server ran it.
      const st = own;
      const plan = await pool.query({ text: `explain (analyze, buffers) ${st.text}`, values: st.values });
      explain.push(
        `\n==== ${c.name}: filter ${JSON.stringify(c.filter)}\n-- parameters: ${JSON.stringify(st.values)}\n${st.text}\n\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`,
      );
    }

    // The export runs on a server of its own process, as `pnpm start` runs it, so that its peak
    // memory is the server's alone (the client here holds nothing but counts).
    console.log('CSV export of every row, from a separate server process …');
    const exporter = await startBenchServerProcess(db.url);
    const {
      result: exported,
      peakRssMb,
      startRssMb,
    } = await withPeakProcessRss(exporter.pid, () => download(`${exporter.url}/export/serial-history.csv`, token));
    await exporter.stop();
    const total = Number((await pool.query(`select count(*) from stock_event where serial is not null`)).rows[0].count);
    if (exported.rows !== total) throw new BenchFailure(`the export had ${exported.rows} rows, the ledger ${total} serial events`);
    const resolved = await service.history(pool, adminViewer, null);
    const csvSql = historySql(resolved, SerialHistorySort.DATE_DESC, null, null, true);
    // Beside it, in this process: the hand-written query of the same rows and names as a COPY to
    // CSV, and the service's own statement as a COPY without HTTP.
    console.log("The same export as hand-written SQL (COPY … TO STDOUT), then the service's statement without HTTP …");
    const sqlExport = await copyOut(pool, handWritten('e.serial is not null', null));
    const ownExport = await copyOut(pool, csvSql.text);
    for (const [name, x] of [
      ['hand-written', sqlExport],
      ['own statement', ownExport],
    ] as const)
      if (x.rows !== total) throw new BenchFailure(`the ${name} COPY had ${x.rows} rows, the ledger ${total} serial events`);
    const csvPlan = await pool.query({ text: `explain ${csvSql.text}`, values: csvSql.values });
    explain.push(
      `\n==== csv export (EXPLAIN only): every serial event, newest first\n${csvSql.text}\n\n${csvPlan.rows.map((r) => r['QUERY PLAN']).join('\n')}`,
    );

    Object.assign(metrics, {
      export_rows: exported.rows,
      export_mb: exported.bytes / (1024 * 1024),
      export_rows_per_s: exported.rows / exported.seconds,
      export_sql_rows_per_s: sqlExport.rows / sqlExport.seconds,
      export_vs_sql: exported.seconds / sqlExport.seconds,
      export_own_sql_rows_per_s: ownExport.rows / ownExport.seconds,
      export_peak_rss_mb: peakRssMb,
      export_start_rss_mb: startRssMb,
      invariant_violations: violations.length,
    });
    fs.mkdirSync(resultsDir, { recursive: true });
    const explainFile = path.join(resultsDir, 'reports-explain.txt');
    fs.writeFileSync(explainFile, explain.join('\n') + '\n');
    console.log(`wrote ${path.relative(process.cwd(), explainFile)}`);

    report(
      'reports',
      {
        events: generated.events,
        units: generated.units,
        stores: options.stores,
        items: options.items,
        years: options.years,
        generate_s: Math.round(generated.seconds * 10) / 10,
        runs,
        warmup_runs: warmupRuns,
        concurrency: 1,
        page_size: 50,
        ...environment(db),
        server: 'in-process (pages)',
        // Since this session: RSS and rows/s of the export are a separate server process's, not
        // comparable with earlier results, which measured client and server in one process.
        export_server: 'separate process',
      },
      metrics,
    );
    if (violations.length) throw new BenchFailure(`${violations.length} invariant violations in the generated data`);
  } finally {
    poolEnded = true;
    await pool.end();
  }
});

/** `COPY (query) TO STDOUT (FORMAT csv)` on one connection of the pool, counting records, keeping nothing. */
async function copyOut(pool: pg.Pool, query: string): Promise<{ rows: number; seconds: number }> {
  const client = await pool.connect();
  try {
    const started = performance.now();
    let rows = 0;
    const stream = client.query(copyTo(`copy (${query}) to stdout (format csv)`));
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
    }
    return { rows, seconds: (performance.now() - started) / 1000 };
  } finally {
    client.release();
  }
}

/** Streams a download, counting bytes and CSV records (one per line: the generated data has no line breaks in a cell), keeping nothing. */
function download(url: string, token: string): Promise<{ rows: number; bytes: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`export: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        let bytes = 0;
        let lines = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        res.on('end', () => resolve({ rows: lines - 1, bytes, seconds: (performance.now() - started) / 1000 }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}
