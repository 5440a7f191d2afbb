import { createHash } from 'node:crypto';
import type pg from 'pg';
import { brokenClients, literal, sendBatch, type SqlBatch } from './db.js';
import { UserError, UserErrorCode as E } from './user-error.js';
import { fail } from './errors.js';
import { MAX_REFERENCE_LENGTH } from './limits.js';

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
  /** Statements to run last, in the same round trip as the stored answer and the commit (a scan's write). */
  last?: SqlBatch;
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
     * Statements (values written in with `literal`) to run first in the transaction, in the same
     * round trip as `begin` and the client key: the lock of the document the mutation changes,
     * and what is read under it. Their results, one per statement, are handed to `run`.
     */
    first?: (db: pg.PoolClient) => SqlBatch | undefined;
  },
  run: (db: pg.PoolClient, first: pg.QueryResult[] | undefined) => Promise<TxOutcome<T>>,
): Promise<T> {
  if (opts.clientKey && opts.clientKey.length > MAX_REFERENCE_LENGTH)
    fail('BAD_USER_INPUT', `clientKey is at most ${MAX_REFERENCE_LENGTH} characters (a UUID has 36).`, { field: 'clientKey' });
  const hash = createHash('sha256')
    .update(JSON.stringify(opts.request ?? null))
    .digest('hex');
  const client = await pool.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        // begin, the client key and the first statements go to the server together (simple
        // query protocol, several statements, values as quoted literals): one round trip.
        const start = [opts.genericPlans ? 'begin; set local plan_cache_mode = force_generic_plan' : 'begin'];
        if (opts.clientKey)
          start.push(
            `insert into idempotency_key (user_id, client_key, operation, request_hash) values (${literal(opts.userId)}, ${literal(opts.clientKey)}, ${literal(opts.operation)}, ${literal(hash)}) on conflict do nothing`,
          );
        const first = opts.first?.(client);
        const results = await sendBatch(client, first, start);
        // One result per statement: the PREPAREs, begin, [set local,] [the key,] the first statements.
        const keyAt = (first?.prepare.length ?? 0) + (opts.genericPlans ? 2 : 1);
        if (opts.clientKey && !results[keyAt]!.rowCount) {
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
        const out = await run(client, first ? results.slice(results.length - first.statements.length) : undefined);
        if (!out.commit) throw new Rollback(out.result);
        // The last statements, the stored answer and the commit: one round trip.
        const end = opts.clientKey
          ? [
              `update idempotency_key set response = ${literal(JSON.stringify(out.stored ?? null))}::jsonb where user_id = ${literal(opts.userId)} and client_key = ${literal(opts.clientKey)}`,
            ]
          : [];
        await sendBatch(client, out.last, [], [...end, 'commit']);
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
    client.release(brokenClients.has(client) ? new Error('prepared statements in doubt') : undefined);
  }
}
