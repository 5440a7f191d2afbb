import { createHash } from 'node:crypto';
import pg from 'pg';
import { UserError, UserErrorCode as E } from './user-error.js';

class Rollback<T> extends Error {
  constructor(readonly result: T) {
    super('rollback');
  }
}

export interface TxOutcome<T> {
  /** What to answer. */
  result: T;
  /** False: roll everything back (the answer carries userErrors). */
  commit: boolean;
  /** JSON kept for a retry with the same client key (DOC-1); replay() rebuilds the answer from it. */
  stored?: unknown;
}

/**
 * One transaction per mutation, with DOC-1 idempotency: the key row is written in the same
 * transaction as the change, so a retry with the same key waits for the first attempt and
 * then gets its stored result; a first attempt that changed nothing (userErrors) keeps no
 * key, so the retry runs again. The same key with a different request is refused.
 */
export async function transact<T>(
  pool: pg.Pool,
  opts: {
    userId: number;
    clientKey?: string | null;
    operation: string;
    request: unknown;
    replay: (stored: any) => Promise<T>;
    reused: (e: UserError) => T;
    /**
     * For short, hot transactions of fixed named statements (a scan): keep one generic plan per
     * statement and connection instead of planning every run, which for a scan's context
     * statement costs more than running it.
     */
    genericPlans?: boolean;
    /**
     * A statement (its values written into the text, as `literal` does) to run first in the
     * transaction, in the same round trip as `begin` and the client key: typically the lock of
     * the document the mutation changes. Its rows are handed to `run`.
     */
    first?: string;
  },
  run: (db: pg.PoolClient, first: Record<string, any>[] | undefined) => Promise<TxOutcome<T>>,
): Promise<T> {
  const hash = createHash('sha256')
    .update(JSON.stringify(opts.request ?? null))
    .digest('hex');
  const client = await pool.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        // begin, the client key and the first statement go to the server together (simple
        // query protocol, several statements, values as quoted literals): one round trip.
        const batch = [opts.genericPlans ? 'begin; set local plan_cache_mode = force_generic_plan' : 'begin'];
        if (opts.clientKey)
          batch.push(
            `insert into idempotency_key (user_id, client_key, operation, request_hash) values (${literal(opts.userId)}, ${literal(opts.clientKey)}, ${literal(opts.operation)}, ${literal(hash)}) on conflict do nothing`,
          );
        if (opts.first) batch.push(opts.first);
        const results = resultsOf(await client.query(batch.join(';\n')));
        if (opts.clientKey && !results[opts.genericPlans ? 2 : 1]!.rowCount) {
          const { rows } = await client.query(
            `select operation, request_hash, response from idempotency_key where user_id = $1 and client_key = $2`,
            [opts.userId, opts.clientKey],
          );
          await client.query('rollback');
          const row = rows[0];
          if (row.operation !== opts.operation || row.request_hash !== hash) {
            return opts.reused(
              UserError.of(
                E.IDEMPOTENCY_KEY_REUSED,
                'This client key was already used for a different request; use a new key.',
                'clientKey',
              ),
            );
          }
          return opts.replay(row.response);
        }
        const out = await run(client, opts.first ? results.at(-1)!.rows : undefined);
        if (!out.commit) throw new Rollback(out.result);
        // The stored answer and the commit: one round trip.
        await client.query(
          opts.clientKey
            ? `update idempotency_key set response = ${literal(JSON.stringify(out.stored ?? null))}::jsonb where user_id = ${literal(opts.userId)} and client_key = ${literal(opts.clientKey)}; commit`
            : 'commit',
        );
        return out.result;
      } catch (e) {
        await client.query('rollback').catch(() => {});
        if (e instanceof Rollback) return e.result as T;
        // Retry once on a serialization failure or deadlock, then let it surface.
        const code = (e as { code?: string }).code;
        if (attempt === 0 && (code === '40001' || code === '40P01')) continue;
        throw e;
      }
    }
  } finally {
    client.release();
  }
}

/** A value as a quoted SQL literal, for statements sent with the simple query protocol (no parameters). */
export function literal(v: string | number): string {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error(`literal: ${v} is not a whole number`);
  return pg.escapeLiteral(String(v));
}

/** The results of a simple query: one per statement (pg returns a single result for one statement). */
function resultsOf(r: pg.QueryResult | pg.QueryResult[]): pg.QueryResult[] {
  return Array.isArray(r) ? r : [r];
}
