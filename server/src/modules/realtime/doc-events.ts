import type pg from 'pg';

/**
 * Appends a document event to the realtime outbox inside the caller's transaction and rings
 * the doorbell; subscribers see it only if the transaction commits (RT-2).
 */
export type DocKind = 'RECEIPT' | 'TRANSFER' | 'COUNT';

export async function recordDocEvent(
  db: pg.PoolClient,
  e: { kind: DocKind; documentId: number; userId: number | null; action: string; detail?: Record<string, unknown> },
): Promise<void> {
  const table = e.kind === 'RECEIPT' ? 'receipt' : e.kind === 'TRANSFER' ? 'transfer' : e.kind === 'COUNT' ? 'cycle_count' : null;
  if (!table) throw new Error(`unknown document kind ${e.kind}`);
  // Progress figures ride along so boards can update without another query.
  const progress =
    table === 'cycle_count'
      ? `jsonb_build_object('scanned', (select count(*) from count_scan where count_id = d.id))`
      : table === 'receipt'
        ? `jsonb_build_object('expected', (select coalesce(sum(expected_quantity), 0) from receipt_line where receipt_id = d.id),
                            'received', (select coalesce(sum(received_quantity), 0) from receipt_line where receipt_id = d.id),
                            'scanned', (select count(*) from receipt_scan where receipt_id = d.id))`
        : `jsonb_build_object('expected', (select coalesce(sum(quantity), 0) from transfer_line where transfer_id = d.id),
                            'shipped', (select coalesce(sum(shipped_quantity), 0) from transfer_line where transfer_id = d.id),
                            'scanned', (select count(*) from transfer_serial where transfer_id = d.id),
                            'received', (select coalesce(sum(received_quantity), 0) from transfer_line where transfer_id = d.id)
                                      + (select count(*) from transfer_serial where transfer_id = d.id and received_at is not null))`;
  const storeCols = table === 'transfer' ? 'array[d.from_store_id, d.to_store_id]' : 'array[d.store_id]';
  // A named statement per document table (fixed text): parsed and planned once per connection.
  await db.query({
    name: `doc-event-${table}`,
    text: `with e as (
             insert into doc_event (kind, document_id, number, status, store_ids, user_id, action, detail)
             select $1, d.id, d.number, d.status, ${storeCols}, $3, $4, $5::jsonb || ${progress} from ${table} d where d.id = $2
             returning 1)
           select pg_notify('doc_event', '') from e`,
    values: [e.kind, e.documentId, e.userId, e.action, JSON.stringify(e.detail ?? {})],
  });
}
