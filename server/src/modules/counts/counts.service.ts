import { codesQuery, itemsByCode } from '../catalog/item-codes.js';
import { queryAll } from '../../common/db.js';
import type pg from 'pg';
import type { Ctx } from '../../common/context.js';
import { requireStore } from '../../common/auth.js';
import { notFound } from '../../common/errors.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { SerialLevel } from '../catalog/catalog.entities.js';
import { PolicyService } from '../catalog/policy.service.js';
import { applyMovement, StockConflictError } from '../stock/stock.service.js';
import { MAX_ENTRIES_PER_INPUT, matchesPattern, serialKey, serialProblem, splitSerialInput } from '../stock/serial-input.js';
import { ScanOutcome as O, type ScanAnswer } from '../receiving/scan.js';

const policies = new PolicyService();

export interface CountRow {
  id: number;
  number: string;
  store_id: number;
  classification_id: number | null;
  item_ids: number[] | null;
  status: 'OPEN' | 'CLOSED' | 'POSTED' | 'CANCELED';
}

/** SQL condition: item `i` is in the count's scope ($scope1 = classification id, $scope2 = item ids). */
const inScope = (c: string, ids: string) =>
  `((${c}::int is null and ${ids}::int[] is null) or i.subcategory_id = ${c} or i.category_id = ${c} or i.department_id = ${c} or i.id = any(${ids}::int[]))`;

export interface Variances {
  missing: { itemId: number; serial: string }[];
  unexpected: { itemId: number; serial: string; state: string | null; storeCode: string | null }[];
  quantities: { itemId: number; onHand: number; counted: number }[];
  counted: number;
  expected: number;
}

/** Cycle counts (CNT-1): batches, one count per serial, variances by set difference, COUNT events. */
export class CountsService {
  async open(
    db: pg.PoolClient,
    userId: number,
    input: { storeId: number; classificationId?: number | null; itemIds?: number[] | null },
  ): Promise<{ id?: number; errors: UserError[] }> {
    if (input.classificationId && !(await db.query(`select 1 from classification where id = $1`, [input.classificationId])).rowCount) {
      return { errors: [UserError.of(E.NOT_FOUND, `Classification ${input.classificationId} does not exist.`, 'input.classificationId')] };
    }
    if (input.itemIds?.length) {
      const { rows } = await db.query(`select count(*)::int as n from item where id = any($1::int[])`, [input.itemIds]);
      if (rows[0].n !== new Set(input.itemIds).size)
        return { errors: [UserError.of(E.NOT_FOUND, 'Some of the items do not exist.', 'input.itemIds')] };
    }
    const { rows } = await db.query(
      `insert into cycle_count (number, store_id, classification_id, item_ids, created_by) values ('CNT-' || lpad(nextval('count_number_seq')::text, 6, '0'), $1, $2, $3, $4) returning id`,
      [input.storeId, input.classificationId ?? null, input.itemIds?.length ? input.itemIds : null, userId],
    );
    return { id: rows[0].id, errors: [] };
  }

  async lock(ctx: Ctx, db: pg.PoolClient, id: number, allowed: CountRow['status'][]): Promise<CountRow | UserError> {
    const { rows } = await db.query<CountRow>(
      `select id, number, store_id, classification_id, item_ids, status from cycle_count where id = $1 for update`,
      [id],
    );
    const c = rows[0] ?? notFound('Count', id);
    requireStore(ctx, c.store_id);
    if (!allowed.includes(c.status))
      return UserError.of(E.DOCUMENT_NOT_OPEN, `Count ${c.number} is ${c.status.toLowerCase()}.`, 'input.countId');
    return c;
  }

  /** CNT-1: a serial counted in another batch is answered with where it was counted, and counts once. */
  async scan(
    ctx: Ctx,
    db: pg.PoolClient,
    count: CountRow,
    batchId: number | null,
    text: string,
    currentItemId: number | null,
  ): Promise<{ answers: ScanAnswer[]; batchId: number; batchNo: number; currentItemId: number | null; errors: UserError[] }> {
    let batch = batchId
      ? (await db.query(`select id, batch_no from count_batch where id = $1 and count_id = $2`, [batchId, count.id])).rows[0]
      : null;
    if (batchId && !batch)
      return {
        answers: [],
        batchId: 0,
        batchNo: 0,
        currentItemId,
        errors: [UserError.of(E.NOT_FOUND, `Batch ${batchId} is not part of ${count.number}.`, 'input.batchId')],
      };
    const entries = splitSerialInput(text);
    if (entries.length > MAX_ENTRIES_PER_INPUT)
      return {
        answers: [],
        batchId: batch?.id ?? 0,
        batchNo: batch?.batch_no ?? 0,
        currentItemId,
        errors: [
          UserError.of(E.TOO_MANY_ENTRIES, `At most ${MAX_ENTRIES_PER_INPUT.toLocaleString('en-US')} serials at once.`, 'input.input'),
        ],
      };
    if (!batch) {
      batch = (
        await db.query(
          `insert into count_batch (count_id, batch_no, created_by) values ($1, (select coalesce(max(batch_no), 0) + 1 from count_batch where count_id = $1), $2) returning id, batch_no`,
          [count.id, ctx.viewer!.userId],
        )
      ).rows[0];
    }
    if (!entries.length)
      return {
        answers: [{ index: 0, input: text, outcome: O.INVALID_SERIAL, message: 'The scan was empty.' }],
        batchId: batch.id,
        batchNo: batch.batch_no,
        currentItemId,
        errors: [],
      };
    const keys = entries.map(serialKey);
    const [codes, units, already] = await queryAll(db, [
      codesQuery(keys),
      [`select item_id, serial_key, store_id from serial_unit where serial_key = any($1::text[])`, [keys]],
      [
        `select s.item_id, s.serial_key, b.batch_no, u.display_name from count_scan s join count_batch b on b.id = s.batch_id join app_user u on u.id = s.scanned_by where s.count_id = $1 and s.serial_key = any($2::text[])`,
        [count.id, keys],
      ],
    ]);
    const codeItem = itemsByCode(codes.rows);
    const unitsByKey = new Map<string, { item_id: number; store_id: number | null }[]>();
    for (const u of units.rows) unitsByKey.set(u.serial_key, [...(unitsByKey.get(u.serial_key) ?? []), u]);
    const counted = new Map(already.rows.map((r) => [`${r.item_id}\u0000${r.serial_key}`, `batch ${r.batch_no} by ${r.display_name}`]));
    const itemIds = new Set<number>([...codeItem.values(), ...units.rows.map((u) => u.item_id as number)]);
    if (currentItemId) itemIds.add(currentItemId);
    const { rows: scopeRows } = await db.query(`select i.id from item i where i.id = any($1::int[]) and ${inScope('$2', '$3')}`, [
      [...itemIds],
      count.classification_id,
      count.item_ids,
    ]);
    const inScopeSet = new Set(scopeRows.map((r) => r.id as number));
    const pol = await policies.policiesFor(db, [...itemIds]);
    const names = new Map(
      (await db.query(`select id, product_id || ' ' || name as label from item where id = any($1::int[])`, [[...itemIds]])).rows.map(
        (r) => [r.id as number, r.label as string],
      ),
    );
    const label = (id: number) => names.get(id) ?? `item ${id}`;
    let current = currentItemId && pol.has(currentItemId) ? currentItemId : null;
    const answers: ScanAnswer[] = [];
    const inserts: { itemId: number; serial: string; key: string }[] = [];
    const quantities = new Map<number, number>();
    for (const [index, input] of entries.entries()) {
      const key = keys[index]!;
      const answer = (outcome: O, message: string, extra: Partial<ScanAnswer> = {}) =>
        answers.push({ index, input, outcome, message, ...extra });
      const code = codeItem.get(key.toLowerCase());
      if (code != null && !unitsByKey.has(key)) {
        if (!inScopeSet.has(code)) {
          answer(O.NOT_EXPECTED, `${label(code)} is outside this count's scope.`, { itemId: code });
          continue;
        }
        current = code;
        if (pol.get(code)!.level === SerialLevel.NEVER) {
          quantities.set(code, (quantities.get(code) ?? 0) + 1);
          answer(O.ITEM_COUNTED, `${label(code)}: one more counted.`, { itemId: code });
        } else answer(O.ITEM_SELECTED, `${label(code)}: scan its serial numbers.`, { itemId: code });
        continue;
      }
      const problem = serialProblem(input);
      if (problem) {
        answer(O.INVALID_SERIAL, problem.message);
        continue;
      }
      // The item: the current one, else the one unit that carries this serial.
      const candidates = unitsByKey.get(key) ?? [];
      const itemId = candidates.find((u) => u.item_id === current)?.item_id ?? (candidates.length === 1 ? candidates[0]!.item_id : current);
      if (itemId == null) {
        answer(O.NEED_ITEM, `Serial ${input} is not known: scan the item's UPC first.`);
        continue;
      }
      if (!inScopeSet.has(itemId)) {
        answer(O.NOT_EXPECTED, `${label(itemId)} is outside this count's scope.`, { itemId, serial: input });
        continue;
      }
      const p = pol.get(itemId)!;
      if (p.level === SerialLevel.NEVER) {
        answer(O.NOT_SERIALIZED, `${label(itemId)} is never serialized: scan its UPC to count it.`, { itemId });
        continue;
      }
      if (!matchesPattern(input, p.pattern)) {
        answer(O.PATTERN_MISMATCH, `Serial ${input} does not fit ${label(itemId)}'s pattern ${p.pattern}.`, { itemId, serial: input });
        continue;
      }
      const k = `${itemId}\u0000${key}`;
      const where = counted.get(k);
      if (where) {
        answer(O.DUPLICATE, `Serial ${input} is already counted in ${where}.`, { itemId, serial: input });
        continue;
      }
      counted.set(k, `batch ${batch.batch_no} by ${ctx.viewer!.user.displayName}`);
      inserts.push({ itemId, serial: input, key });
      current = itemId;
      answer(O.ACCEPTED, `${label(itemId)}: counted.`, { itemId, serial: input });
    }
    if (inserts.length) {
      // Concurrent batches: the primary key keeps one count per serial; a loser learns where it was counted.
      const { rows } = await db.query(
        `insert into count_scan (count_id, batch_id, item_id, serial, serial_key, scanned_by)
         select $1, $2, item_id, serial, serial_key, $3 from unnest($4::int[], $5::text[], $6::text[]) as t(item_id, serial, serial_key)
         on conflict do nothing returning item_id, serial_key`,
        [count.id, batch.id, ctx.viewer!.userId, inserts.map((x) => x.itemId), inserts.map((x) => x.serial), inserts.map((x) => x.key)],
      );
      if (rows.length < inserts.length) {
        const won = new Set(rows.map((r) => `${r.item_id}\u0000${r.serial_key}`));
        for (const a of answers) {
          if (a.outcome === O.ACCEPTED && !won.has(`${a.itemId}\u0000${serialKey(a.serial!)}`))
            Object.assign(a, { outcome: O.DUPLICATE, message: `Serial ${a.serial} was just counted in another batch.` });
        }
      }
    }
    if (quantities.size) {
      await db.query(
        `insert into count_quantity as q (count_id, item_id, quantity) select $1, item_id, n from unnest($2::int[], $3::int[]) as t(item_id, n)
         on conflict (count_id, item_id) do update set quantity = q.quantity + excluded.quantity`,
        [count.id, [...quantities.keys()], [...quantities.values()]],
      );
    }
    return { answers, batchId: batch.id, batchNo: batch.batch_no, currentItemId: current, errors: [] };
  }

  async setQuantity(db: pg.PoolClient, count: CountRow, itemId: number, quantity: number): Promise<UserError[]> {
    if (!Number.isInteger(quantity) || quantity < 0)
      return [UserError.of(E.INVALID_INPUT, 'Quantity must be a whole number from 0.', 'input.quantity')];
    const { rowCount } = await db.query(`select 1 from item i where i.id = $1 and ${inScope('$2', '$3')}`, [
      itemId,
      count.classification_id,
      count.item_ids,
    ]);
    if (!rowCount) return [UserError.of(E.NOT_FOUND, "This item is not in the count's scope.", 'input.itemId')];
    await db.query(
      `insert into count_quantity (count_id, item_id, quantity) values ($1, $2, $3) on conflict (count_id, item_id) do update set quantity = excluded.quantity`,
      [count.id, itemId, quantity],
    );
    return [];
  }

  /** CNT-1 closing figures, each a set difference in one statement. */
  async variances(db: pg.PoolClient | pg.Pool, count: CountRow): Promise<Variances> {
    const scope = [count.store_id, count.classification_id, count.item_ids, count.id];
    const [missing, unexpected, quantities, totals] = await queryAll(db, [
      [
        `select u.item_id, u.serial from serial_unit u join item i on i.id = u.item_id
         where u.store_id = $1 and u.state = 'IN_STOCK' and ${inScope('$2', '$3')}
           and not exists (select 1 from count_scan s where s.count_id = $4 and s.item_id = u.item_id and s.serial_key = u.serial_key)
         order by u.item_id, u.serial_key`,
        scope,
      ],
      [
        `select s.item_id, s.serial, u.state, st.code as store_code from count_scan s
         left join serial_unit u on u.item_id = s.item_id and u.serial_key = s.serial_key left join store st on st.id = u.store_id
         where s.count_id = $1 and not (u.state is not distinct from 'IN_STOCK' and u.store_id is not distinct from $2)
         order by s.item_id, s.serial_key`,
        [count.id, count.store_id],
      ],
      [
        `select i.id as item_id, coalesce(l.quantity, 0) - coalesce(u.n, 0) as on_hand, coalesce(q.quantity, 0) as counted
         from item i join item_policy p on p.item_id = i.id
         left join stock_level l on l.item_id = i.id and l.store_id = $1
         left join (select item_id, count(*)::int as n from serial_unit where store_id = $1 and state = 'IN_STOCK' group by 1) u on u.item_id = i.id
         left join count_quantity q on q.count_id = $4 and q.item_id = i.id
         where ${inScope('$2', '$3')} and (p.level = 'NEVER' or q.item_id is not null)
           and coalesce(l.quantity, 0) - coalesce(u.n, 0) <> coalesce(q.quantity, 0)
         order by i.id`,
        scope,
      ],
      [
        `select (select count(*)::int from count_scan where count_id = $4) as counted,
                (select count(*)::int from serial_unit u join item i on i.id = u.item_id where u.store_id = $1 and u.state = 'IN_STOCK' and ${inScope('$2', '$3')}) as expected`,
        scope,
      ],
    ]);
    return {
      missing: missing.rows.map((r) => ({ itemId: r.item_id, serial: r.serial })),
      unexpected: unexpected.rows.map((r) => ({ itemId: r.item_id, serial: r.serial, state: r.state, storeCode: r.store_code })),
      quantities: quantities.rows.map((r) => ({ itemId: r.item_id, onHand: r.on_hand, counted: r.counted })),
      counted: totals.rows[0].counted,
      expected: totals.rows[0].expected,
    };
  }

  /** Applies the accepted variances as COUNT events: missing units removed, found units added, quantities set. */
  async post(
    ctx: Ctx,
    db: pg.PoolClient,
    count: CountRow,
    exclude: { serials: string[]; itemIds: number[] },
  ): Promise<{ errors: UserError[]; skipped: string[] }> {
    // SER-4: the variances are differences from stock on hand, so they are read under the store's
    // stock-taking lock (the one adjustments take): two counts of the same items posted at once
    // apply one after the other, the second to the stock the first left, never the same
    // difference twice. NO KEY UPDATE, so it does not hold up other documents' inserts at the store.
    await db.query(`select 1 from store where id = $1 for no key update`, [count.store_id]);
    const v = await this.variances(db, count);
    const skip = new Set(exclude.serials.map(serialKey));
    const skipItems = new Set(exclude.itemIds);
    const doc = { kind: 'COUNT', id: count.id, number: count.number };
    const base = { type: 'COUNT' as const, document: doc, userId: ctx.viewer!.userId, reason: `Cycle count ${count.number}` };
    const missing = v.missing.filter((m) => !skip.has(serialKey(m.serial)) && !skipItems.has(m.itemId));
    const found = v.unexpected.filter((u) => !skip.has(serialKey(u.serial)) && !skipItems.has(u.itemId));
    // A unit in stock at another store or in transit is not taken over by a count: it needs a transfer.
    const addable = found.filter((u) => u.state !== 'IN_STOCK' && u.state !== 'IN_TRANSIT');
    const skipped = found
      .filter((u) => !addable.includes(u))
      .map((u) => `${u.serial}: ${u.state === 'IN_TRANSIT' ? 'in transit' : `in stock at ${u.storeCode}`} — transfer it`);
    try {
      if (missing.length) {
        await applyMovement(db, {
          ...base,
          sourceStoreId: count.store_id,
          units: {
            moves: missing.map((m, index) => ({ index, itemId: m.itemId, serial: m.serial, serialKey: serialKey(m.serial) })),
            from: { state: 'IN_STOCK', storeId: count.store_id },
            to: { state: 'REMOVED' },
          },
        });
      }
      if (addable.length) {
        await applyMovement(db, {
          ...base,
          destinationStoreId: count.store_id,
          units: {
            moves: addable.map((m, index) => ({ index, itemId: m.itemId, serial: m.serial, serialKey: serialKey(m.serial) })),
            from: 'ARRIVING',
            to: { state: 'IN_STOCK', storeId: count.store_id },
          },
        });
      }
      const quantities = v.quantities
        .filter((q) => !skipItems.has(q.itemId))
        .map((q) => ({ itemId: q.itemId, storeId: count.store_id, delta: q.counted - q.onHand }));
      if (quantities.length) await applyMovement(db, { ...base, quantities });
    } catch (e) {
      if (e instanceof StockConflictError)
        return {
          errors: [UserError.of(E.CONFLICT_RETRY, 'Stock changed while posting the count; review the variances again.', 'input.countId')],
          skipped: [],
        };
      throw e;
    }
    await db.query(`update cycle_count set status = 'POSTED', posted_by = $2, posted_at = now() where id = $1`, [
      count.id,
      ctx.viewer!.userId,
    ]);
    return { errors: [], skipped };
  }
}
