import { queryAll } from '../../common/db.js';
import { codesQuery, itemsByCode, lineItemIds, unknownItemMessage } from '../catalog/item-codes.js';
import type pg from 'pg';
import type { Ctx } from '../../common/context.js';
import { requireStore } from '../../common/auth.js';
import { notFound } from '../../common/errors.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { MAX_NOTE_LENGTH, tooLong } from '../../common/limits.js';
import { SerialLevel } from '../catalog/catalog.entities.js';
import { PolicyService } from '../catalog/policy.service.js';
import { applyMovement, StockConflictError } from '../stock/stock.service.js';
import { MAX_ENTRIES_PER_INPUT, serialKey, serialProblem, splitSerialInput } from '../stock/serial-input.js';
import { ScanOutcome as O, type ScanAnswer } from '../receiving/scan.js';
import { conflictError } from '../receiving/receiving.service.js';

const policies = new PolicyService();

export type TransferStatus = 'DRAFT' | 'SHIPPED' | 'RECEIVING' | 'RECEIVED' | 'RECEIVED_WITH_DISCREPANCY' | 'CANCELED';
export interface TransferRow {
  id: number;
  number: string;
  from_store_id: number;
  to_store_id: number;
  status: TransferStatus;
}
interface LineRow {
  id: number;
  line_no: number;
  item_id: number;
  quantity: number;
  shipped_quantity: number;
  received_quantity: number;
  received_posted: number;
  serials: number;
  serials_received: number;
  serials_posted: number;
  serials_written_off: number;
}

/** The side of a transfer a user acts on: the source ships, the destination receives (TRF-1). */
export type Side = 'SHIP' | 'RECEIVE';
const RECEIVABLE: TransferStatus[] = ['SHIPPED', 'RECEIVING', 'RECEIVED_WITH_DISCREPANCY'];

export class TransfersService {
  async create(
    db: pg.PoolClient,
    userId: number,
    input: {
      fromStoreId: number;
      toStoreId: number;
      note?: string | null;
      lines?: { itemId?: number | null; code?: string | null; quantity?: number | null }[] | null;
    },
  ) {
    const errors: UserError[] = [];
    if (input.fromStoreId === input.toStoreId)
      errors.push(UserError.of(E.INVALID_INPUT, 'A transfer goes to another store.', 'input.toStoreId'));
    if (!(await db.query('select 1 from store where id = $1 and active', [input.toStoreId])).rowCount)
      errors.push(UserError.of(E.NOT_FOUND, `Store ${input.toStoreId} does not exist.`, 'input.toStoreId'));
    const lines = input.lines ?? [];
    const ids = await lineItemIds(db, lines);
    const known = new Set(
      (await db.query('select id from item where id = any($1::int[])', [ids.filter((x) => x != null)])).rows.map((r) => r.id),
    );
    const seen = new Set<number>();
    lines.forEach((l, i) => {
      const id = ids[i];
      if (id == null || !known.has(id)) errors.push(UserError.of(E.NOT_FOUND, unknownItemMessage(l), `input.lines.${i}.itemId`, i));
      else if (seen.has(id)) errors.push(UserError.of(E.DUPLICATE, 'One line per item.', `input.lines.${i}.itemId`, i));
      if (id != null) seen.add(id);
      if (l.quantity != null && (!Number.isInteger(l.quantity) || l.quantity < 0 || l.quantity > 100_000))
        errors.push(UserError.of(E.INVALID_INPUT, 'Quantity must be a whole number from 0 to 100,000.', `input.lines.${i}.quantity`, i));
    });
    const noteTooLong = tooLong(input.note, MAX_NOTE_LENGTH, 'input.note', 'The note');
    if (noteTooLong) errors.push(noteTooLong);
    if (errors.length) return { errors };
    const { rows } = await db.query(
      `insert into transfer (number, from_store_id, to_store_id, note, created_by) values ('TRF-' || lpad(nextval('transfer_number_seq')::text, 6, '0'), $1, $2, $3, $4) returning id`,
      [input.fromStoreId, input.toStoreId, input.note?.trim() ?? '', userId],
    );
    const id = rows[0].id as number;
    if (lines.length) {
      await db.query(
        `insert into transfer_line (transfer_id, line_no, item_id, quantity) select $1, n, item_id, qty from unnest($2::int[], $3::int[]) with ordinality as t(item_id, qty, n)`,
        [id, ids, lines.map((l) => l.quantity ?? 0)],
      );
    }
    return { id, errors: [] as UserError[] };
  }

  /** Locks the transfer and checks the caller may act on the given side and that the status allows it. */
  async lock(ctx: Ctx, db: pg.PoolClient, id: number, side: Side, allowed: TransferStatus[]): Promise<TransferRow | UserError> {
    const { rows } = await db.query<TransferRow>(
      `select id, number, from_store_id, to_store_id, status from transfer where id = $1 for update`,
      [id],
    );
    const t = rows[0] ?? notFound('Transfer', id);
    requireStore(ctx, side === 'SHIP' ? t.from_store_id : t.to_store_id);
    if (!allowed.includes(t.status)) {
      return UserError.of(
        E.DOCUMENT_NOT_OPEN,
        `Transfer ${t.number} is ${t.status.toLowerCase().replace(/_/g, ' ')}: it cannot be ${side === 'SHIP' ? 'changed for shipping' : 'received'} now.`,
        'input.transferId',
      );
    }
    return t;
  }

  async lines(db: pg.PoolClient | pg.Pool, transferId: number): Promise<LineRow[]> {
    const { rows } = await db.query(
      `select l.*, coalesce(s.n, 0)::int as serials, coalesce(s.received, 0)::int as serials_received, coalesce(s.posted, 0)::int as serials_posted,
              coalesce(s.written_off, 0)::int as serials_written_off
       from transfer_line l
       left join (select line_id, count(*) as n, count(received_at) as received, count(*) filter (where posted) as posted, count(*) filter (where written_off) as written_off
                  from transfer_serial where transfer_id = $1 group by line_id) s on s.line_id = l.id
       where l.transfer_id = $1 order by l.line_no`,
      [transferId],
    );
    return rows;
  }

  /** DOC-3 at the source: each serial must be IN_STOCK there (TRF-2). At the destination: only serials shipped on this transfer (TRF-3). */
  async scan(
    ctx: Ctx,
    db: pg.PoolClient,
    t: TransferRow,
    side: Side,
    text: string,
    currentItemId: number | null,
  ): Promise<{ answers: ScanAnswer[]; currentItemId: number | null; errors: UserError[] }> {
    const entries = splitSerialInput(text);
    if (entries.length > MAX_ENTRIES_PER_INPUT)
      return {
        answers: [],
        currentItemId,
        errors: [
          UserError.of(E.TOO_MANY_ENTRIES, `At most ${MAX_ENTRIES_PER_INPUT.toLocaleString('en-US')} serials at once.`, 'input.input'),
        ],
      };
    if (!entries.length)
      return { answers: [{ index: 0, input: text, outcome: O.INVALID_SERIAL, message: 'The scan was empty.' }], currentItemId, errors: [] };
    const keys = entries.map(serialKey);
    const lines = await this.lines(db, t.id);
    const lineByItem = new Map(lines.map((l) => [l.item_id, l]));
    const [codes, onTransfer, units] = await queryAll(db, [
      codesQuery(keys),
      [
        `select serial_key, item_id, line_id, received_at is not null as received from transfer_serial where transfer_id = $1 and serial_key = any($2::text[])`,
        [t.id, keys],
      ],
      side === 'SHIP'
        ? [
            `select u.item_id, u.serial_key, u.state, u.store_id, s.code as store_code from serial_unit u left join store s on s.id = u.store_id where u.serial_key = any($1::text[])`,
            [keys],
          ]
        : null,
    ]);
    const codeItem = itemsByCode(codes.rows);
    const onT = new Map<string, { item_id: number; line_id: number; received: boolean }[]>();
    for (const r of onTransfer.rows) onT.set(r.serial_key, [...(onT.get(r.serial_key) ?? []), r]);
    const unitAt = new Map(units.rows.map((r) => [`${r.item_id}\u0000${r.serial_key}`, r]));
    const itemIds = new Set<number>([
      ...lines.map((l) => l.item_id),
      ...codeItem.values(),
      ...(units?.rows.map((r) => r.item_id as number) ?? []),
    ]);
    if (currentItemId) itemIds.add(currentItemId);
    const pol = await policies.policiesFor(db, [...itemIds]);
    const names = new Map(
      (await db.query(`select id, product_id || ' ' || name as label from item where id = any($1::int[])`, [[...itemIds]])).rows.map(
        (r) => [r.id as number, r.label as string],
      ),
    );
    const label = (id: number) => names.get(id) ?? `item ${id}`;
    let current = currentItemId && pol.has(currentItemId) ? currentItemId : null;
    const answers: ScanAnswer[] = [];
    const registered: { lineId: number; itemId: number; serial: string; key: string }[] = [];
    const received: string[] = [];
    const counted = new Map<number, number>();

    const ensureLine = async (itemId: number): Promise<LineRow | null> => {
      const l = lineByItem.get(itemId);
      if (l || side === 'RECEIVE') return l ?? null;
      const { rows } = await db.query(
        `insert into transfer_line (transfer_id, line_no, item_id) values ($1, (select coalesce(max(line_no), 0) + 1 from transfer_line where transfer_id = $1), $2) returning *`,
        [t.id, itemId],
      );
      const created = { ...rows[0], serials: 0, serials_received: 0, serials_posted: 0, serials_written_off: 0 } as LineRow;
      lineByItem.set(itemId, created);
      return created;
    };

    for (const [index, input] of entries.entries()) {
      const key = keys[index]!;
      const answer = (outcome: O, message: string, extra: Partial<ScanAnswer> = {}) =>
        answers.push({ index, input, outcome, message, ...extra });
      const codeItemId = codeItem.get(key.toLowerCase());
      const hits = onT.get(key) ?? [];
      if (codeItemId != null && hits.length === 0) {
        const p = pol.get(codeItemId)!;
        if (current === codeItemId && p.level !== SerialLevel.NEVER) {
          answer(O.LOOKS_LIKE_UPC, `That is the product barcode of ${label(codeItemId)}: scan the serial number.`, { itemId: codeItemId });
          continue;
        }
        const line = await ensureLine(codeItemId);
        if (!line) {
          answer(O.NOT_EXPECTED, `${label(codeItemId)} was not shipped on ${t.number}.`, { itemId: codeItemId });
          continue;
        }
        current = codeItemId;
        if (p.level !== SerialLevel.NEVER) {
          answer(O.ITEM_SELECTED, `${label(codeItemId)}: scan its serial numbers.`, { itemId: codeItemId, lineId: line.id });
          continue;
        }
        if (side === 'SHIP') {
          if (line.quantity > 0 && line.shipped_quantity >= line.quantity) {
            answer(O.OVER_SCAN, `${label(codeItemId)}: all ${line.quantity} requested units are counted.`, {
              itemId: codeItemId,
              lineId: line.id,
            });
            continue;
          }
          line.shipped_quantity += 1;
          counted.set(line.id, (counted.get(line.id) ?? 0) + 1);
          answer(O.ITEM_COUNTED, `${label(codeItemId)}: ${line.shipped_quantity}${line.quantity ? ` of ${line.quantity}` : ''} to ship.`, {
            itemId: codeItemId,
            lineId: line.id,
            lineScanned: line.shipped_quantity,
            lineExpected: line.quantity || null,
          });
        } else {
          const unserializedShipped = line.shipped_quantity - line.serials;
          if (line.received_quantity >= unserializedShipped) {
            answer(O.OVER_SCAN, `${label(codeItemId)}: all ${unserializedShipped} shipped units are already counted.`, {
              itemId: codeItemId,
              lineId: line.id,
            });
            continue;
          }
          line.received_quantity += 1;
          counted.set(line.id, (counted.get(line.id) ?? 0) + 1);
          answer(O.ITEM_COUNTED, `${label(codeItemId)}: ${line.received_quantity} of ${unserializedShipped} received.`, {
            itemId: codeItemId,
            lineId: line.id,
            lineScanned: line.received_quantity,
            lineExpected: unserializedShipped,
          });
        }
        continue;
      }
      const problem = serialProblem(input);
      if (problem) {
        answer(O.INVALID_SERIAL, problem.message);
        continue;
      }
      if (side === 'RECEIVE') {
        // TRF-3: only serials shipped on this transfer.
        const hit = hits.find((h) => h.item_id === current) ?? hits[0];
        if (!hit) {
          answer(O.NOT_EXPECTED, `Serial ${input} was not shipped on ${t.number}.`, { serial: input });
          continue;
        }
        const line = lines.find((l) => l.id === hit.line_id)!;
        if (hit.received || received.includes(`${hit.item_id}\u0000${key}`)) {
          answer(O.DUPLICATE, `Serial ${input} is already received.`, {
            itemId: hit.item_id,
            lineId: line.id,
            serial: input,
            lineScanned: line.serials_received,
            lineExpected: line.serials,
          });
          continue;
        }
        received.push(`${hit.item_id}\u0000${key}`);
        line.serials_received += 1;
        current = hit.item_id;
        answer(O.ACCEPTED, `${label(hit.item_id)}: ${line.serials_received} of ${line.serials} received.`, {
          itemId: hit.item_id,
          lineId: line.id,
          serial: input,
          lineScanned: line.serials_received,
          lineExpected: line.serials,
        });
        continue;
      }
      // SHIP side (TRF-2).
      const itemId = current;
      if (itemId == null) {
        answer(O.NEED_ITEM, `Scan the item's UPC before its serial ${input}.`);
        continue;
      }
      const p = pol.get(itemId)!;
      const line = (await ensureLine(itemId))!;
      if (p.level === SerialLevel.NEVER) {
        answer(O.NOT_SERIALIZED, `${label(itemId)} is never serialized: scan its UPC to count it.`, { itemId, lineId: line.id });
        continue;
      }
      if (hits.some((h) => h.item_id === itemId) || registered.some((r) => r.itemId === itemId && r.key === key)) {
        answer(O.DUPLICATE, `Serial ${input} is already on this transfer.`, { itemId, lineId: line.id, serial: input });
        continue;
      }
      const unit = unitAt.get(`${itemId}\u0000${key}`);
      const otherItem = unit
        ? undefined
        : units!.rows.find((r) => r.serial_key === key && r.state === 'IN_STOCK' && r.store_id === t.from_store_id);
      if (otherItem) {
        // DOC-3: the serial of a unit here, of another item than the one being scanned.
        answer(
          O.WRONG_ITEM,
          `Serial ${input} is a unit of ${label(otherItem.item_id)}, not of ${label(itemId)}: scan that item's UPC first.`,
          { itemId: otherItem.item_id, serial: input },
        );
        continue;
      }
      if (!unit || unit.state !== 'IN_STOCK' || unit.store_id !== t.from_store_id) {
        const [outcome, where] = !unit
          ? [O.NOT_IN_STOCK_HERE, 'not known here']
          : unit.state === 'IN_STOCK'
            ? [O.IN_STOCK_ELSEWHERE, `in stock at ${unit.store_code}`]
            : unit.state === 'IN_TRANSIT'
              ? [O.IN_TRANSIT, 'in transit']
              : [O.NOT_IN_STOCK_HERE, unit.state.toLowerCase().replace(/_/g, ' ')];
        answer(outcome, `Serial ${input} of ${label(itemId)} is ${where}; only units in stock here can ship.`, {
          itemId,
          lineId: line.id,
          serial: input,
          storeCode: unit?.store_code ?? null,
        });
        continue;
      }
      if (line.quantity > 0 && line.serials >= line.quantity) {
        answer(O.OVER_SCAN, `${label(itemId)}: all ${line.quantity} requested units are registered.`, {
          itemId,
          lineId: line.id,
          serial: input,
        });
        continue;
      }
      line.serials += 1;
      if (line.shipped_quantity < line.serials) {
        line.shipped_quantity += 1;
        counted.set(line.id, (counted.get(line.id) ?? 0) + 1);
      }
      registered.push({ lineId: line.id, itemId, serial: input, key });
      answer(O.ACCEPTED, `${label(itemId)}: ${line.serials}${line.quantity ? ` of ${line.quantity}` : ''} registered to ship.`, {
        itemId,
        lineId: line.id,
        serial: input,
        lineScanned: line.serials,
        lineExpected: line.quantity || null,
      });
    }

    if (registered.length) {
      await db.query(
        `insert into transfer_serial (transfer_id, line_id, item_id, serial, serial_key, registered_by)
         select $1, line_id, item_id, serial, serial_key, $2 from unnest($3::int[], $4::int[], $5::text[], $6::text[]) as t(line_id, item_id, serial, serial_key)`,
        [
          t.id,
          ctx.viewer!.userId,
          registered.map((r) => r.lineId),
          registered.map((r) => r.itemId),
          registered.map((r) => r.serial),
          registered.map((r) => r.key),
        ],
      );
    }
    if (received.length) {
      const pairs = received.map((k) => k.split('\u0000'));
      await db.query(
        `update transfer_serial s set received_at = now(), received_by = $2 from unnest($3::int[], $4::text[]) as t(item_id, serial_key)
         where s.transfer_id = $1 and s.item_id = t.item_id and s.serial_key = t.serial_key and s.received_at is null`,
        [t.id, ctx.viewer!.userId, pairs.map((p) => Number(p[0])), pairs.map((p) => p[1])],
      );
    }
    if (counted.size) {
      const col = side === 'SHIP' ? 'shipped_quantity' : 'received_quantity';
      await db.query(`update transfer_line l set ${col} = l.${col} + t.n from unnest($1::int[], $2::int[]) as t(id, n) where l.id = t.id`, [
        [...counted.keys()],
        [...counted.values()],
      ]);
    }
    if (side === 'RECEIVE' && (received.length || counted.size) && t.status === 'SHIPPED') {
      await db.query(`update transfer set status = 'RECEIVING' where id = $1`, [t.id]);
    }
    return { answers, currentItemId: current, errors: [] };
  }

  /** RCV-3's counting rule applied to shipping (TRF-2). */
  async shipBlockers(db: pg.PoolClient | pg.Pool, transferId: number): Promise<UserError[]> {
    const lines = await this.lines(db, transferId);
    const pol = await policies.policiesFor(
      db,
      lines.map((l) => l.item_id),
    );
    const errors: UserError[] = [];
    for (const [i, l] of lines.entries()) {
      const p = pol.get(l.item_id)!;
      const what = `Line ${l.line_no}`;
      if (p.level === SerialLevel.ALWAYS && l.serials !== l.shipped_quantity)
        errors.push(
          UserError.of(E.SERIAL_COUNT_MISMATCH, `${what}: ${l.shipped_quantity} to ship but ${l.serials} serial(s).`, `lines.${i}`, i),
        );
      if (p.level === SerialLevel.SOMETIMES && l.serials > l.shipped_quantity)
        errors.push(UserError.of(E.SERIAL_COUNT_MISMATCH, `${what}: more serials than units.`, `lines.${i}`, i));
      if (p.level === SerialLevel.NEVER && l.serials > 0)
        errors.push(UserError.of(E.SERIALS_NOT_ALLOWED, `${what}: the item is never serialized now.`, `lines.${i}`, i));
    }
    if (!lines.some((l) => l.shipped_quantity > 0))
      errors.push(UserError.of(E.NOTHING_TO_POST, 'Nothing is registered to ship yet.', 'lines'));
    return errors;
  }

  /** TRF-1/2: source stock down, units IN_TRANSIT on this transfer, atomically. */
  async ship(db: pg.PoolClient, t: TransferRow, userId: number): Promise<UserError[]> {
    const blockers = await this.shipBlockers(db, t.id);
    if (blockers.length) return blockers;
    const { rows: serials } = await db.query(`select item_id, serial, serial_key from transfer_serial where transfer_id = $1`, [t.id]);
    const lines = await this.lines(db, t.id);
    try {
      await applyMovement(db, {
        type: 'TRANSFER_OUT',
        document: { kind: 'TRANSFER', id: t.id, number: t.number },
        userId,
        sourceStoreId: t.from_store_id,
        destinationStoreId: t.to_store_id,
        units: {
          moves: serials.map((s, index) => ({ index, itemId: s.item_id, serial: s.serial, serialKey: s.serial_key })),
          from: { state: 'IN_STOCK', storeId: t.from_store_id },
          to: { state: 'IN_TRANSIT', transferId: t.id },
        },
        quantities: lines
          .filter((l) => l.shipped_quantity > l.serials)
          .map((l) => ({ itemId: l.item_id, storeId: t.from_store_id, delta: -(l.shipped_quantity - l.serials) })),
      });
    } catch (e) {
      if (e instanceof StockConflictError) {
        if (e.conflicts.length)
          return e.conflicts.map((c) =>
            c.state === 'IN_STOCK' && c.storeId === t.from_store_id
              ? conflictError(c)
              : UserError.of(E.NOT_IN_STOCK_HERE, conflictError(c).message, `serials.${c.index}`, c.index),
          );
        return e.shortages.map((s) => UserError.of(E.INSUFFICIENT_STOCK, `Not enough units of item ${s.itemId} on hand to ship.`, 'lines'));
      }
      throw e;
    }
    await db.query(`update transfer set status = 'SHIPPED', shipped_by = $2, shipped_at = now() where id = $1`, [t.id, userId]);
    return [];
  }

  /** TRF-3: posts what the destination has checked off; the rest stays IN_TRANSIT as a discrepancy. */
  async receive(db: pg.PoolClient, t: TransferRow, userId: number): Promise<UserError[]> {
    const { rows: serials } = await db.query(
      `select item_id, serial, serial_key from transfer_serial where transfer_id = $1 and received_at is not null and not posted and not written_off`,
      [t.id],
    );
    const lines = await this.lines(db, t.id);
    const quantities = lines
      .filter((l) => l.received_quantity > l.received_posted)
      .map((l) => ({ itemId: l.item_id, storeId: t.to_store_id, delta: l.received_quantity - l.received_posted }));
    if (!serials.length && !quantities.length)
      return [UserError.of(E.NOTHING_TO_POST, 'Nothing has been received since the last posting: scan what arrived.', 'lines')];
    try {
      await applyMovement(db, {
        type: 'TRANSFER_IN',
        document: { kind: 'TRANSFER', id: t.id, number: t.number },
        userId,
        sourceStoreId: t.from_store_id,
        destinationStoreId: t.to_store_id,
        units: {
          moves: serials.map((s, index) => ({ index, itemId: s.item_id, serial: s.serial, serialKey: s.serial_key })),
          from: { state: 'IN_TRANSIT', transferId: t.id },
          to: { state: 'IN_STOCK', storeId: t.to_store_id },
        },
        quantities,
      });
    } catch (e) {
      if (e instanceof StockConflictError) return e.conflicts.map((c) => conflictError(c));
      throw e;
    }
    await db.query(`update transfer_serial set posted = true where transfer_id = $1 and received_at is not null and not written_off`, [
      t.id,
    ]);
    await db.query(`update transfer_line set received_posted = received_quantity where transfer_id = $1`, [t.id]);
    await this.settleStatus(db, t.id, userId);
    return [];
  }

  /** A manager writes off units still in transit: they become REMOVED with the reason (TRF-3). */
  async writeOff(db: pg.PoolClient, t: TransferRow, userId: number, reason: string): Promise<UserError[]> {
    if (!reason.trim()) return [UserError.of(E.REQUIRED, 'Give a reason for the write-off.', 'input.reason')];
    const reasonTooLong = tooLong(reason, MAX_NOTE_LENGTH, 'input.reason', 'The reason');
    if (reasonTooLong) return [reasonTooLong];
    if (t.status !== 'RECEIVED_WITH_DISCREPANCY')
      return [
        UserError.of(
          E.DOCUMENT_NOT_OPEN,
          'Post what arrived first; only the discrepancy left after receiving can be written off.',
          'input.transferId',
        ),
      ];
    const { rows: serials } = await db.query(
      `select item_id, serial, serial_key from transfer_serial where transfer_id = $1 and not posted and not written_off`,
      [t.id],
    );
    const lines = await this.lines(db, t.id);
    const lost = lines.filter((l) => l.shipped_quantity - l.serials > l.received_posted);
    if (!serials.length && !lost.length)
      return [UserError.of(E.NOTHING_TO_POST, 'Nothing is missing on this transfer.', 'input.transferId')];
    if (serials.length) {
      try {
        await applyMovement(db, {
          type: 'ADJUSTMENT',
          document: { kind: 'TRANSFER', id: t.id, number: t.number },
          userId,
          reason: `Transfer write-off: ${reason.trim()}`,
          sourceStoreId: t.from_store_id,
          destinationStoreId: t.to_store_id,
          units: {
            moves: serials.map((s, index) => ({ index, itemId: s.item_id, serial: s.serial, serialKey: s.serial_key })),
            from: { state: 'IN_TRANSIT', transferId: t.id },
            to: { state: 'REMOVED' },
          },
        });
      } catch (e) {
        if (e instanceof StockConflictError) return e.conflicts.map((c) => conflictError(c));
        throw e;
      }
    }
    await db.query(`update transfer_serial set written_off = true where transfer_id = $1 and not posted`, [t.id]);
    // Unserialized units lost in transit left the source when shipped; closing the line records that they will not arrive.
    await db.query(
      `update transfer_line set received_quantity = received_posted, shipped_quantity = received_posted + (select count(*) from transfer_serial s where s.line_id = transfer_line.id)::int where transfer_id = $1 and shipped_quantity - (select count(*) from transfer_serial s where s.line_id = transfer_line.id)::int > received_posted`,
      [t.id],
    );
    return [];
  }

  private async settleStatus(db: pg.PoolClient, transferId: number, userId: number): Promise<void> {
    const lines = await this.lines(db, transferId);
    const complete = lines.every(
      (l) => l.serials_posted + l.serials_written_off === l.serials && l.received_posted >= l.shipped_quantity - l.serials,
    );
    await db.query(`update transfer set status = $2, received_by = $3, received_at = now() where id = $1`, [
      transferId,
      complete ? 'RECEIVED' : 'RECEIVED_WITH_DISCREPANCY',
      userId,
    ]);
  }

  /** Units shipped but not (yet) received: serials still in transit and unserialized shortfalls. */
  async discrepancies(db: pg.Pool | pg.PoolClient, transferId: number) {
    const { rows } = await db.query(
      `select s.item_id, s.serial from transfer_serial s join transfer t on t.id = s.transfer_id
       where s.transfer_id = $1 and t.status in ('RECEIVED_WITH_DISCREPANCY', 'RECEIVING', 'SHIPPED') and not s.posted and not s.written_off order by s.item_id, s.serial_key`,
      [transferId],
    );
    const lines = await this.lines(db, transferId);
    return {
      serials: rows as { item_id: number; serial: string }[],
      quantities: lines
        .filter((l) => l.shipped_quantity - l.serials > l.received_posted)
        .map((l) => ({ itemId: l.item_id, missing: l.shipped_quantity - l.serials - l.received_posted })),
    };
  }
}

export const receivableStatuses = RECEIVABLE;
