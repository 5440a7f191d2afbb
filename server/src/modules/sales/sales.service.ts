import type pg from 'pg';
import type { Ctx } from '../../common/context.js';
import { statement } from '../../common/db.js';
import { hasDuty, requireStore } from '../../common/auth.js';
import { forbidden, notFound } from '../../common/errors.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { Duty } from '../auth/user.entity.js';
import { SerialLevel } from '../catalog/catalog.entities.js';
import { unknownItemMessage } from '../catalog/item-codes.js';
import { PolicyService, type EffectivePolicy } from '../catalog/policy.service.js';
import { applyMovement, StockConflictError, type UnitConflict } from '../stock/stock.service.js';
import { matchesPattern, serialKey, serialProblem } from '../stock/serial-input.js';

const policies = new PolicyService();

export type Fulfilment = 'CARRY_OUT' | 'PICKUP' | 'DELIVERY';
export interface SaleRow {
  id: number;
  number: string;
  store_id: number;
  register_id: number | null;
  customer_id: number | null;
  status: 'OPEN' | 'COMPLETED' | 'VOIDED';
}
interface LineRow {
  id: number;
  line_no: number;
  item_id: number;
  quantity: number;
  serial: string | null;
  serial_key: string | null;
  serial_status: string;
  fulfilment: Fulfilment;
  fulfilled: boolean;
  voided: boolean;
}

/** Where a unit is, in words, for refusals; `notHere` for a refusal because it is in stock elsewhere (not for a return, refused wherever the unit is). */
export function whereIs(c: Pick<UnitConflict, 'state' | 'storeCode' | 'serial'>, notHere = true): string {
  if (!c.state) return `Serial ${c.serial} is not known for this item`;
  if (c.state === 'IN_STOCK') return `Serial ${c.serial} is in stock at ${c.storeCode}${notHere ? ', not here' : ''}`;
  return `Serial ${c.serial} is ${c.state.toLowerCase().replace(/_/g, ' ')}`;
}

const withArticle = (words: string) => `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;

/**
 * Items of a sale whose lines without a serial ask for more than the store has on hand. Lines with
 * a serial (or waiting for one) are answered by where their unit is instead (NOT_IN_STOCK_HERE).
 */
const SHORT_LINES = statement(
  'sale_short_lines',
  `select min(l.line_no) as line_no, i.product_id, sum(l.quantity)::int as wanted, coalesce(max(sl.quantity), 0) as on_hand, st.code as store_code
   from sale_line l join sale s on s.id = l.sale_id join item i on i.id = l.item_id join store st on st.id = s.store_id
   left join stock_level sl on sl.item_id = l.item_id and sl.store_id = s.store_id
   where l.sale_id = $1 and not l.voided and l.fulfilment = 'CARRY_OUT' and not l.fulfilled and l.serial is null and l.serial_status <> 'PENDING'
   group by l.item_id, i.product_id, st.code
   having sum(l.quantity) > coalesce(max(sl.quantity), 0)
   order by 1`,
);

/** For a serial this item does not know: the item whose UPC or product id it is, or another item with that unit in stock here. */
const SERIAL_ELSEWHERE = statement(
  'sale_serial_elsewhere',
  `select (select i.product_id || ' ' || i.name from item_upc x join item i on i.id = x.item_id where x.upc = $1
           union all select product_id || ' ' || name from item where lower(product_id) = lower($1) limit 1) as upc_of,
          (select i.product_id || ' ' || i.name from serial_unit u join item i on i.id = u.item_id
           where u.serial_key = $1 and u.state = 'IN_STOCK' and u.store_id = $2 and u.item_id <> $3 limit 1) as unit_of`,
);

const REGISTER_OF_STORE = statement('register_of_store', 'select 1 from register where id = $1 and store_id = $2');

/** Sales and returns through the API a POS calls (SAL-1..5, RET-1). */
export class SalesService {
  async lockSale(ctx: Ctx, db: pg.PoolClient, saleId: number, allowed: SaleRow['status'][]): Promise<SaleRow | UserError> {
    const { rows } = await db.query<SaleRow>(
      `select id, number, store_id, register_id, customer_id, status from sale where id = $1 for update`,
      [saleId],
    );
    const s = rows[0] ?? notFound('Sale', saleId);
    requireStore(ctx, s.store_id);
    if (!allowed.includes(s.status))
      return UserError.of(
        E.DOCUMENT_NOT_OPEN,
        `Sale ${s.number} is ${s.status.toLowerCase()}; this needs ${withArticle(allowed.map((x) => x.toLowerCase()).join(' or '))} sale.`,
        'input.saleId',
      );
    return s;
  }

  async lines(db: pg.PoolClient | pg.Pool, saleId: number): Promise<LineRow[]> {
    return (await db.query(`select * from sale_line where sale_id = $1 order by line_no`, [saleId])).rows;
  }

  async resolveItem(db: pg.PoolClient, code: string): Promise<{ itemId: number; policy: EffectivePolicy } | null> {
    const c = code.trim();
    const { rows } = await db.query(
      `select item_id from item_upc where upc = $1 union all select id from item where lower(product_id) = lower($1) or id::text = $1 limit 1`,
      [c],
    );
    if (!rows[0]) return null;
    const policy = (await policies.policiesFor(db, [rows[0].item_id])).get(rows[0].item_id)!;
    return { itemId: rows[0].item_id, policy };
  }

  /** Checks a serial for selling at this store now (SAL-2); the completion re-checks it under a row lock. */
  async checkSellable(
    db: pg.PoolClient,
    sale: SaleRow,
    itemId: number,
    policy: EffectivePolicy,
    serial: string,
    field: string,
  ): Promise<UserError | null> {
    const problem = serialProblem(serial);
    if (problem) return UserError.of(E.INVALID_SERIAL, problem.message, field);
    if (!matchesPattern(serial, policy.pattern))
      return UserError.of(E.PATTERN_MISMATCH, `Serial ${serial.trim()} does not fit the pattern ${policy.pattern}.`, field);
    const key = serialKey(serial);
    const { rows } = await db.query(
      `select u.state, s.code as store_code, u.store_id from serial_unit u left join store s on s.id = u.store_id where u.item_id = $1 and u.serial_key = $2`,
      [itemId, key],
    );
    const u = rows[0];
    if (!u) {
      // DOC-3's answers where they apply: a product barcode scanned as the serial, or a unit here of another item.
      const { rows: other } = await db.query(SERIAL_ELSEWHERE([key, sale.store_id, itemId]));
      if (other[0]?.upc_of)
        return UserError.of(E.LOOKS_LIKE_UPC, `That is the product barcode of ${other[0].upc_of}: scan the serial number.`, field);
      if (other[0]?.unit_of)
        return UserError.of(E.WRONG_ITEM, `Serial ${serial.trim()} is a unit of ${other[0].unit_of} here, not of this item.`, field);
    }
    if (!u || u.state !== 'IN_STOCK' || u.store_id !== sale.store_id) {
      return UserError.of(
        E.NOT_IN_STOCK_HERE,
        `${whereIs({ state: u?.state ?? null, storeCode: u?.store_code ?? null, serial: serial.trim() })}: it cannot be sold here.`,
        field,
      );
    }
    const dup = await db.query(`select line_no from sale_line where sale_id = $1 and item_id = $2 and serial_key = $3 and not voided`, [
      sale.id,
      itemId,
      key,
    ]);
    if (dup.rows[0]) return UserError.of(E.DUPLICATE, `Serial ${serial.trim()} is already on line ${dup.rows[0].line_no}.`, field);
    return null;
  }

  /** SAL-1..5: adds a line. Serialized units get one line each; a serial may be given now, later, or marked not readable. */
  async addLine(
    ctx: Ctx,
    db: pg.PoolClient,
    sale: SaleRow,
    input: {
      code: string;
      serial?: string | null;
      addLater?: boolean | null;
      notReadable?: boolean | null;
      quantity?: number | null;
      fulfilment?: Fulfilment | null;
    },
  ): Promise<UserError[]> {
    const resolved = await this.resolveItem(db, input.code);
    if (!resolved) return [UserError.of(E.NOT_FOUND, unknownItemMessage(input), 'input.code')];
    const { itemId, policy } = resolved;
    const fulfilment = input.fulfilment ?? 'CARRY_OUT';
    const serial = input.serial?.trim() || null;
    let status: string;
    let quantity = 1;
    if (policy.level === SerialLevel.NEVER) {
      if (serial) return [UserError.of(E.NOT_SERIALIZED, 'This item is never serialized: sell it by quantity.', 'input.serial')];
      quantity = input.quantity ?? 1;
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > 10_000)
        return [UserError.of(E.INVALID_INPUT, 'Quantity must be a whole number from 1 to 10,000.', 'input.quantity')];
      status = 'NOT_SERIALIZED';
    } else {
      if ((input.quantity ?? 1) !== 1)
        return [UserError.of(E.INVALID_INPUT, 'Serialized items are sold one unit per line (SAL-1).', 'input.quantity')];
      if (serial) {
        const err = await this.checkSellable(db, sale, itemId, policy, serial, 'input.serial');
        if (err) return [err];
        status = 'GIVEN';
      } else if (input.notReadable) {
        // SAL-5: only where the policy allows a missing serial, and with the duty.
        if (policy.requiredWhenSelling)
          return [
            UserError.of(
              E.SERIAL_REQUIRED,
              'This item needs its serial to be sold; "not readable" is not allowed for it.',
              'input.notReadable',
            ),
          ];
        if (!hasDuty(ctx.viewer!, Duty.NOT_READABLE_REGISTRATION))
          forbidden('registering "not readable" without the not-readable registration duty');
        status = 'NOT_READABLE';
      } else if (policy.requiredWhenSelling) {
        if (!input.addLater && fulfilment === 'CARRY_OUT')
          return [UserError.of(E.SERIAL_REQUIRED, 'Scan the serial number, or choose "Add later".', 'input.serial')];
        status = 'PENDING';
      } else {
        status = 'NOT_REQUIRED';
      }
    }
    await db.query(
      `insert into sale_line (sale_id, line_no, item_id, quantity, serial, serial_key, serial_status, fulfilment)
       values ($1, (select coalesce(max(line_no), 0) + 1 from sale_line where sale_id = $1), $2, $3, $4, $5, $6, $7)`,
      [sale.id, itemId, quantity, serial, serial ? serialKey(serial) : null, status, fulfilment],
    );
    return [];
  }

  /** SAL-3: a pending serial can be given once; a given serial is never edited (void and re-add). */
  async setSerial(db: pg.PoolClient, sale: SaleRow, lineId: number, serial: string): Promise<UserError[]> {
    const line = (await db.query<LineRow>(`select * from sale_line where id = $1 and sale_id = $2`, [lineId, sale.id])).rows[0];
    if (!line || line.voided) return [UserError.of(E.NOT_FOUND, `Line ${lineId} is not on sale ${sale.number}.`, 'input.lineId')];
    if (line.serial_status === 'GIVEN')
      return [
        UserError.of(E.INVALID_INPUT, 'A given serial cannot be edited: void the line and add the item again (SAL-3).', 'input.serial'),
      ];
    if (line.serial_status !== 'PENDING') return [UserError.of(E.INVALID_INPUT, 'This line takes no serial.', 'input.serial')];
    if (line.fulfilled) return [UserError.of(E.INVALID_INPUT, 'This line is already fulfilled.', 'input.lineId')];
    const policy = (await policies.policiesFor(db, [line.item_id])).get(line.item_id)!;
    const err = await this.checkSellable(db, sale, line.item_id, policy, serial, 'input.serial');
    if (err) return [err];
    await db.query(`update sale_line set serial = $2, serial_key = $3, serial_status = 'GIVEN' where id = $1`, [
      lineId,
      serial.trim(),
      serialKey(serial),
    ]);
    return [];
  }

  /**
   * Lines that stop completion: carry-out lines still waiting for their serial (SAL-3, SAL-4), and
   * items with more to carry out than the store has on hand. Completing checks stock again under
   * its locks; this says so before anyone presses Complete.
   */
  async completionBlockers(db: pg.PoolClient | pg.Pool, saleId: number): Promise<UserError[]> {
    const lines = (await this.lines(db, saleId)).filter((l) => !l.voided);
    const errors = lines
      .filter((l) => l.serial_status === 'PENDING' && l.fulfilment === 'CARRY_OUT')
      .map((l) => UserError.of(E.SERIAL_REQUIRED, `Line ${l.line_no} is missing its serial number.`, `lines.${l.line_no}`, l.line_no));
    if (!lines.length) errors.push(UserError.of(E.NOTHING_TO_POST, 'The sale has no lines.', 'lines'));
    const { rows: short } = await db.query(SHORT_LINES([saleId]));
    for (const r of short)
      errors.push(
        UserError.of(
          E.INSUFFICIENT_STOCK,
          `Line ${r.line_no} (${r.product_id}): ${r.wanted} to carry out, ${r.on_hand} on hand at ${r.store_code}.`,
          `lines.${r.line_no}`,
          r.line_no,
        ),
      );
    return errors;
  }

  /** SAL-2: completes; carry-out units go SOLD in the same transaction, under row locks — a unit sold elsewhere first is refused. */
  async complete(ctx: Ctx, db: pg.PoolClient, sale: SaleRow): Promise<UserError[]> {
    const blockers = await this.completionBlockers(db, sale.id);
    if (blockers.length) return blockers;
    const lines = (await this.lines(db, sale.id)).filter((l) => !l.voided && l.fulfilment === 'CARRY_OUT');
    const errors = await this.moveOut(ctx, db, sale, lines);
    if (errors.length) return errors;
    await db.query(`update sale_line set fulfilled = true where sale_id = $1 and fulfilment = 'CARRY_OUT' and not voided`, [sale.id]);
    await db.query(`update sale set status = 'COMPLETED', completed_by = $2, completed_at = now() where id = $1`, [
      sale.id,
      ctx.viewer!.userId,
    ]);
    return [];
  }

  /** SAL-4: a pickup/delivery line is fulfilled later, with its serial then. */
  async fulfil(ctx: Ctx, db: pg.PoolClient, sale: SaleRow, lineId: number, serial?: string | null): Promise<UserError[]> {
    const line = (await db.query<LineRow>(`select * from sale_line where id = $1 and sale_id = $2 for update`, [lineId, sale.id])).rows[0];
    if (!line || line.voided) return [UserError.of(E.NOT_FOUND, `Line ${lineId} is not on sale ${sale.number}.`, 'input.lineId')];
    if (line.fulfilment === 'CARRY_OUT' || line.fulfilled)
      return [UserError.of(E.INVALID_INPUT, 'This line is not waiting for pickup or delivery.', 'input.lineId')];
    if (line.serial_status === 'PENDING') {
      if (!serial) return [UserError.of(E.SERIAL_REQUIRED, 'Scan the serial of the unit handed over.', 'input.serial')];
      const errs = await this.setSerial(db, sale, lineId, serial);
      if (errs.length) return errs;
    }
    const fresh = (await db.query<LineRow>(`select * from sale_line where id = $1`, [lineId])).rows;
    const errors = await this.moveOut(ctx, db, sale, fresh);
    if (errors.length) return errors;
    await db.query(`update sale_line set fulfilled = true where id = $1`, [lineId]);
    return [];
  }

  private async moveOut(ctx: Ctx, db: pg.PoolClient, sale: SaleRow, lines: LineRow[]): Promise<UserError[]> {
    const units = lines.filter((l) => l.serial);
    const quantities = lines.filter((l) => !l.serial).map((l) => ({ itemId: l.item_id, storeId: sale.store_id, delta: -l.quantity }));
    try {
      await applyMovement(db, {
        type: 'SALE',
        document: { kind: 'SALE', id: sale.id, number: sale.number },
        userId: ctx.viewer!.userId,
        registerId: sale.register_id,
        customerId: sale.customer_id,
        sourceStoreId: sale.store_id,
        units: {
          moves: units.map((l) => ({ index: l.line_no, itemId: l.item_id, serial: l.serial!, serialKey: l.serial_key! })),
          from: { state: 'IN_STOCK', storeId: sale.store_id },
          to: { state: 'SOLD' },
        },
        quantities,
      });
      return [];
    } catch (e) {
      if (!(e instanceof StockConflictError)) throw e;
      if (e.conflicts.length)
        return e.conflicts.map((c) =>
          UserError.of(E.NOT_IN_STOCK_HERE, `Line ${c.index}: ${whereIs(c)}; it cannot be sold.`, `lines.${c.index}`, c.index),
        );
      const { rows } = await db.query(`select id, product_id from item where id = any($1::int[])`, [e.shortages.map((s) => s.itemId)]);
      const productId = new Map(rows.map((r) => [r.id as number, r.product_id as string]));
      return e.shortages.map((s) =>
        UserError.of(
          E.INSUFFICIENT_STOCK,
          `Not enough of ${productId.get(s.itemId) ?? `item ${s.itemId}`} on hand at this store.`,
          'lines',
        ),
      );
    }
  }

  /** SAL-5: a user with the serial-corrections duty fills in a serial registered as not readable. */
  async correctSerial(ctx: Ctx, db: pg.PoolClient, sale: SaleRow, lineId: number, serial: string): Promise<UserError[]> {
    if (!hasDuty(ctx.viewer!, Duty.SERIAL_CORRECTIONS)) forbidden('correcting serials without the serial corrections duty');
    const line = (await db.query<LineRow>(`select * from sale_line where id = $1 and sale_id = $2 for update`, [lineId, sale.id])).rows[0];
    if (!line || line.serial_status !== 'NOT_READABLE')
      return [UserError.of(E.INVALID_INPUT, 'Only a line registered as "not readable" can be corrected.', 'input.lineId')];
    const policy = (await policies.policiesFor(db, [line.item_id])).get(line.item_id)!;
    const problem = serialProblem(serial);
    if (problem) return [UserError.of(E.INVALID_SERIAL, problem.message, 'input.serial')];
    if (!matchesPattern(serial, policy.pattern))
      return [UserError.of(E.PATTERN_MISMATCH, `Serial ${serial.trim()} does not fit the pattern ${policy.pattern}.`, 'input.serial')];
    if (line.fulfilled) {
      // The unit left as a quantity; now the unit itself goes SOLD and the quantity comes back, so stock stays the same.
      try {
        await applyMovement(db, {
          type: 'SALE',
          document: { kind: 'SALE', id: sale.id, number: sale.number },
          userId: ctx.viewer!.userId,
          registerId: sale.register_id,
          customerId: sale.customer_id,
          reason: 'Serial correction (SAL-5)',
          sourceStoreId: sale.store_id,
          units: {
            moves: [{ index: line.line_no, itemId: line.item_id, serial: serial.trim(), serialKey: serialKey(serial) }],
            from: { state: 'IN_STOCK', storeId: sale.store_id },
            to: { state: 'SOLD' },
          },
          quantities: [{ itemId: line.item_id, storeId: sale.store_id, delta: 1 }],
        });
      } catch (e) {
        if (e instanceof StockConflictError && e.conflicts[0])
          return [UserError.of(E.NOT_IN_STOCK_HERE, `${whereIs(e.conflicts[0])}.`, 'input.serial')];
        throw e;
      }
    }
    await db.query(`update sale_line set serial = $2, serial_key = $3, serial_status = 'GIVEN', corrected_by = $4 where id = $1`, [
      lineId,
      serial.trim(),
      serialKey(serial),
      ctx.viewer!.userId,
    ]);
    return [];
  }

  /** RET-1: the original sale of a serial, for warranty checks; or what is known of a serial that is not sold. */
  async lookupSale(db: pg.PoolClient | pg.Pool, serial: string, itemId?: number | null) {
    const { rows } = await db.query(
      `select u.id as unit_id, u.item_id, u.serial, u.state, st.code as store_code, e.document_id as sale_id, e.occurred_at
       from serial_unit u left join store st on st.id = u.store_id
       left join lateral (select document_id, occurred_at from stock_event where unit_id = u.id and type = 'SALE' and quantity < 0 order by id desc limit 1) e on true
       where u.serial_key = $1 and ($2::int is null or u.item_id = $2) order by (u.state = 'SOLD') desc, u.id limit 5`,
      [serialKey(serial), itemId ?? null],
    );
    return rows as {
      unit_id: number;
      item_id: number;
      serial: string;
      state: string;
      store_code: string | null;
      sale_id: number | null;
      occurred_at: Date | null;
    }[];
  }

  /** RET-1: returns sold units (and quantities) into this store's stock with RETURN events. */
  /** A sale's or return's register must be one of its store's: NOT_FOUND otherwise, null when it is (or none is given). */
  async registerProblem(
    db: pg.PoolClient,
    registerId: number | string | null | undefined,
    storeId: number | string,
  ): Promise<UserError | null> {
    if (registerId == null || (await db.query(REGISTER_OF_STORE([registerId, storeId]))).rowCount) return null;
    return UserError.of(E.NOT_FOUND, `Register ${registerId} is not in this store.`, 'input.registerId');
  }

  async returnItems(
    ctx: Ctx,
    db: pg.PoolClient,
    input: {
      storeId: number;
      registerId?: number | null;
      lines: { code?: string | null; serial?: string | null; quantity?: number | null }[];
    },
  ): Promise<{ id?: number; errors: UserError[] }> {
    const errors: UserError[] = [];
    const units: { index: number; itemId: number; serial: string; serialKey: string; customerId: number | null }[] = [];
    const quantities: { itemId: number; storeId: number; delta: number }[] = [];
    if (!input.lines.length) return { errors: [UserError.of(E.REQUIRED, 'Return at least one line.', 'input.lines')] };
    // The return's events carry its register: it must be one of this store's, as for a sale.
    const register = await this.registerProblem(db, input.registerId, input.storeId);
    if (register) return { errors: [register] };
    for (const [i, l] of input.lines.entries()) {
      const f = `input.lines.${i}`;
      let itemId: number | null = null;
      let policy: EffectivePolicy | undefined;
      if (l.code) {
        const r = await this.resolveItem(db, l.code);
        if (!r) {
          errors.push(UserError.of(E.NOT_FOUND, unknownItemMessage(l), `${f}.code`, i));
          continue;
        }
        itemId = r.itemId;
        policy = r.policy;
      }
      if (l.serial) {
        const found = await this.lookupSale(db, l.serial, itemId);
        const sold = found.find((u) => u.state === 'SOLD');
        if (!sold) {
          const u = found[0];
          errors.push(
            UserError.of(
              E.NOT_IN_STOCK_HERE,
              u
                ? `${whereIs({ state: u.state as never, storeCode: u.store_code, serial: u.serial }, false)}: only a sold unit can be returned.`
                : `Serial ${l.serial.trim()} was never received or sold here.`,
              `${f}.serial`,
              i,
            ),
          );
          continue;
        }
        const customer = sold.sale_id
          ? (await db.query(`select customer_id from sale where id = $1`, [sold.sale_id])).rows[0]?.customer_id
          : null;
        units.push({
          index: i,
          itemId: sold.item_id,
          serial: sold.serial,
          serialKey: serialKey(sold.serial),
          customerId: customer ?? null,
        });
        continue;
      }
      if (!itemId || !policy) {
        errors.push(UserError.of(E.REQUIRED, 'Give the item code, and its serial where the item needs one.', `${f}.code`, i));
        continue;
      }
      if (policy.requiredWhenReturning) {
        errors.push(UserError.of(E.SERIAL_REQUIRED, 'This item needs its serial number to be returned.', `${f}.serial`, i));
        continue;
      }
      const q = l.quantity ?? 1;
      if (!Number.isInteger(q) || q < 1)
        errors.push(UserError.of(E.INVALID_INPUT, 'Quantity must be a positive whole number.', `${f}.quantity`, i));
      else quantities.push({ itemId, storeId: input.storeId, delta: q });
    }
    if (errors.length) return { errors };
    const { rows } = await db.query(
      `insert into customer_return (number, store_id, register_id, created_by) values ('RTN-' || lpad(nextval('return_number_seq')::text, 6, '0'), $1, $2, $3) returning id, number`,
      [input.storeId, input.registerId ?? null, ctx.viewer!.userId],
    );
    const doc = { kind: 'RETURN', id: rows[0].id as number, number: rows[0].number as string };
    // One movement per customer so each RETURN event names the customer of the original sale.
    const byCustomer = new Map<number | null, typeof units>();
    for (const u of units) byCustomer.set(u.customerId, [...(byCustomer.get(u.customerId) ?? []), u]);
    try {
      let first = true;
      for (const [customerId, group] of byCustomer.size ? byCustomer : new Map([[null, [] as typeof units]])) {
        await applyMovement(db, {
          type: 'RETURN',
          document: doc,
          userId: ctx.viewer!.userId,
          registerId: input.registerId ?? null,
          customerId,
          destinationStoreId: input.storeId,
          units: { moves: group, from: { state: 'SOLD' }, to: { state: 'IN_STOCK', storeId: input.storeId } },
          quantities: first ? quantities : [],
        });
        first = false;
      }
    } catch (e) {
      if (e instanceof StockConflictError)
        return {
          errors: e.conflicts.map((c) =>
            UserError.of(
              E.NOT_IN_STOCK_HERE,
              `${whereIs(c, false)}: only a sold unit can be returned.`,
              `input.lines.${c.index}.serial`,
              c.index,
            ),
          ),
        };
      throw e;
    }
    return { id: doc.id, errors: [] };
  }
}
