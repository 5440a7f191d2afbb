import type pg from 'pg';
import { serialKey } from './serial-input.js';

/**
 * The stock engine: the one place that writes serial units, stock levels and the ledger
 * (SER-4, SER-5). Every document ends in `applyMovement`, inside the caller's transaction.
 */

export type UnitState = 'IN_STOCK' | 'IN_TRANSIT' | 'SOLD' | 'RETURNED_TO_VENDOR' | 'REMOVED';
export type EventType = 'RECEIVING' | 'TRANSFER_OUT' | 'TRANSFER_IN' | 'ADJUSTMENT' | 'COUNT' | 'SALE' | 'RETURN' | 'RETURN_TO_VENDOR';

/** Where a unit is: a state plus its store (IN_STOCK) or transfer (IN_TRANSIT). */
export interface Place {
  state: UnitState;
  storeId?: number | null;
  transferId?: number | null;
}

/** `ARRIVING`: a new unit, or one that left (sold, removed, returned to vendor) coming back (RCV-3). */
export type Expected = Place | 'ARRIVING';

export interface UnitMove {
  /** Index of the entry in the caller's input, echoed in conflicts. */
  index: number;
  itemId: number;
  serial: string;
  serialKey: string;
}

export interface Movement {
  type: EventType;
  document: { kind: string; id: number; number: string };
  userId: number;
  reason?: string | null;
  eventLabel?: string | null;
  registerId?: number | null;
  customerId?: number | null;
  sourceStoreId?: number | null;
  destinationStoreId?: number | null;
  /** Serialized units, all moving from `from` to `to`. */
  units?: { moves: UnitMove[]; from: Expected; to: Place };
  /** Quantity changes without serials (NEVER items, the unserialized part of SOMETIMES lines). */
  quantities?: { itemId: number; storeId: number; delta: number }[];
}

export interface UnitConflict {
  index: number;
  itemId: number;
  serial: string;
  /** Where the unit actually is; null state = no such unit. */
  state: UnitState | null;
  storeId: number | null;
  storeCode: string | null;
  transferId: number | null;
}

export class StockConflictError extends Error {
  constructor(
    readonly conflicts: UnitConflict[],
    readonly shortages: { itemId: number; storeId: number }[] = [],
  ) {
    super(`stock conflict: ${conflicts.length} unit(s), ${shortages.length} shortage(s)`);
  }
}

/**
 * Applies a movement set-based: a few statements whatever the number of serials. Unit
 * rows are locked in id order and stock levels updated in (item, store) order so that
 * concurrent documents cannot deadlock. Each unit must be where `from` says, checked by
 * the write itself; otherwise StockConflictError, and the caller's transaction rolls back.
 */
export async function applyMovement(db: pg.PoolClient, m: Movement): Promise<{ unitIds: number[]; eventIds: number[] }> {
  let unitRows: { id: number; item_id: number; serial: string; from_store: number | null; to_store: number | null }[] = [];
  if (m.units && m.units.moves.length) {
    const moves = [...m.units.moves].sort(
      (a, b) => a.itemId - b.itemId || (a.serialKey < b.serialKey ? -1 : a.serialKey > b.serialKey ? 1 : 0),
    );
    unitRows = m.units.from === 'ARRIVING' ? await arrive(db, moves, m.units.to) : await move(db, moves, m.units.from, m.units.to);
    if (unitRows.length !== moves.length) {
      const done = new Set(unitRows.map((r) => `${r.item_id}\u0000${serialKey(r.serial)}`));
      throw new StockConflictError(
        await describe(
          db,
          moves.filter((mv) => !done.has(`${mv.itemId}\u0000${mv.serialKey}`)),
        ),
      );
    }
  }

  // Stock levels: one delta per (item, store), applied in key order.
  const deltas = new Map<string, { itemId: number; storeId: number; delta: number }>();
  const add = (itemId: number, storeId: number | null | undefined, delta: number) => {
    if (storeId == null || delta === 0) return;
    const k = `${itemId}:${storeId}`;
    const d = deltas.get(k) ?? { itemId, storeId, delta: 0 };
    d.delta += delta;
    deltas.set(k, d);
  };
  for (const r of unitRows) {
    add(r.item_id, r.from_store, -1);
    add(r.item_id, r.to_store, 1);
  }
  for (const q of m.quantities ?? []) add(q.itemId, q.storeId, q.delta);
  const ordered = [...deltas.values()].filter((d) => d.delta !== 0).sort((a, b) => a.itemId - b.itemId || a.storeId - b.storeId);
  if (ordered.length) {
    const keys = [ordered.map((d) => d.itemId), ordered.map((d) => d.storeId)];
    await db.query(
      `insert into stock_level (item_id, store_id, quantity)
       select item_id, store_id, 0 from unnest($1::int[], $2::int[]) as t(item_id, store_id) order by item_id, store_id
       on conflict do nothing`,
      keys,
    );
    await db.query(
      `select 1 from stock_level s join unnest($1::int[], $2::int[]) as t(item_id, store_id) using (item_id, store_id)
       order by s.item_id, s.store_id for update of s`,
      keys,
    );
    const { rows } = await db.query(
      `update stock_level s set quantity = s.quantity + t.delta
       from unnest($1::int[], $2::int[], $3::int[]) as t(item_id, store_id, delta)
       where s.item_id = t.item_id and s.store_id = t.store_id and s.quantity + t.delta >= 0
       returning s.item_id, s.store_id`,
      [...keys, ordered.map((d) => d.delta)],
    );
    if (rows.length !== ordered.length) {
      const applied = new Set(rows.map((r) => `${r.item_id}:${r.store_id}`));
      throw new StockConflictError(
        [],
        ordered.filter((d) => !applied.has(`${d.itemId}:${d.storeId}`)).map(({ itemId, storeId }) => ({ itemId, storeId })),
      );
    }
  }

  // SER-5: the ledger, one row per unit and one per quantity change.
  const ev = {
    item: [] as number[],
    unit: [] as (number | null)[],
    serial: [] as (string | null)[],
    qty: [] as number[],
    store: [] as (number | null)[],
  };
  for (const r of unitRows) {
    const storeId = r.to_store ?? r.from_store;
    ev.item.push(r.item_id);
    ev.unit.push(r.id);
    ev.serial.push(r.serial);
    ev.qty.push(r.to_store != null ? 1 : r.from_store != null ? -1 : 0);
    ev.store.push(storeId);
  }
  for (const q of m.quantities ?? []) {
    if (q.delta === 0) continue;
    ev.item.push(q.itemId);
    ev.unit.push(null);
    ev.serial.push(null);
    ev.qty.push(q.delta);
    ev.store.push(q.storeId);
  }
  let eventIds: number[] = [];
  if (ev.item.length) {
    const { rows } = await db.query(
      `insert into stock_event (type, item_id, unit_id, serial, quantity, store_id, source_store_id, destination_store_id, register_id, customer_id,
                                document_kind, document_id, document_number, user_id, reason, event_label)
       select $1, t.item_id, t.unit_id, t.serial, t.qty, t.store_id, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16
       from unnest($2::int[], $3::bigint[], $4::text[], $5::int[], $6::int[]) as t(item_id, unit_id, serial, qty, store_id)
       returning id`,
      [
        m.type,
        ev.item,
        ev.unit,
        ev.serial,
        ev.qty,
        ev.store,
        m.sourceStoreId ?? null,
        m.destinationStoreId ?? null,
        m.registerId ?? null,
        m.customerId ?? null,
        m.document.kind,
        m.document.id,
        m.document.number,
        m.userId,
        m.reason ?? null,
        m.eventLabel ?? null,
      ],
    );
    eventIds = rows.map((r) => Number(r.id));
    // RT-2: the doorbell rings only if this transaction commits.
    await db.query(`select pg_notify('stock_event', '')`);
  }
  return { unitIds: unitRows.map((r) => r.id), eventIds };
}

/** New units, or units that left, arriving at `to`. A unit that is IN_STOCK or IN_TRANSIT is left alone (RCV-3). */
async function arrive(db: pg.PoolClient, moves: UnitMove[], to: Place) {
  const { rows } = await db.query(
    `insert into serial_unit as u (item_id, serial, serial_key, state, store_id, transfer_id)
     select item_id, serial, serial_key, $4, $5, $6 from unnest($1::int[], $2::text[], $3::text[]) as t(item_id, serial, serial_key)
     order by item_id, serial_key
     on conflict (item_id, serial_key) do update set state = excluded.state, store_id = excluded.store_id, transfer_id = excluded.transfer_id,
       serial = excluded.serial, updated_at = now()
     where u.state not in ('IN_STOCK', 'IN_TRANSIT')
     returning u.id, u.item_id, u.serial, null::int as from_store, u.store_id as to_store`,
    [
      moves.map((m) => m.itemId),
      moves.map((m) => m.serial),
      moves.map((m) => m.serialKey),
      to.state,
      to.storeId ?? null,
      to.transferId ?? null,
    ],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Units moving from an expected place: locked in id order, then updated only where they still are. */
async function move(db: pg.PoolClient, moves: UnitMove[], from: Place, to: Place) {
  const params = [moves.map((m) => m.itemId), moves.map((m) => m.serialKey)];
  await db.query(
    `select u.id from serial_unit u join unnest($1::int[], $2::text[]) as t(item_id, serial_key) using (item_id, serial_key) order by u.id for update of u`,
    params,
  );
  const { rows } = await db.query(
    `update serial_unit u set state = $3, store_id = $4, transfer_id = $5, updated_at = now()
     from unnest($1::int[], $2::text[]) as t(item_id, serial_key)
     where u.item_id = t.item_id and u.serial_key = t.serial_key
       and u.state = $6 and u.store_id is not distinct from $7 and u.transfer_id is not distinct from $8
     returning u.id, u.item_id, u.serial, $7::int as from_store, u.store_id as to_store`,
    [...params, to.state, to.storeId ?? null, to.transferId ?? null, from.state, from.storeId ?? null, from.transferId ?? null],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Where the units that could not move actually are. */
export async function describe(db: pg.PoolClient | pg.Pool, moves: UnitMove[]): Promise<UnitConflict[]> {
  const { rows } = await db.query(
    `select t.n, u.state, u.store_id, s.code as store_code, u.transfer_id
     from unnest($1::int[], $2::text[]) with ordinality as t(item_id, serial_key, n)
     left join serial_unit u on u.item_id = t.item_id and u.serial_key = t.serial_key
     left join store s on s.id = u.store_id`,
    [moves.map((m) => m.itemId), moves.map((m) => m.serialKey)],
  );
  return rows.map((r) => {
    const mv = moves[Number(r.n) - 1]!;
    return {
      index: mv.index,
      itemId: mv.itemId,
      serial: mv.serial,
      state: r.state,
      storeId: r.store_id,
      storeCode: r.store_code,
      transferId: r.transfer_id,
    };
  });
}
