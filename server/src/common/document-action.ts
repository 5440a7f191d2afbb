import type pg from 'pg';
import type { Ctx } from './context.js';
import type { Queryable } from './db.js';
import { transact } from './idempotency.js';
import { UserError } from './user-error.js';
import { recordDocEvent, type DocKind } from '../modules/realtime/doc-events.js';

/**
 * The shape every document mutation shares (receipts, transfers, counts, sales): one
 * transaction with the DOC-1 client key; lock the document (refusing it in a state that does
 * not allow the change); apply the change; on success record the document event (RT-2) and
 * commit; answer with the document as it now is. userErrors roll everything back and are
 * answered with the document unchanged. A retry with the same key answers as it is now.
 */
export function documentAction<Row, Payload>(
  ctx: Ctx,
  spec: {
    operation: string;
    clientKey: string | null | undefined;
    /** The request as the client sent it, without clientKey (what the key is checked against). */
    request: unknown;
    documentId: number;
    /** Locks the document for the change, or says why it cannot change. */
    lock: (db: pg.PoolClient) => Promise<Row | UserError>;
    /** The change itself; errors mean nothing is kept. */
    apply: (db: pg.PoolClient, row: Row) => Promise<UserError[]>;
    /** The answer: the document as `db` sees it, with these errors. */
    answer: (db: Queryable, userErrors: UserError[], replayed: boolean) => Promise<Payload>;
    /** An answer without a document, for a key reused with another request. */
    refused: (e: UserError) => Payload;
    /** Which realtime document stream hears of the change; none for sales. */
    event?: DocKind;
  },
): Promise<Payload> {
  return transact<Payload>(
    ctx.pool,
    {
      userId: ctx.viewer!.userId,
      clientKey: spec.clientKey,
      operation: spec.operation,
      request: spec.request,
      replay: () => spec.answer(ctx.pool, [], true),
      reused: spec.refused,
    },
    async (db) => {
      const row = await spec.lock(db);
      if (row instanceof UserError) return { result: await spec.answer(db, [row], false), commit: false };
      const errors = await spec.apply(db, row);
      if (errors.length) return { result: await spec.answer(db, errors, false), commit: false };
      if (spec.event)
        await recordDocEvent(db, { kind: spec.event, documentId: spec.documentId, userId: ctx.viewer!.userId, action: spec.operation });
      return { result: await spec.answer(db, [], false), commit: true, stored: { documentId: spec.documentId } };
    },
  );
}
