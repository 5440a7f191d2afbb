import pg from 'pg';
import { fail, NUL_MESSAGE } from './errors.js';

export type Queryable = pg.Pool | pg.PoolClient;

/** Runs `fn` in one transaction on its own connection; rolls back on any throw. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** A value as an id of an `integer` column (in its range, negative ones included), or null. */
export function dbId(v: unknown): number | null {
  const s = String(v);
  if (!/^-?\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n >= -2_147_483_648 && n <= 2_147_483_647 ? n : null;
}

/** True for a unique-constraint violation, optionally of one named constraint/index. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' && (!constraint || err.constraint === constraint);
}

/**
 * Runs several independent queries: in parallel on a pool, one after another on a single
 * client (a client cannot run two queries at once). A null entry answers no rows.
 */
export async function queryAll<const Q extends readonly (readonly [string, unknown[]?] | null)[]>(
  db: Queryable,
  queries: Q,
): Promise<{ -readonly [K in keyof Q]: pg.QueryResult<any> }> {
  const none = { rows: [], rowCount: 0 } as unknown as pg.QueryResult<any>;
  type Out = { -readonly [K in keyof Q]: pg.QueryResult<any> };
  if (!('release' in db)) return (await Promise.all(queries.map((q) => (q ? db.query(q[0], q[1] as unknown[]) : none)))) as Out;
  const out: pg.QueryResult<any>[] = [];
  for (const q of queries) out.push(q ? await db.query(q[0], q[1] as unknown[]) : none);
  return out as Out;
}

/**
 * A hot statement of fixed text that PostgreSQL parses and plans once per connection (a named
 * prepared statement; after a few runs it keeps a generic plan) instead of on every call, which
 * for a short lookup costs more than running it. Only for SQL whose text never varies.
 */
export function statement(name: string, text: string): (values: unknown[]) => pg.QueryConfig {
  return (values) => ({ name, text, values });
}

/**
 * A value as an SQL literal, for statements sent with the simple query protocol, which takes no
 * parameters (several statements in one round trip, COPY): strings through pg's escapeLiteral,
 * arrays in PostgreSQL's array syntax (one literal, whatever the length), times as ISO 8601.
 * Write the cast after it (`${literal(v)}::int[]`) where the context does not fix the type.
 */
export function literal(v: unknown): string {
  if (typeof v === 'string' && v.includes('\0')) fail('BAD_USER_INPUT', NUL_MESSAGE);
  if (v == null) return 'null';
  if (Array.isArray(v)) return pg.escapeLiteral(`{${v.map(arrayElement).join(',')}}`);
  if (v instanceof Date) return pg.escapeLiteral(v.toISOString());
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`literal: ${v} is not a value`);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return pg.escapeLiteral(String(v));
  throw new Error(`literal: cannot write a ${typeof v} as SQL`);
}

function arrayElement(v: unknown): string {
  if (v == null) return 'NULL';
  if (Array.isArray(v)) throw new Error('literal: nested arrays are not supported');
  const text = v instanceof Date ? v.toISOString() : String(v);
  if (text.includes('\0')) fail('BAD_USER_INPUT', NUL_MESSAGE);
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * SQL to send in one message: PREPAREs that must come first, then the statements; `sent` is
 * called once the message has run without error (it marks the PREPAREs as done).
 */
export interface SqlBatch {
  prepare: string[];
  statements: string[];
  sent?: () => void;
}

/** Two batches as one (PREPAREs first). */
export function joinBatches(a: SqlBatch, b: SqlBatch): SqlBatch {
  return {
    prepare: [...a.prepare, ...b.prepare],
    statements: [...a.statements, ...b.statements],
    sent: () => {
      a.sent?.();
      b.sent?.();
    },
  };
}

/**
 * Sends a batch's statements (after `before`, before `after`) as one message with the simple
 * query protocol; one result per statement. A message that fails after carrying PREPAREs leaves
 * it unknown whether they ran (a message PostgreSQL refuses as a whole runs nothing), so the
 * connection is marked broken: the caller releases it with an error, and the pool replaces it.
 */
export async function sendBatch(
  client: pg.PoolClient,
  batch: SqlBatch | undefined,
  before: string[] = [],
  after: string[] = [],
): Promise<pg.QueryResult[]> {
  const text = [...(batch?.prepare ?? []), ...before, ...(batch?.statements ?? []), ...after].join(';\n');
  let results: pg.QueryResult | pg.QueryResult[];
  try {
    results = await client.query(text);
  } catch (e) {
    if (batch?.prepare.length) brokenClients.add(client);
    throw e;
  }
  batch?.sent?.();
  return Array.isArray(results) ? results : [results];
}

/** Connections whose prepared statements are in doubt (see sendBatch): release them with an error. */
export const brokenClients = new WeakSet<pg.PoolClient>();

/**
 * A hot statement for batches sent with the simple query protocol (sendBatch): PREPAREd by SQL
 * once per connection, then `EXECUTE name(literals)`, so it is parsed once and keeps its plan
 * like a named statement of the extended protocol. The PREPARE goes first in its message and
 * outlives a rollback; the connection counts as prepared once the message has run.
 */
export function sqlPrepared(name: string, text: string): (client: pg.PoolClient, values: unknown[]) => SqlBatch {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`sqlPrepared: ${name} is not a plain identifier`);
  const ready = new WeakSet<pg.PoolClient>();
  return (client, values) => {
    const execute = `execute ${name}(${values.map(literal).join(', ')})`;
    if (ready.has(client)) return { prepare: [], statements: [execute] };
    return { prepare: [`prepare ${name} as ${text}`], statements: [execute], sent: () => ready.add(client) };
  };
}
