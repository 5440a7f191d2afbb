import { joinBatches, sqlPrepared, statement, type SqlBatch } from '../../common/db.js';
import { STORE_JSON, USER_JSON } from '../../common/ref-loaders.js';
import { lineItemIds, unknownItemMessage } from '../catalog/item-codes.js';
import { MAX_NOTE_LENGTH, MAX_REFERENCE_LENGTH, tooLong } from '../../common/limits.js';
import type pg from 'pg';
import type { Ctx } from '../../common/context.js';
import { requireStore } from '../../common/auth.js';
import { notFound } from '../../common/errors.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { SerialLevel } from '../catalog/catalog.entities.js';
import { PolicyService, type EffectivePolicy } from '../catalog/policy.service.js';
import { detailPolicy, ITEM_DETAIL_JSON } from '../catalog/item-loaders.js';
import { applyMovement, StockConflictError, type UnitConflict } from '../stock/stock.service.js';
import { MAX_ENTRIES_PER_INPUT, matchesPattern, serialKey, serialProblem, splitSerialInput } from '../stock/serial-input.js';
import { ACCEPTING, ScanOutcome as O, type ScanAnswer } from './scan.js';
import { docEventInsert } from '../realtime/doc-events.js';

const policies = new PolicyService();

export interface ReceiptLineInput {
  itemId?: number | null;
  /** A UPC or product id, instead of itemId. */
  code?: string | null;
  expectedQuantity?: number | null;
  serials?: string[] | null;
}

export interface CreateReceiptInput {
  storeId: number;
  kind: 'ASN' | 'BLIND';
  vendorId?: number | null;
  asnReference?: string | null;
  note?: string | null;
  lines?: ReceiptLineInput[] | null;
  /** How messages name line i when one refers to another (an imported file's lines); default i + 1. */
  lineName?: (index: number) => number;
}

export interface LineRow {
  id: number;
  line_no: number;
  item_id: number;
  expected_quantity: number | null;
  received_quantity: number;
  scanned: number;
  prereg: number;
}

export interface ReceiptRow {
  id: number;
  number: string;
  kind: 'ASN' | 'BLIND';
  store_id: number;
  status: string;
  /** Read with the lock (LOCK_RECEIPT), for answers that show them. */
  store_json?: Record<string, any> | null;
  users_json?: Record<string, any>[] | null;
}

export interface ScanContext {
  lines: LineRow[];
  codes: { code: string; item_id: number; name: string; product_id: string }[];
  prereg: { serial_key: string; item_id: number; line_id: number }[];
  scanned: { serial_key: string; item_id: number }[];
  units: { item_id: number; serial_key: string; state: string; store_code: string | null; store_id: number | null }[];
  /** Every item involved, with its policy and UPCs (ITEM_DETAIL_JSON). */
  items: (Record<string, any> & { id: number; product_id: string; name: string })[];
}

/** A receipt's ($1) lines as LineRow: quantities, serials registered and preregistered. */
const LINES_OF_RECEIPT = `select l.id, l.line_no, l.item_id, l.expected_quantity, l.received_quantity,
     (select count(*)::int from receipt_scan s where s.line_id = l.id) as scanned,
     (select count(*)::int from receipt_expected_serial e where e.line_id = l.id) as prereg
   from receipt_line l where l.receipt_id = $1`;

/**
 * Everything one scan or paste ($2 = serial keys) is checked against, in one statement: the
 * receipt's lines, codes that are UPCs or product ids, preregistered and already registered
 * serials, units in stock or in transit, and the policy and label of every item involved.
 */
const SCAN_CONTEXT_SQL = `with l as (${LINES_OF_RECEIPT}),
   c as (
     select u.upc as code, u.item_id, i.name, i.product_id from item_upc u join item i on i.id = u.item_id where u.upc = any($2::text[])
     union all
     select product_id, id, name, product_id from item where lower(product_id) in (select lower(k) from unnest($2::text[]) k)),
   pr as (select serial_key, item_id, line_id from receipt_expected_serial where receipt_id = $1 and serial_key = any($2::text[])),
   sc as (select serial_key, item_id from receipt_scan where receipt_id = $1 and serial_key = any($2::text[])),
   un as (
     select u.item_id, u.serial_key, u.state, s.code as store_code, u.store_id from serial_unit u left join store s on s.id = u.store_id
     where u.serial_key = any($2::text[]) and u.state in ('IN_STOCK', 'IN_TRANSIT')),
   ids as (select item_id from l union select item_id from c union select item_id from pr union select $3::int where $3::int is not null)
   select
     (select coalesce(json_agg(l order by l.line_no), '[]') from l) as lines,
     (select coalesce(json_agg(c), '[]') from c) as codes,
     (select coalesce(json_agg(pr), '[]') from pr) as prereg,
     (select coalesce(json_agg(sc), '[]') from sc) as scanned,
     (select coalesce(json_agg(un), '[]') from un) as units,
     (select coalesce(json_agg(${ITEM_DETAIL_JSON}), '[]') from ids join item i on i.id = ids.item_id join item_policy p on p.item_id = i.id) as items`;
const SCAN_CONTEXT = statement('receipt-scan-context', SCAN_CONTEXT_SQL);
const SCAN_CONTEXT_BATCH = sqlPrepared('receipt_scan_context', SCAN_CONTEXT_SQL);

const RECEIPT_LINES = statement('receipt-lines', `${LINES_OF_RECEIPT} order by l.line_no`);

/** What a Receipt answer shows of the row; named, so prepared statements keep their result type across migrations. */
export const RECEIPT_COLUMNS =
  'id, number, kind, status, asn_reference, note, created_at, posted_at, store_id, vendor_id, created_by, posted_by';

/**
 * The receipt's row, store and users: a scan answers with the receipt as locked (scanning
 * changes its lines only), with nothing more to read.
 */
const LOCK_RECEIPT_SQL = `select ${RECEIPT_COLUMNS.replace(/\w+/g, 'r.$&')},
     (select ${STORE_JSON} from store s where s.id = r.store_id) as store_json,
     (select jsonb_agg(${USER_JSON}) from app_user u where u.id in (r.created_by, r.posted_by)) as users_json
   from receipt r where r.id = $1 for update of r`;
const LOCK_RECEIPT = statement('receipt-lock', LOCK_RECEIPT_SQL);
const LOCK_RECEIPT_BATCH = sqlPrepared('receipt_lock', LOCK_RECEIPT_SQL);

/**
 * The accepted serials of a scan, the lines' counted units and, when anything was accepted
 * ($10), the SCANNED document event with its progress (rung on commit), in one statement.
 */
const REGISTER_SCANS = sqlPrepared(
  'receipt_register_scans',
  `with ins as (
     insert into receipt_scan (receipt_id, line_id, item_id, serial, serial_key, scanned_by)
     select $1, line_id, item_id, serial, serial_key, $2 from unnest($3::int[], $4::int[], $5::text[], $6::text[]) as t(line_id, item_id, serial, serial_key)
     returning 1),
   upd as (
     update receipt_line l set received_quantity = l.received_quantity + t.n from unnest($7::int[], $8::int[]) as t(id, n) where l.id = t.id
     returning t.n),
   ev as (
     ${docEventInsert(
       'RECEIPT',
       { documentId: '$1', userId: '$2', action: "'SCANNED'", detail: '$9::jsonb', when: '$10::boolean' },
       { scanned: '(select count(*) from ins)', received: '(select coalesce(sum(n), 0) from upd)' },
     )})
   select pg_notify('doc_event', '') from ev`,
);

/** The keys to look up for a scan: a key with a control character is refused as it is (SER-1), and PostgreSQL takes no NUL. */
const contextKeys = (keys: string[]) => keys.filter((k) => !/\p{Cc}/u.test(k));

/** Receiving (RCV-1..4): ASN and blind receipts, per-scan answers, posting through the stock engine. */
export class ReceivingService {
  /** Validates and creates a receipt with its expected lines and preregistered serials. */
  async create(db: pg.PoolClient, userId: number, input: CreateReceiptInput): Promise<{ id?: number; errors: UserError[] }> {
    const errors: UserError[] = [];
    const lines = input.lines ?? [];
    if (input.kind === 'ASN' && lines.length === 0)
      errors.push(UserError.of(E.REQUIRED, 'An ASN receipt needs at least one expected line.', 'input.lines'));
    if (input.kind === 'BLIND' && lines.some((l) => l.serials?.length))
      errors.push(UserError.of(E.INVALID_INPUT, 'A blind receipt has no preregistered serials; scan them instead.', 'input.lines'));
    if (input.vendorId != null && !(await db.query('select 1 from vendor where id = $1', [input.vendorId])).rowCount) {
      errors.push(UserError.of(E.NOT_FOUND, `Vendor ${input.vendorId} does not exist.`, 'input.vendorId'));
    }
    const itemIds = await lineItemIds(db, lines);
    const known = await policies.policiesFor(
      db,
      itemIds.filter((x): x is number => x != null),
    );
    const seenItems = new Map<number, number>();
    const seenSerials = new Map<string, number>();
    lines.forEach((l, i) => {
      const f = `input.lines.${i}`;
      const itemId = itemIds[i];
      if (itemId == null || !known.has(itemId)) {
        errors.push(UserError.of(E.NOT_FOUND, unknownItemMessage(l), `${f}.itemId`, i));
        return;
      }
      if (seenItems.has(itemId))
        errors.push(
          UserError.of(
            E.DUPLICATE,
            `The item is already on line ${(input.lineName ?? ((n) => n + 1))(seenItems.get(itemId)!)}; one line per item.`,
            `${f}.itemId`,
            i,
          ),
        );
      seenItems.set(itemId, i);
      const qty = l.expectedQuantity;
      if ((input.kind === 'ASN' && qty == null) || (qty != null && (!Number.isInteger(qty) || qty < 1 || qty > 100_000))) {
        errors.push(
          UserError.of(E.INVALID_INPUT, 'Expected quantity must be a whole number from 1 to 100,000.', `${f}.expectedQuantity`, i),
        );
      }
      const policy = known.get(itemId)!;
      const serials = l.serials ?? [];
      if (serials.length && policy.level === SerialLevel.NEVER)
        errors.push(UserError.of(E.SERIALS_NOT_ALLOWED, 'This item is never serialized: list no serials.', `${f}.serials`, i));
      if (qty != null && qty >= 1 && serials.length > qty)
        errors.push(UserError.of(E.OVER_QUANTITY, `${serials.length} serials for an expected quantity of ${qty}.`, `${f}.serials`, i));
      serials.forEach((s, j) => {
        const problem = serialProblem(s);
        if (problem) return errors.push(UserError.of(E.INVALID_SERIAL, problem.message, `${f}.serials.${j}`, i));
        if (!matchesPattern(s, policy.pattern))
          return errors.push(
            UserError.of(E.PATTERN_MISMATCH, `Serial ${s.trim()} does not fit the pattern ${policy.pattern}.`, `${f}.serials.${j}`, i),
          );
        const k = `${itemId}\u0000${serialKey(s)}`;
        if (seenSerials.has(k)) errors.push(UserError.of(E.DUPLICATE, `Serial ${s.trim()} is listed twice.`, `${f}.serials.${j}`, i));
        seenSerials.set(k, i);
      });
    });
    for (const e of [
      tooLong(input.asnReference, MAX_REFERENCE_LENGTH, 'input.asnReference', 'The ASN reference'),
      tooLong(input.note, MAX_NOTE_LENGTH, 'input.note', 'The note'),
    ])
      if (e) errors.push(e);
    if (errors.length) return { errors };

    const { rows } = await db.query(
      `insert into receipt (number, kind, store_id, vendor_id, asn_reference, note, created_by)
       values ('RCV-' || lpad(nextval('receipt_number_seq')::text, 6, '0'), $1, $2, $3, $4, $5, $6) returning id`,
      [input.kind, input.storeId, input.vendorId ?? null, input.asnReference?.trim() || null, input.note?.trim() ?? '', userId],
    );
    const receiptId = rows[0].id as number;
    if (lines.length) {
      const ids = lines.map((_, i) => itemIds[i]!);
      const { rows: lineRows } = await db.query(
        `insert into receipt_line (receipt_id, line_no, item_id, expected_quantity)
         select $1, n, item_id, qty from unnest($2::int[], $3::int[]) with ordinality as t(item_id, qty, n) returning id, item_id`,
        [receiptId, ids, lines.map((l) => (input.kind === 'ASN' ? l.expectedQuantity : null))],
      );
      const lineOf = new Map(lineRows.map((r) => [r.item_id as number, r.id as number]));
      const pre = lines.flatMap((l, i) =>
        (l.serials ?? []).map((s) => ({ lineId: lineOf.get(ids[i]!)!, itemId: ids[i]!, serial: s.trim() })),
      );
      if (pre.length) {
        await db.query(
          `insert into receipt_expected_serial (receipt_id, line_id, item_id, serial, serial_key)
           select $1, line_id, item_id, serial, key from unnest($2::int[], $3::int[], $4::text[], $5::text[]) as t(line_id, item_id, serial, key)`,
          [receiptId, pre.map((p) => p.lineId), pre.map((p) => p.itemId), pre.map((p) => p.serial), pre.map((p) => serialKey(p.serial))],
        );
      }
    }
    return { id: receiptId, errors: [] };
  }

  /**
   * The first statements of a scan's transaction, sent with its begin (transact's `first`): the
   * receipt's lock, then, read under it, what the entries are checked against (the context of
   * `scan`). Undefined when an id is not a whole number: lockOpen and scan then read them
   * themselves, and answer the bad id.
   */
  scanFirst(db: pg.PoolClient, receiptId: number, text: string, currentItemId: number | null): SqlBatch | undefined {
    if (!Number.isSafeInteger(receiptId) || (currentItemId != null && !Number.isSafeInteger(currentItemId))) return undefined;
    const lock = LOCK_RECEIPT_BATCH(db, [receiptId]);
    const entries = splitSerialInput(text);
    if (entries.length === 0 || entries.length > MAX_ENTRIES_PER_INPUT) return lock;
    return joinBatches(lock, SCAN_CONTEXT_BATCH(db, [receiptId, contextKeys(entries.map(serialKey)), currentItemId]));
  }

  /** Locks an open receipt for a change (or takes the rows scanFirst locked); checks the caller's store scope. */
  async lockOpen(ctx: Ctx, db: pg.PoolClient, receiptId: number, locked?: ReceiptRow[]): Promise<ReceiptRow | UserError> {
    const rows = locked ?? (await db.query<ReceiptRow>(LOCK_RECEIPT([receiptId]))).rows;
    const r = rows[0] ?? notFound('Receipt', receiptId);
    requireStore(ctx, r.store_id);
    if (r.status !== 'OPEN')
      return UserError.of(
        E.DOCUMENT_NOT_OPEN,
        `Receipt ${r.number} is ${r.status.toLowerCase()}; it can no longer change.`,
        'input.receiptId',
      );
    return r;
  }

  async lines(db: pg.PoolClient | pg.Pool, receiptId: number): Promise<LineRow[]> {
    return (await db.query(RECEIPT_LINES([receiptId]))).rows;
  }

  /**
   * DOC-3 / SER-2: one scan or a pasted list. Each entry gets its own answer, in order; the
   * accepted ones are registered on the receipt in one statement. A UPC selects (or, for a
   * never-serialized item, counts) an item; a serial finds its ASN line by itself (RCV-1) or
   * goes to the current item.
   */
  async scan(
    ctx: Ctx,
    db: pg.PoolClient,
    receipt: ReceiptRow,
    text: string,
    opts: { currentItemId?: number | null; pinItem?: boolean; context?: ScanContext },
  ): Promise<{
    answers: ScanAnswer[];
    currentItemId: number | null;
    errors: UserError[];
    /** The receipt's lines as the scan left them, and their items (ITEM_DETAIL_JSON), for the answer. */
    after?: { lines: LineRow[]; items: Record<string, any>[] };
    /** The statement that registers the accepted entries, for the caller to run before its commit (transact's `last`). */
    write?: SqlBatch;
  }> {
    const entries = splitSerialInput(text);
    if (entries.length > MAX_ENTRIES_PER_INPUT) {
      return {
        answers: [],
        currentItemId: opts.currentItemId ?? null,
        errors: [
          UserError.of(
            E.TOO_MANY_ENTRIES,
            `At most ${MAX_ENTRIES_PER_INPUT.toLocaleString('en-US')} serials at once; this input has ${entries.length.toLocaleString('en-US')}. Split it.`,
            'input.input',
          ),
        ],
      };
    }
    if (entries.length === 0) {
      return {
        answers: [{ index: 0, input: text, outcome: O.INVALID_SERIAL, message: 'The scan was empty.' }],
        currentItemId: opts.currentItemId ?? null,
        errors: [],
      };
    }
    const keys = entries.map(serialKey);
    const { lines, codes, prereg, scanned, units, items } =
      opts.context ?? ((await db.query(SCAN_CONTEXT([receipt.id, contextKeys(keys), opts.currentItemId ?? null]))).rows[0] as ScanContext);
    const lineByItem = new Map(lines.map((l) => [l.item_id, l]));
    // Codes compare as product ids are unique: lower-cased (UPCs are digits).
    const codeItem = new Map(codes.map((r) => [String(r.code).toLowerCase(), r]));
    const preByKey = new Map<string, { item_id: number; line_id: number }[]>();
    for (const r of prereg) preByKey.set(r.serial_key, [...(preByKey.get(r.serial_key) ?? []), r]);
    const scannedSet = new Set(scanned.map((r) => `${r.item_id}\u0000${r.serial_key}`));
    const unitAt = new Map(units.map((r) => [`${r.item_id}\u0000${r.serial_key}`, r]));
    const pol = new Map(items.map((r) => [r.id, detailPolicy(r)]));
    const names = new Map(items.map((r) => [r.id, `${r.product_id} ${r.name}`]));
    const label = (id: number) => names.get(id) ?? `item ${id}`;

    let current = opts.currentItemId ?? null;
    if (current != null && !pol.has(current)) current = null;
    const answers: ScanAnswer[] = [];
    const accepted: { lineId: number; itemId: number; serial: string; key: string }[] = [];
    const counted = new Map<number, number>();

    const ensureLine = async (itemId: number): Promise<LineRow | null> => {
      const l = lineByItem.get(itemId);
      if (l || receipt.kind === 'ASN') return l ?? null;
      const { rows } = await db.query(
        `insert into receipt_line (receipt_id, line_no, item_id) values ($1, (select coalesce(max(line_no), 0) + 1 from receipt_line where receipt_id = $1), $2) returning id, line_no, item_id`,
        [receipt.id, itemId],
      );
      const created: LineRow = { ...rows[0], expected_quantity: null, received_quantity: 0, scanned: 0, prereg: 0 };
      lineByItem.set(itemId, created);
      lines.push(created);
      return created;
    };

    for (const [index, input] of entries.entries()) {
      const key = keys[index]!;
      const answer = (outcome: O, message: string, extra: Partial<ScanAnswer> = {}) =>
        answers.push({ index, input, outcome, message, ...extra });
      const code = codeItem.get(key.toLowerCase());
      const preHits = preByKey.get(key) ?? [];
      if (code && preHits.length === 0) {
        const itemId = code.item_id as number;
        const p = pol.get(itemId)!;
        if (current === itemId && p.level !== SerialLevel.NEVER) {
          answer(O.LOOKS_LIKE_UPC, `That is the product barcode of ${label(itemId)}: scan the serial number.`, { itemId });
          continue;
        }
        const line = await ensureLine(itemId);
        if (!line) {
          answer(O.NOT_EXPECTED, `${label(itemId)} is not on this ASN.`, { itemId });
          continue;
        }
        current = itemId;
        if (p.level === SerialLevel.NEVER && line.expected_quantity != null && line.received_quantity >= line.expected_quantity) {
          // DOC-3: as for serials; more units than the ASN says are entered as a quantity, on purpose.
          answer(
            O.OVER_SCAN,
            `${label(itemId)}: all ${line.expected_quantity} expected units are already counted; if more arrived, set the received quantity.`,
            { itemId, lineId: line.id, lineScanned: line.received_quantity, lineExpected: line.expected_quantity },
          );
        } else if (p.level === SerialLevel.NEVER) {
          counted.set(line.id, (counted.get(line.id) ?? 0) + 1);
          line.received_quantity += 1;
          answer(
            O.ITEM_COUNTED,
            `${label(itemId)}: ${line.received_quantity}${line.expected_quantity ? ` of ${line.expected_quantity}` : ''} received.`,
            {
              itemId,
              lineId: line.id,
              lineScanned: line.received_quantity,
              lineExpected: line.expected_quantity,
            },
          );
        } else {
          answer(O.ITEM_SELECTED, `${label(itemId)}: scan its serial numbers.`, {
            itemId,
            lineId: line.id,
            lineScanned: line.scanned,
            lineExpected: line.expected_quantity,
          });
        }
        continue;
      }
      const problem = serialProblem(input);
      if (problem) {
        answer(O.INVALID_SERIAL, problem.message);
        continue;
      }
      // Which item and line: a preregistered serial finds its own line (RCV-1).
      let itemId: number | null;
      const pre = preHits.find((h) => h.item_id === current) ?? preHits[0];
      if (pre) {
        if (opts.pinItem && current != null && pre.item_id !== current) {
          answer(O.WRONG_ITEM, `Serial ${input} belongs to ${label(pre.item_id)} on this ASN, not to ${label(current)}.`, {
            itemId: pre.item_id,
          });
          continue;
        }
        itemId = pre.item_id;
      } else {
        itemId = current;
        if (itemId == null) {
          answer(
            O.NEED_ITEM,
            receipt.kind === 'ASN'
              ? `Serial ${input} is not preregistered on this ASN: scan the item's UPC first.`
              : `Scan the item's UPC before its serial ${input}.`,
          );
          continue;
        }
      }
      const p = pol.get(itemId)!;
      const line = await ensureLine(itemId);
      if (!line) {
        answer(O.NOT_EXPECTED, `${label(itemId)} is not on this ASN.`, { itemId });
        continue;
      }
      if (p.level === SerialLevel.NEVER) {
        answer(O.NOT_SERIALIZED, `${label(itemId)} is never serialized: scan its UPC to count it, or enter a quantity.`, {
          itemId,
          lineId: line.id,
        });
        continue;
      }
      if (!pre && line.prereg > 0) {
        answer(O.NOT_EXPECTED, `Serial ${input} is not on the ASN for ${label(itemId)}.`, { itemId, lineId: line.id, serial: input });
        continue;
      }
      if (!matchesPattern(input, p.pattern)) {
        answer(O.PATTERN_MISMATCH, `Serial ${input} does not fit ${label(itemId)}'s pattern ${p.pattern}.`, {
          itemId,
          lineId: line.id,
          serial: input,
        });
        continue;
      }
      const k = `${itemId}\u0000${key}`;
      if (scannedSet.has(k)) {
        answer(O.DUPLICATE, `Serial ${input} is already on this receipt.`, {
          itemId,
          lineId: line.id,
          serial: input,
          lineScanned: line.scanned,
          lineExpected: line.expected_quantity,
        });
        continue;
      }
      const unit = unitAt.get(k);
      if (unit) {
        const where = unit.state === 'IN_TRANSIT' ? 'in transit' : `in stock at ${unit.store_code}`;
        answer(
          unit.state === 'IN_TRANSIT' ? O.IN_TRANSIT : O.IN_STOCK_ELSEWHERE,
          `Serial ${input} of ${label(itemId)} is already ${where}.`,
          {
            itemId,
            lineId: line.id,
            serial: input,
            storeCode: unit.store_code,
          },
        );
        continue;
      }
      if (line.expected_quantity != null && line.scanned >= line.expected_quantity) {
        answer(O.OVER_SCAN, `${label(itemId)}: all ${line.expected_quantity} expected units are already scanned.`, {
          itemId,
          lineId: line.id,
          serial: input,
          lineScanned: line.scanned,
          lineExpected: line.expected_quantity,
        });
        continue;
      }
      scannedSet.add(k);
      line.scanned += 1;
      if (line.received_quantity < line.scanned) {
        counted.set(line.id, (counted.get(line.id) ?? 0) + 1);
        line.received_quantity += 1;
      }
      current = itemId;
      accepted.push({ lineId: line.id, itemId, serial: input, key });
      answer(O.ACCEPTED, `${label(itemId)}: ${line.scanned}${line.expected_quantity ? ` of ${line.expected_quantity}` : ''} scanned.`, {
        itemId,
        lineId: line.id,
        serial: input,
        lineScanned: line.scanned,
        lineExpected: line.expected_quantity,
      });
    }

    const acceptedAnswers = answers.filter((a) => ACCEPTING.has(a.outcome)).length;
    let write: SqlBatch | undefined;
    if (accepted.length || counted.size || acceptedAnswers) {
      write = REGISTER_SCANS(db, [
        receipt.id,
        ctx.viewer!.userId,
        accepted.map((a) => a.lineId),
        accepted.map((a) => a.itemId),
        accepted.map((a) => a.serial),
        accepted.map((a) => a.key),
        [...counted.keys()],
        [...counted.values()],
        JSON.stringify({ accepted: acceptedAnswers, refused: answers.length - acceptedAnswers }),
        acceptedAnswers > 0,
      ]);
    }
    return { answers, currentItemId: current, errors: [], after: { lines, items }, write };
  }

  /** Clears registered serials (edit before posting, seed 000); ALWAYS lines lose the units too. */
  async removeScans(db: pg.PoolClient, receiptId: number, serials: string[], lineId?: number | null): Promise<{ removed: number }> {
    const { rows } = await db.query(
      `delete from receipt_scan where receipt_id = $1 and ($2::int is null or line_id = $2) and ($3::text[] is null or serial_key = any($3::text[]))
       returning line_id`,
      [receiptId, lineId ?? null, serials.length ? serials.map(serialKey) : null],
    );
    const perLine = new Map<number, number>();
    for (const r of rows) perLine.set(r.line_id, (perLine.get(r.line_id) ?? 0) + 1);
    // Re-scanning a whole line starts it from zero, counted units included (DOC-3).
    if (lineId && !serials.length)
      await db.query(`update receipt_line set received_quantity = 0 where id = $1 and receipt_id = $2`, [lineId, receiptId]);
    if (perLine.size) {
      await db.query(
        `update receipt_line l set received_quantity = greatest(0, l.received_quantity - t.n) from unnest($1::int[], $2::int[]) as t(id, n) where l.id = t.id`,
        [[...perLine.keys()], [...perLine.values()]],
      );
    }
    return { removed: rows.length };
  }

  /** Sets a line's received quantity (never-serialized items, or units beyond their serials). */
  async setQuantity(db: pg.PoolClient, receipt: ReceiptRow, itemId: number, quantity: number): Promise<UserError[]> {
    if (!Number.isInteger(quantity) || quantity < 0 || quantity > 100_000)
      return [UserError.of(E.INVALID_INPUT, 'Quantity must be a whole number from 0 to 100,000.', 'input.quantity')];
    const { rows } = await db.query(`select id from receipt_line where receipt_id = $1 and item_id = $2`, [receipt.id, itemId]);
    let lineId = rows[0]?.id as number | undefined;
    if (!lineId) {
      if (receipt.kind === 'ASN') return [UserError.of(E.NOT_FOUND, 'This item is not on the ASN.', 'input.itemId')];
      if (!(await db.query('select 1 from item where id = $1', [itemId])).rowCount)
        return [UserError.of(E.NOT_FOUND, `Item ${itemId} does not exist.`, 'input.itemId')];
      const ins = await db.query(
        `insert into receipt_line (receipt_id, line_no, item_id) values ($1, (select coalesce(max(line_no), 0) + 1 from receipt_line where receipt_id = $1), $2) returning id`,
        [receipt.id, itemId],
      );
      lineId = ins.rows[0].id;
    }
    await db.query(`update receipt_line set received_quantity = $2 where id = $1`, [lineId, quantity]);
    return [];
  }

  /** RCV-3: what stops this receipt from posting, per line. Empty = postable. */
  async blockers(db: pg.PoolClient | pg.Pool, receiptId: number): Promise<UserError[]> {
    const lines = await this.lines(db, receiptId);
    const pol = await policies.policiesFor(
      db,
      lines.map((l) => l.item_id),
    );
    const names = new Map(
      (
        await db.query(`select id, product_id || ' ' || name as label from item where id = any($1::int[])`, [lines.map((l) => l.item_id)])
      ).rows.map((r) => [r.id as number, r.label as string]),
    );
    return postBlockers(
      lines,
      (id) => pol.get(id)!,
      (id) => names.get(id) ?? `item ${id}`,
    );
  }

  /**
   * RCV-3, SER-4: serials on this receipt whose unit has since come into stock somewhere or gone
   * in transit (another receipt, adjustment or transfer posted after the scan), so posting would be
   * refused. The first 20 are named, the rest counted. For the Post button (postBlockers): posting
   * itself finds them under its locks, in the stock engine.
   */
  async unitBlockers(db: pg.PoolClient | pg.Pool, receiptId: number): Promise<UserError[]> {
    const { rows } = await db.query(UNIT_BLOCKERS([receiptId]));
    const errors = rows.map((r) => {
      const where = r.state === 'IN_TRANSIT' ? `is in transit on transfer ${r.transfer_number}` : `is already in stock at ${r.store_code}`;
      const code = r.state === 'IN_TRANSIT' ? E.IN_TRANSIT : E.IN_STOCK_ELSEWHERE;
      return UserError.of(code, `Line ${r.line_no}: serial ${r.serial} ${where}; remove it from this receipt.`, 'serials');
    });
    const total = rows[0]?.total ?? 0;
    if (total > rows.length)
      errors.push(
        UserError.of(E.IN_STOCK_ELSEWHERE, `…and ${total - rows.length} more serials already in stock or in transit.`, 'serials'),
      );
    return errors;
  }

  /** RCV-3: posts atomically through the stock engine; conflicts come back as userErrors and nothing is applied. */
  async post(db: pg.PoolClient, receipt: ReceiptRow, userId: number): Promise<UserError[]> {
    const blockers = await this.blockers(db, receipt.id);
    if (blockers.length) return blockers;
    const { rows: scans } = await db.query(`select id, item_id, serial, serial_key from receipt_scan where receipt_id = $1 order by id`, [
      receipt.id,
    ]);
    const lines = await this.lines(db, receipt.id);
    try {
      await applyMovement(db, {
        type: 'RECEIVING',
        document: { kind: 'RECEIPT', id: receipt.id, number: receipt.number },
        userId,
        destinationStoreId: receipt.store_id,
        units: {
          moves: scans.map((s, index) => ({ index, itemId: s.item_id, serial: s.serial, serialKey: s.serial_key })),
          from: 'ARRIVING',
          to: { state: 'IN_STOCK', storeId: receipt.store_id },
        },
        quantities: lines
          .filter((l) => l.received_quantity > l.scanned)
          .map((l) => ({ itemId: l.item_id, storeId: receipt.store_id, delta: l.received_quantity - l.scanned })),
      });
    } catch (e) {
      if (e instanceof StockConflictError) return e.conflicts.map((c) => conflictError(c));
      throw e;
    }
    await db.query(`update receipt set status = 'POSTED', posted_by = $2, posted_at = now() where id = $1`, [receipt.id, userId]);
    return [];
  }
}

/** See ReceivingService.unitBlockers. */
const UNIT_BLOCKERS = statement(
  'receipt_unit_blockers',
  `select s.serial, l.line_no, u.state, st.code as store_code, t.number as transfer_number, count(*) over ()::int as total
   from receipt_scan s
   -- One index probe per serial on the receipt (limit 1 keeps the planner from hashing every unit in stock).
   cross join lateral (
     select u.state, u.store_id, u.transfer_id from serial_unit u
     where u.item_id = s.item_id and u.serial_key = s.serial_key and u.state in ('IN_STOCK', 'IN_TRANSIT') limit 1
   ) u
   join receipt_line l on l.id = s.line_id
   left join store st on st.id = u.store_id
   left join transfer t on t.id = u.transfer_id
   where s.receipt_id = $1
   order by s.id
   limit 20`,
);

export function conflictError(c: UnitConflict): UserError {
  if (c.state === 'IN_TRANSIT')
    return UserError.of(E.IN_TRANSIT, `Serial ${c.serial} is in transit on transfer ${c.transferId}.`, `serials.${c.index}`, c.index);
  if (c.state === 'IN_STOCK')
    return UserError.of(E.IN_STOCK_ELSEWHERE, `Serial ${c.serial} is already in stock at ${c.storeCode}.`, `serials.${c.index}`, c.index);
  return UserError.of(
    E.NOT_IN_STOCK_HERE,
    `Serial ${c.serial} is ${c.state ? c.state.toLowerCase().replace(/_/g, ' ') : 'not known'}.`,
    `serials.${c.index}`,
    c.index,
  );
}

/** RCV-3: what stops a receipt with these lines from posting, per line. Empty = postable. */
export function postBlockers(
  lines: Pick<LineRow, 'line_no' | 'item_id' | 'scanned' | 'received_quantity'>[],
  policyOf: (itemId: number) => EffectivePolicy,
  labelOf: (itemId: number) => string,
): UserError[] {
  const errors: UserError[] = [];
  for (const [i, l] of lines.entries()) {
    const p = policyOf(l.item_id);
    const what = `Line ${l.line_no} (${labelOf(l.item_id)})`;
    if (p.level === SerialLevel.ALWAYS && l.scanned !== l.received_quantity) {
      errors.push(
        UserError.of(
          E.SERIAL_COUNT_MISMATCH,
          `${what}: ${l.received_quantity} received but ${l.scanned} serial(s); this item needs one serial per unit.`,
          `lines.${i}`,
          i,
        ),
      );
    } else if (p.level === SerialLevel.SOMETIMES && l.scanned > l.received_quantity) {
      errors.push(
        UserError.of(E.SERIAL_COUNT_MISMATCH, `${what}: ${l.scanned} serials for ${l.received_quantity} received.`, `lines.${i}`, i),
      );
    } else if (p.level === SerialLevel.NEVER && l.scanned > 0) {
      errors.push(
        UserError.of(
          E.SERIALS_NOT_ALLOWED,
          `${what}: the item is never serialized now; clear its ${l.scanned} serial(s).`,
          `lines.${i}`,
          i,
        ),
      );
    }
  }
  if (!lines.some((l) => l.received_quantity > 0))
    errors.push(UserError.of(E.NOTHING_TO_POST, 'Nothing has been received on this receipt yet.', 'lines'));
  return errors;
}
