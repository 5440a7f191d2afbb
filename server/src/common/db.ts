import type pg from 'pg';

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
