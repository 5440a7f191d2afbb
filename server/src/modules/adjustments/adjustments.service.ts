import { queryAll } from '../../common/db.js';
import { lineItemIds, unknownItemMessage } from '../catalog/item-codes.js';
import type pg from 'pg';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { SerialLevel } from '../catalog/catalog.entities.js';
import { PolicyService, type EffectivePolicy } from '../catalog/policy.service.js';
import { applyMovement, StockConflictError, type EventType, type UnitMove } from '../stock/stock.service.js';
import { matchesPattern, serialKey, serialProblem } from '../stock/serial-input.js';
import { whereIs } from '../sales/sales.service.js';

const policies = new PolicyService();

export type AdjustmentMode = 'ADD' | 'SUBTRACT' | 'FINAL_QUANTITY';
export interface StockLineInput {
  code?: string | null;
  itemId?: number | null;
  quantity: number;
  serials?: string[] | null;
}

/** What posting a line will change (ADJ-1 preview). */
export interface LinePlan {
  index: number;
  itemId: number;
  level: SerialLevel;
  onHand: number;
  resulting: number;
  delta: number;
  add: { serial: string; key: string }[];
  remove: { serial: string; key: string }[];
  /** Unserialized quantity change. */
  quantityDelta: number;
}

interface UnitRow {
  item_id: number;
  serial: string;
  serial_key: string;
  state: string;
  store_id: number | null;
  store_code: string | null;
}

/**
 * Plans stock lines for adjustments (ADJ-1) and returns to vendor (RTV-1): resolves items,
 * checks serial counts per policy and where every named unit is, set-based. Nothing is written.
 */
export async function planLines(
  db: pg.PoolClient | pg.Pool,
  storeId: number,
  mode: AdjustmentMode,
  lines: StockLineInput[],
): Promise<{ plans: LinePlan[]; errors: UserError[] }> {
  const errors: UserError[] = [];
  const ids = await lineItemIds(db, lines);
  const pol = await policies.policiesFor(
    db,
    ids.filter((x): x is number => x != null),
  );
  const itemIds = [...pol.keys()];
  const allKeys = lines.flatMap((l) => (l.serials ?? []).map(serialKey));
  const [levels, units, hereUnits] = await queryAll(db, [
    [`select item_id, quantity from stock_level where store_id = $1 and item_id = any($2::int[])`, [storeId, itemIds]],
    [
      `select u.item_id, u.serial, u.serial_key, u.state, u.store_id, s.code as store_code from serial_unit u left join store s on s.id = u.store_id where u.item_id = any($1::int[]) and u.serial_key = any($2::text[])`,
      [itemIds, allKeys],
    ],
    mode === 'FINAL_QUANTITY'
      ? [
          `select item_id, serial, serial_key from serial_unit where store_id = $1 and state = 'IN_STOCK' and item_id = any($2::int[])`,
          [storeId, itemIds],
        ]
      : null,
  ]);
  const levelOf = new Map(levels.rows.map((r) => [r.item_id as number, r.quantity as number]));
  const unitOf = new Map((units.rows as UnitRow[]).map((u) => [`${u.item_id}\u0000${u.serial_key}`, u]));
  const seenItems = new Set<number>();
  const plans: LinePlan[] = [];
  for (const [i, l] of lines.entries()) {
    const f = `input.lines.${i}`;
    const itemId = ids[i];
    const p = itemId != null ? pol.get(itemId) : undefined;
    if (itemId == null || !p) {
      errors.push(UserError.of(E.NOT_FOUND, unknownItemMessage(l), `${f}.code`, i));
      continue;
    }
    if (seenItems.has(itemId)) {
      errors.push(UserError.of(E.DUPLICATE, 'One line per item.', `${f}.code`, i));
      continue;
    }
    seenItems.add(itemId);
    const qty = l.quantity;
    if (!Number.isInteger(qty) || qty < (mode === 'FINAL_QUANTITY' ? 0 : 1) || qty > 100_000) {
      errors.push(
        UserError.of(
          E.INVALID_INPUT,
          mode === 'FINAL_QUANTITY' ? 'The final quantity is a whole number from 0.' : 'Quantity must be a whole number from 1.',
          `${f}.quantity`,
          i,
        ),
      );
      continue;
    }
    const serials = (l.serials ?? []).map((s) => s.trim()).filter(Boolean);
    const lineErrors = checkSerialCount(p, qty, serials.length, f, i);
    const keys = new Set<string>();
    for (const [j, s] of serials.entries()) {
      const problem = serialProblem(s);
      if (problem) lineErrors.push(UserError.of(E.INVALID_SERIAL, problem.message, `${f}.serials.${j}`, i));
      else if (!matchesPattern(s, p.pattern))
        lineErrors.push(UserError.of(E.PATTERN_MISMATCH, `Serial ${s} does not fit the pattern ${p.pattern}.`, `${f}.serials.${j}`, i));
      else if (keys.has(serialKey(s))) lineErrors.push(UserError.of(E.DUPLICATE, `Serial ${s} is listed twice.`, `${f}.serials.${j}`, i));
      keys.add(serialKey(s));
    }
    if (lineErrors.length) {
      errors.push(...lineErrors);
      continue;
    }
    const onHand = levelOf.get(itemId) ?? 0;
    const plan: LinePlan = { index: i, itemId, level: p.level, onHand, resulting: onHand, delta: 0, add: [], remove: [], quantityDelta: 0 };
    const named = serials.map((s) => ({ serial: s, key: serialKey(s), unit: unitOf.get(`${itemId}\u0000${serialKey(s)}`) }));
    const here = (u?: UnitRow) => u?.state === 'IN_STOCK' && u.store_id === storeId;
    if (mode === 'SUBTRACT') {
      for (const [j, n] of named.entries()) {
        if (!here(n.unit))
          lineErrors.push(
            UserError.of(
              E.NOT_IN_STOCK_HERE,
              `${whereIs({ state: (n.unit?.state ?? null) as never, storeCode: n.unit?.store_code ?? null, serial: n.serial })}.`,
              `${f}.serials.${j}`,
              i,
            ),
          );
      }
      plan.remove = named.map(({ serial, key }) => ({ serial, key }));
      plan.quantityDelta = -(qty - named.length);
      plan.delta = -qty;
      if (onHand < qty && !lineErrors.length)
        lineErrors.push(UserError.of(E.INSUFFICIENT_STOCK, `Only ${onHand} on hand; cannot subtract ${qty}.`, `${f}.quantity`, i));
    } else if (mode === 'ADD') {
      for (const [j, n] of named.entries()) {
        if (n.unit && (n.unit.state === 'IN_STOCK' || n.unit.state === 'IN_TRANSIT')) {
          lineErrors.push(
            UserError.of(
              n.unit.state === 'IN_TRANSIT' ? E.IN_TRANSIT : E.IN_STOCK_ELSEWHERE,
              `${whereIs({ state: n.unit.state as never, storeCode: n.unit.store_code, serial: n.serial })}${n.unit.state === 'IN_STOCK' && n.unit.store_id !== storeId ? ': transfer it instead' : ''}.`,
              `${f}.serials.${j}`,
              i,
            ),
          );
        }
      }
      plan.add = named.map(({ serial, key }) => ({ serial, key }));
      plan.quantityDelta = qty - named.length;
      plan.delta = qty;
    } else {
      // FINAL_QUANTITY: the listed serials are the complete set on hand.
      const current = (hereUnits.rows as UnitRow[]).filter((u) => u.item_id === itemId);
      for (const [j, n] of named.entries()) {
        if (here(n.unit)) continue;
        if (n.unit?.state === 'IN_STOCK')
          lineErrors.push(
            UserError.of(
              E.IN_STOCK_ELSEWHERE,
              `Serial ${n.serial} is in stock at ${n.unit.store_code}: transfer it.`,
              `${f}.serials.${j}`,
              i,
            ),
          );
        else if (n.unit?.state === 'IN_TRANSIT')
          lineErrors.push(UserError.of(E.IN_TRANSIT, `Serial ${n.serial} is in transit: receive the transfer.`, `${f}.serials.${j}`, i));
        else plan.add.push({ serial: n.serial, key: n.key });
      }
      plan.remove = current.filter((u) => !keys.has(u.serial_key)).map((u) => ({ serial: u.serial, key: u.serial_key }));
      const unserializedNow = onHand - current.length;
      plan.quantityDelta = qty - named.length - unserializedNow;
      plan.delta = qty - onHand;
      if (p.level === SerialLevel.NEVER) plan.quantityDelta = qty - onHand;
    }
    plan.resulting = onHand + plan.delta;
    if (lineErrors.length) errors.push(...lineErrors);
    else plans.push(plan);
  }
  return { plans, errors };
}

function checkSerialCount(p: EffectivePolicy, qty: number, count: number, f: string, i: number): UserError[] {
  if (p.level === SerialLevel.ALWAYS && count !== qty)
    return [
      UserError.of(
        E.SERIAL_COUNT_MISMATCH,
        `This item is always serialized: ${qty} unit(s) need ${qty} serial(s); ${count} given.`,
        `${f}.serials`,
        i,
      ),
    ];
  if (p.level === SerialLevel.SOMETIMES && count > qty)
    return [UserError.of(E.SERIAL_COUNT_MISMATCH, `${count} serials for ${qty} unit(s).`, `${f}.serials`, i)];
  if (p.level === SerialLevel.NEVER && count > 0)
    return [UserError.of(E.SERIALS_NOT_ALLOWED, 'This item is never serialized: list no serials.', `${f}.serials`, i)];
  return [];
}

/** Applies planned lines through the stock engine: removals, additions and quantity changes in one transaction. */
export async function applyPlans(
  db: pg.PoolClient,
  plans: LinePlan[],
  m: {
    type: EventType;
    storeId: number;
    document: { kind: string; id: number; number: string };
    userId: number;
    reason: string;
    removeTo: 'REMOVED' | 'RETURNED_TO_VENDOR';
  },
): Promise<UserError[]> {
  const moves = (pick: (p: LinePlan) => { serial: string; key: string }[]): UnitMove[] =>
    plans.flatMap((p) => pick(p).map((u) => ({ index: p.index, itemId: p.itemId, serial: u.serial, serialKey: u.key })));
  const base = { type: m.type, document: m.document, userId: m.userId, reason: m.reason };
  try {
    const removals = moves((p) => p.remove);
    if (removals.length)
      await applyMovement(db, {
        ...base,
        sourceStoreId: m.storeId,
        units: { moves: removals, from: { state: 'IN_STOCK', storeId: m.storeId }, to: { state: m.removeTo } },
      });
    const additions = moves((p) => p.add);
    if (additions.length)
      await applyMovement(db, {
        ...base,
        destinationStoreId: m.storeId,
        units: { moves: additions, from: 'ARRIVING', to: { state: 'IN_STOCK', storeId: m.storeId } },
      });
    const quantities = plans
      .filter((p) => p.quantityDelta !== 0)
      .map((p) => ({ itemId: p.itemId, storeId: m.storeId, delta: p.quantityDelta }));
    if (quantities.length) await applyMovement(db, { ...base, quantities });
    return [];
  } catch (e) {
    if (!(e instanceof StockConflictError)) throw e;
    if (e.conflicts.length)
      return e.conflicts.map((c) =>
        UserError.of(E.NOT_IN_STOCK_HERE, `${whereIs(c)}: it changed meanwhile; preview again.`, `input.lines.${c.index}.serials`, c.index),
      );
    return e.shortages.map((s) => UserError.of(E.INSUFFICIENT_STOCK, `Not enough of item ${s.itemId} on hand.`, 'input.lines'));
  }
}
