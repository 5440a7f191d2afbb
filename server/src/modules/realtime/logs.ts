/**
 * The logs that subscriptions follow. Each is a table whose rows carry the id of the
 * transaction that wrote them (`xid`); positions are (xid, id). A reader only takes rows
 * whose transaction is older than every transaction still running, in (xid, id) order, so
 * a row that commits late can never fall behind a cursor (the commit-order trap, RT-3).
 */
export interface LogSpec {
  name: LogName;
  channel: string;
  table: string;
  /** SELECT list and FROM clause; the log table is aliased `e`. */
  from: string;
}

export type LogName = 'stock' | 'doc' | 'policy';

export const LOGS: Record<LogName, LogSpec> = {
  stock: {
    name: 'stock',
    channel: 'stock_event',
    table: 'stock_event',
    from: `select e.id, e.xid, e.occurred_at, e.type, e.item_id, i.product_id, i.name as item_name, e.unit_id, e.serial, e.quantity,
                  e.store_id, s.code as store_code, e.source_store_id, e.destination_store_id, e.document_kind, e.document_id, e.document_number,
                  e.user_id, e.reason
           from stock_event e join item i on i.id = e.item_id left join store s on s.id = e.store_id`,
  },
  doc: {
    name: 'doc',
    channel: 'doc_event',
    table: 'doc_event',
    from: `select e.id, e.xid, e.occurred_at, e.kind, e.document_id, e.number, e.status, e.store_ids, e.user_id, u.display_name as user_name, e.action, e.detail
           from doc_event e left join app_user u on u.id = e.user_id`,
  },
  policy: {
    name: 'policy',
    channel: 'policy_change',
    table: 'policy_change',
    from: `select e.id, e.xid, e.changed_at as occurred_at, e.target_kind, e.target_id, e.target_name, e.old_level, e.new_level, e.items_affected,
                  e.user_id, u.display_name as user_name
           from policy_change e join app_user u on u.id = e.user_id`,
  },
};

export interface Position {
  xid: bigint;
  id: bigint;
}

export const ZERO: Position = { xid: 0n, id: 0n };

export function after(a: Position, b: Position): boolean {
  return a.xid > b.xid || (a.xid === b.xid && a.id > b.id);
}

/** Cursors are opaque to clients: "<log>.<xid>.<id>". */
export function encodeCursor(log: LogName, p: Position): string {
  return `${log}.${p.xid}.${p.id}`;
}

/** Largest values of the columns a position is read against: xid8 (unsigned 64 bits) and bigint ids. */
const MAX_XID = 2n ** 64n - 1n;
const MAX_ID = 2n ** 63n - 1n;

export function decodeCursor(log: LogName, cursor: string): Position | null {
  const m = /^([a-z]+)\.(\d{1,20})\.(\d{1,19})$/.exec(cursor);
  if (!m || m[1] !== log) return null;
  const p = { xid: BigInt(m[2]!), id: BigInt(m[3]!) };
  return p.xid <= MAX_XID && p.id <= MAX_ID ? p : null;
}
