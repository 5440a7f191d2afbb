import type pg from 'pg';

export type DocKind = 'RECEIPT' | 'TRANSFER' | 'COUNT';

const TABLE: Record<DocKind, string> = { RECEIPT: 'receipt', TRANSFER: 'transfer', COUNT: 'cycle_count' };

/**
 * The statement part that appends a document event to the realtime outbox: an `insert …
 * returning 1` to use as a CTE. Its SQL arguments are expressions (placeholders such as `$2`).
 * Progress figures ride along so boards can update without another query; `pending` adds what
 * other CTEs of the same statement are still writing (a statement does not see its own writes).
 */
export function docEventInsert(
  kind: DocKind,
  sql: { documentId: string; userId: string; action: string; detail: string; /** Only when this holds. */ when?: string },
  pending: { scanned?: string; received?: string } = {},
): string {
  const plus = (term: string | undefined) => (term ? ` + ${term}` : '');
  const progress =
    kind === 'COUNT'
      ? `jsonb_build_object('scanned', (select count(*) from count_scan where count_id = d.id)${plus(pending.scanned)})`
      : kind === 'RECEIPT'
        ? `jsonb_build_object('expected', (select coalesce(sum(expected_quantity), 0) from receipt_line where receipt_id = d.id),
                            'received', (select coalesce(sum(received_quantity), 0) from receipt_line where receipt_id = d.id)${plus(pending.received)},
                            'scanned', (select count(*) from receipt_scan where receipt_id = d.id)${plus(pending.scanned)})`
        : `jsonb_build_object('expected', (select coalesce(sum(quantity), 0) from transfer_line where transfer_id = d.id),
                            'shipped', (select coalesce(sum(shipped_quantity), 0) from transfer_line where transfer_id = d.id),
                            'scanned', (select count(*) from transfer_serial where transfer_id = d.id)${plus(pending.scanned)},
                            'received', (select coalesce(sum(received_quantity), 0) from transfer_line where transfer_id = d.id)
                                      + (select count(*) from transfer_serial where transfer_id = d.id and received_at is not null)${plus(pending.received)})`;
  const stores = kind === 'TRANSFER' ? 'array[d.from_store_id, d.to_store_id]' : 'array[d.store_id]';
  return `insert into doc_event (kind, document_id, number, status, store_ids, user_id, action, detail)
    select '${kind}', d.id, d.number, d.status, ${stores}, ${sql.userId}, ${sql.action}, ${sql.detail} || ${progress}
    from ${TABLE[kind]} d where d.id = ${sql.documentId}${sql.when ? ` and ${sql.when}` : ''}
    returning 1`;
}

/**
 * Appends a document event to the realtime outbox inside the caller's transaction and rings
 * the doorbell; subscribers see it only if the transaction commits (RT-2).
 */
export async function recordDocEvent(
  db: pg.PoolClient,
  e: { kind: DocKind; documentId: number; userId: number | null; action: string; detail?: Record<string, unknown> },
): Promise<void> {
  // A named statement per document kind (fixed text): parsed and planned once per connection.
  await db.query({
    name: `doc-event-${e.kind}`,
    text: `with e as (${docEventInsert(e.kind, { documentId: '$1', userId: '$2', action: '$3', detail: '$4::jsonb' })})
           select pg_notify('doc_event', '') from e`,
    values: [e.documentId, e.userId, e.action, JSON.stringify(e.detail ?? {})],
  });
}
