import { Arg, Authorized, Ctx as C, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type pg from 'pg';
import type { Ctx } from '../../common/context.js';
import { requireStore, requireViewer, StoreScoped } from '../../common/auth.js';
import { fail, notFound } from '../../common/errors.js';
import { transact } from '../../common/idempotency.js';
import { documentAction } from '../../common/document-action.js';
import { ITEM_DETAIL_JSON, itemLoader, policyLoader, primeItem } from '../catalog/item-loaders.js';
import { statement } from '../../common/db.js';
import { readCsvFile, type CsvRecord } from '../../common/csv-file.js';
import { primeRefs, storeLoader, userLoader } from '../../common/ref-loaders.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { Role, User } from '../auth/user.entity.js';
import { Item, Vendor } from '../catalog/catalog.entities.js';
import { Store } from '../locations/location.entities.js';
import { ACCEPTING } from './scan.js';
import { recordDocEvent } from '../realtime/doc-events.js';
import {
  CreateReceiptInput,
  ImportAsnInput,
  Receipt,
  ReceiptActionInput,
  ReceiptConnection,
  ReceiptFilter,
  ReceiptLine,
  ReceiptPayload,
  RegisteredSerial,
  RemoveReceiptSerialsInput,
  ScanPayload,
  ScanReceiptInput,
  ScanResult,
  SetReceiptQuantityInput,
} from './receiving.types.js';
import {
  postBlockers,
  RECEIPT_COLUMNS,
  type LineRow,
  type ReceiptLineInput,
  type ReceiptRow,
  type ScanContext,
} from './receiving.service.js';

const RECEIVERS = [Role.CLERK, Role.STORE_MANAGER];
const ASN_COLUMNS = ['asn_reference', 'vendor', 'item', 'quantity', 'serials'];

/** A per-line error for each line whose `column` differs from the first line's (blank counts). */
function sameOnEveryLine(rows: CsvRecord[], column: string, label: string, key: (v: string) => string): UserError[] {
  const show = (v: string) => (v ? `"${v}"` : '(blank)');
  const first = rows[0]!;
  const want = first.values[column] ?? '';
  return rows.flatMap((r, i) => {
    const v = r.values[column] ?? '';
    if (key(v) === key(want)) return [];
    const msg = `Line ${r.line}: ${label} ${show(v)} differs from ${show(want)} on line ${first.line}; a file holds one ASN.`;
    return [UserError.of(E.INVALID_INPUT, msg, 'input.csv', i)];
  });
}

@Resolver(() => Receipt)
export class ReceiptResolver {
  @Authorized()
  @Query(() => ReceiptConnection, { description: 'Receipts at your stores, newest first.' })
  async receipts(
    @C() ctx: Ctx,
    @Arg('filter', () => ReceiptFilter, { nullable: true }) filter?: ReceiptFilter,
    @Arg('first', () => Int, { defaultValue: 50 }) first = 50,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ReceiptConnection> {
    const viewer = requireViewer(ctx);
    if (filter?.storeId) requireStore(ctx, filter.storeId);
    if (first < 1 || first > 500) fail('BAD_USER_INPUT', 'first must be between 1 and 500.', { field: 'first' });
    const { rows } = await ctx.pool.query(
      `select * from receipt where ($1::int[] is null or store_id = any($1)) and ($2::int is null or store_id = $2) and ($3::text is null or status = $3)
         and ($4::text is null or number ilike '%' || $4 || '%' or asn_reference ilike '%' || $4 || '%') and ($5::int is null or id < $5)
       order by id desc limit $6`,
      [
        viewer.storeIds,
        filter?.storeId ?? null,
        filter?.status ?? null,
        filter?.search?.trim() || null,
        after ? Number(after) : null,
        first + 1,
      ],
    );
    const nodes = rows.slice(0, first).map(toReceipt);
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.id ?? null };
  }

  @Authorized()
  @Query(() => Receipt)
  async receipt(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<Receipt> {
    const r = (await loadReceipt(ctx.pool, Number(id))) ?? notFound('Receipt', id);
    requireStore(ctx, r.storeId);
    return r;
  }

  @FieldResolver(() => Store)
  async store(@Root() r: Receipt, @C() ctx: Ctx): Promise<Store> {
    return (await storeLoader(ctx).load(r.storeId))!;
  }

  @FieldResolver(() => Vendor, { nullable: true })
  async vendor(@Root() r: Receipt, @C() ctx: Ctx): Promise<Vendor | null> {
    return r.vendorId ? ctx.em.findOne(Vendor, { id: r.vendorId }) : null;
  }

  @FieldResolver(() => User)
  async createdBy(@Root() r: Receipt, @C() ctx: Ctx): Promise<User> {
    return (await userLoader(ctx).load(r.createdById))!;
  }

  @FieldResolver(() => User, { nullable: true })
  async postedBy(@Root() r: Receipt, @C() ctx: Ctx): Promise<User | null> {
    return r.postedById ? ((await userLoader(ctx).load(r.postedById)) ?? null) : null;
  }

  @FieldResolver(() => [ReceiptLine])
  async lines(@Root() r: Receipt, @C() ctx: Ctx): Promise<ReceiptLine[]> {
    return (await receiptLines(ctx, r)).map((l) => ({
      id: String(l.id),
      lineNo: l.line_no,
      itemId: l.item_id,
      receiptId: Number(r.id),
      expectedQuantity: l.expected_quantity,
      receivedQuantity: l.received_quantity,
      scannedCount: l.scanned,
      variance: l.expected_quantity == null ? null : l.received_quantity - l.expected_quantity,
    }));
  }

  @FieldResolver(() => [UserError], { description: 'What stops posting right now (RCV-3); empty when postable.' })
  async postBlockers(@Root() r: Receipt, @C() ctx: Ctx): Promise<UserError[]> {
    if (r.status !== 'OPEN') return [];
    const lines = await receiptLines(ctx, r);
    const items = new Map((await Promise.all(lines.map((l) => itemLoader(ctx).load(l.item_id)))).map((i) => [i!.id, i!]));
    const pols = new Map(await Promise.all(lines.map(async (l) => [l.item_id, (await policyLoader(ctx).load(l.item_id))!] as const)));
    return [
      ...postBlockers(
        lines,
        (id) => pols.get(id)!,
        (id) => `${items.get(id)?.productId} ${items.get(id)?.name}`,
      ),
      ...(lines.some((l) => l.scanned > 0) ? await ctx.services.receiving.unitBlockers(ctx.pool, Number(r.id)) : []),
    ];
  }

  @Authorized(...RECEIVERS)
  @StoreScoped('input.storeId')
  @Mutation(() => ReceiptPayload, { description: 'Opens an ASN receipt (expected lines, optional preregistered serials) or a blind one.' })
  async createReceipt(@Arg('input', () => CreateReceiptInput) input: CreateReceiptInput, @C() ctx: Ctx): Promise<ReceiptPayload> {
    const { clientKey, ...request } = input;
    return this.createFrom(ctx, 'createReceipt', clientKey, request, {
      storeId: Number(input.storeId),
      kind: input.kind,
      vendorId: input.vendorId ? Number(input.vendorId) : null,
      asnReference: input.asnReference,
      note: input.note,
      lines: input.lines?.map((l) => ({ ...l, itemId: l.itemId ? Number(l.itemId) : null })),
    });
  }

  @Authorized(...RECEIVERS)
  @StoreScoped('input.storeId')
  @Mutation(() => ReceiptPayload, {
    description:
      'Creates an ASN receipt from a CSV file: asn_reference, vendor, item (UPC or product id), quantity, serials (joined with |).',
  })
  async importAsn(@Arg('input', () => ImportAsnInput) input: ImportAsnInput, @C() ctx: Ctx): Promise<ReceiptPayload> {
    const refused = (userErrors: UserError[]): ReceiptPayload => ({ userErrors, replayed: false });
    const file = readCsvFile(input.csv, { known: ASN_COLUMNS, required: ['item', 'quantity'] });
    if (file.error !== undefined) return refused([UserError.of(E.MALFORMED_FILE, file.error, 'input.csv')]);
    const rows = file.records;
    if (!rows.length) return refused([UserError.of(E.MALFORMED_FILE, 'The file has no lines after the header.', 'input.csv')]);
    // One ASN per file: every line names the same reference and vendor as the first.
    const conflicts = [
      ...sameOnEveryLine(rows, 'asn_reference', 'ASN reference', (v) => v),
      ...sameOnEveryLine(rows, 'vendor', 'vendor', (v) => v.toLowerCase()),
    ].sort((a, b) => a.index! - b.index!);
    if (conflicts.length) return refused(conflicts);
    const first = rows[0]!;
    const vendorCode = first.values.vendor?.trim();
    const vendor = vendorCode ? (await ctx.pool.query('select id from vendor where lower(code) = lower($1)', [vendorCode])).rows[0] : null;
    if (vendorCode && !vendor)
      return refused([UserError.of(E.NOT_FOUND, `Line ${first.line}: Unknown vendor code ${vendorCode}.`, 'input.csv', 0)]);
    const lines: ReceiptLineInput[] = rows.map(({ values: r }) => ({
      code: r.item,
      expectedQuantity: /^\d+$/.test(r.quantity ?? '') ? Number(r.quantity) : null,
      serials: (r.serials ?? '')
        .split('|')
        .map((s) => s.trim())
        .filter(Boolean),
    }));
    const lineOf = (index: number) => rows[index]?.line ?? index + 2;
    const result = await this.createFrom(
      ctx,
      'importAsn',
      input.clientKey,
      { storeId: input.storeId, csv: input.csv },
      {
        storeId: Number(input.storeId),
        kind: 'ASN',
        vendorId: vendor?.id ?? null,
        asnReference: first.values.asn_reference || null,
        lines,
        lineName: lineOf,
      },
    );
    // Errors name the lines of the file, not of the receipt.
    result.userErrors = result.userErrors.map((e) =>
      e.index != null ? UserError.of(e.code, `Line ${lineOf(e.index)}: ${e.message}`, e.field, e.index) : e,
    );
    return result;
  }

  @Authorized(...RECEIVERS)
  @Mutation(() => ScanPayload, { description: 'DOC-3: registers one scan or a pasted list; every entry gets its own answer.' })
  async scanReceipt(@Arg('input', () => ScanReceiptInput) input: ScanReceiptInput, @C() ctx: Ctx): Promise<ScanPayload> {
    const { clientKey, ...request } = input;
    const receiptId = Number(input.receiptId);
    return transact<ScanPayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation: 'scanReceipt',
        request,
        genericPlans: true,
        first: (db) =>
          ctx.services.receiving.scanFirst(db, receiptId, input.input, input.currentItemId ? Number(input.currentItemId) : null),
        replay: async (s) => ({ ...(s as ScanPayload), receipt: await loadReceipt(ctx.pool, receiptId), userErrors: [], replayed: true }),
        reused: (e) => ({ results: [], userErrors: [e], replayed: false }),
      },
      async (db, first) => {
        const receipt = await ctx.services.receiving.lockOpen(ctx, db, receiptId, first?.[0]?.rows as ReceiptRow[] | undefined);
        if (receipt instanceof UserError)
          return {
            result: { results: [], receipt: await loadReceipt(db, receiptId), userErrors: [receipt], replayed: false },
            commit: false,
          };
        const r = await ctx.services.receiving.scan(ctx, db, receipt, input.input, {
          currentItemId: input.currentItemId ? Number(input.currentItemId) : null,
          pinItem: !!input.pinItem,
          context: first?.[1]?.rows[0] as ScanContext | undefined,
        });
        if (r.errors.length) return { result: { results: [], userErrors: r.errors, replayed: false }, commit: false };
        const results: ScanResult[] = r.answers.map((a) => ({
          ...a,
          accepted: ACCEPTING.has(a.outcome),
          itemId: a.itemId == null ? null : String(a.itemId),
          lineId: a.lineId == null ? null : String(a.lineId),
        }));
        const stored = { results, currentItemId: r.currentItemId == null ? null : String(r.currentItemId) };
        // The SCANNED document event was written with the scans (ReceivingService.scan).
        // The answer shows the receipt as this scan left it, from what the scan already holds
        // (the receipt is locked, so nothing else changed its lines): no statement after commit.
        const answer = toReceipt(receipt);
        primeRefs(ctx, { store: receipt.store_json, users: receipt.users_json });
        if (r.after) {
          for (const row of r.after.items) primeItem(ctx, row);
          linesOf.set(answer, Promise.resolve(r.after.lines));
        }
        return { result: { ...stored, receipt: answer, userErrors: [], replayed: false }, commit: true, stored, last: r.write };
      },
    );
  }

  @Authorized(...RECEIVERS)
  @Mutation(() => ReceiptPayload, { description: 'Clears registered serials before posting, or a whole line to re-scan it from zero.' })
  async removeReceiptSerials(
    @Arg('input', () => RemoveReceiptSerialsInput) input: RemoveReceiptSerialsInput,
    @C() ctx: Ctx,
  ): Promise<ReceiptPayload> {
    const { clientKey, ...request } = input;
    return this.change(ctx, 'removeReceiptSerials', Number(input.receiptId), clientKey, request, async (db) => {
      if (!input.serials?.length && !input.lineId)
        return [UserError.of(E.REQUIRED, 'Name the serials to clear, or a line to clear.', 'input.serials')];
      await ctx.services.receiving.removeScans(
        db,
        Number(input.receiptId),
        input.serials ?? [],
        input.lineId ? Number(input.lineId) : null,
      );
      return [];
    });
  }

  @Authorized(...RECEIVERS)
  @Mutation(() => ReceiptPayload, {
    description: 'Sets the received quantity of an item (never-serialized items, or units without serials).',
  })
  async setReceiptQuantity(
    @Arg('input', () => SetReceiptQuantityInput) input: SetReceiptQuantityInput,
    @C() ctx: Ctx,
  ): Promise<ReceiptPayload> {
    const { clientKey, ...request } = input;
    return this.change(ctx, 'setReceiptQuantity', Number(input.receiptId), clientKey, request, async (db, receipt) =>
      ctx.services.receiving.setQuantity(db, receipt, Number(input.itemId), input.quantity),
    );
  }

  @Authorized(...RECEIVERS)
  @Mutation(() => ReceiptPayload, {
    description: 'RCV-3: posts the receipt atomically; units go IN_STOCK and the ledger gets RECEIVING events.',
  })
  async postReceipt(@Arg('input', () => ReceiptActionInput) input: ReceiptActionInput, @C() ctx: Ctx): Promise<ReceiptPayload> {
    return this.change(ctx, 'postReceipt', Number(input.receiptId), input.clientKey, { receiptId: input.receiptId }, (db, receipt) =>
      ctx.services.receiving.post(db, receipt, ctx.viewer!.userId),
    );
  }

  @Authorized(...RECEIVERS)
  @Mutation(() => ReceiptPayload, { description: 'Cancels an open receipt; nothing it registered takes effect.' })
  async cancelReceipt(@Arg('input', () => ReceiptActionInput) input: ReceiptActionInput, @C() ctx: Ctx): Promise<ReceiptPayload> {
    return this.change(
      ctx,
      'cancelReceipt',
      Number(input.receiptId),
      input.clientKey,
      { receiptId: input.receiptId },
      async (db, receipt) => {
        await db.query(`update receipt set status = 'CANCELED' where id = $1`, [receipt.id]);
        return [];
      },
    );
  }

  private createFrom(
    ctx: Ctx,
    operation: string,
    clientKey: string | null | undefined,
    request: unknown,
    input: Parameters<Ctx['services']['receiving']['create']>[2],
  ) {
    return transact<ReceiptPayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation,
        request,
        replay: (s) => this.replay(ctx, s),
        reused: (e) => ({ userErrors: [e], replayed: false }),
      },
      async (db) => {
        const r = await ctx.services.receiving.create(db, ctx.viewer!.userId, input);
        if (!r.id) return { result: { userErrors: r.errors, replayed: false }, commit: false };
        await recordDocEvent(db, { kind: 'RECEIPT', documentId: r.id, userId: ctx.viewer!.userId, action: 'CREATED' });
        return {
          result: { receipt: await loadReceipt(db, r.id), userErrors: [], replayed: false },
          commit: true,
          stored: { receiptId: r.id },
        };
      },
    );
  }

  /** One transaction: lock the open receipt, change it, answer with the receipt as it now is. */
  private change(
    ctx: Ctx,
    operation: string,
    receiptId: number,
    clientKey: string | null | undefined,
    request: unknown,
    fn: (
      db: pg.PoolClient,
      receipt: Exclude<Awaited<ReturnType<Ctx['services']['receiving']['lockOpen']>>, UserError>,
    ) => Promise<UserError[]>,
  ): Promise<ReceiptPayload> {
    return documentAction<Exclude<Awaited<ReturnType<Ctx['services']['receiving']['lockOpen']>>, UserError>, ReceiptPayload>(ctx, {
      operation,
      clientKey,
      request,
      documentId: receiptId,
      event: 'RECEIPT',
      lock: (db) => ctx.services.receiving.lockOpen(ctx, db, receiptId),
      apply: fn,
      answer: async (db, userErrors, replayed) => ({ receipt: await loadReceipt(db, receiptId), userErrors, replayed }),
      refused: (e) => ({ userErrors: [e], replayed: false }),
    });
  }

  private async replay(ctx: Ctx, stored: { receiptId: number }): Promise<ReceiptPayload> {
    return { receipt: await loadReceipt(ctx.pool, stored.receiptId), userErrors: [], replayed: true };
  }
}

@Resolver(() => ReceiptLine)
export class ReceiptLineResolver {
  @FieldResolver(() => Item)
  async item(@Root() l: ReceiptLine, @C() ctx: Ctx): Promise<Item> {
    return (await itemLoader(ctx).load(l.itemId))!;
  }

  @FieldResolver(() => [RegisteredSerial], { description: 'Serials registered on this line, in scan order.' })
  async serials(@Root() l: ReceiptLine, @C() ctx: Ctx): Promise<RegisteredSerial[]> {
    const { rows } = await ctx.pool.query(
      `select s.serial, s.scanned_at, u.username from receipt_scan s join app_user u on u.id = s.scanned_by where s.line_id = $1 order by s.id`,
      [Number(l.id)],
    );
    return rows.map((r) => ({ serial: r.serial, scannedAt: r.scanned_at, scannedBy: r.username }));
  }

  @FieldResolver(() => [String], { description: 'Serials preregistered on the ASN for this line.' })
  async expectedSerials(@Root() l: ReceiptLine, @C() ctx: Ctx): Promise<string[]> {
    const { rows } = await ctx.pool.query(`select serial from receipt_expected_serial where line_id = $1 order by serial_key`, [
      Number(l.id),
    ]);
    return rows.map((r) => r.serial);
  }

  @FieldResolver(() => [String], { description: 'Preregistered serials not scanned yet.' })
  async missingSerials(@Root() l: ReceiptLine, @C() ctx: Ctx): Promise<string[]> {
    const { rows } = await ctx.pool.query(
      `select e.serial from receipt_expected_serial e where e.line_id = $1
       and not exists (select 1 from receipt_scan s where s.line_id = e.line_id and s.serial_key = e.serial_key) order by e.serial_key`,
      [Number(l.id)],
    );
    return rows.map((r) => r.serial);
  }
}

/** Items of receipt lines with their policies and UPCs, primed for the Item fields. */
const LINE_ITEMS = statement(
  'receipt-line-items',
  `select ${ITEM_DETAIL_JSON} as item from item i join item_policy p on p.item_id = i.id
   where i.id in (select item_id from receipt_line where receipt_id = $1)`,
);

const RECEIPT_BY_ID = statement('receipt-by-id', `select ${RECEIPT_COLUMNS} from receipt where id = $1`);

const linesOf = new WeakMap<Receipt, Promise<LineRow[]>>();

/**
 * A receipt's lines as this answer shows them: read once per Receipt object (a mutation's
 * answer is a new object, so it never sees lines from before the change), items primed.
 */
function receiptLines(ctx: Ctx, r: Receipt): Promise<LineRow[]> {
  let p = linesOf.get(r);
  if (!p) {
    p = (async () => {
      const lines = await ctx.services.receiving.lines(ctx.pool, Number(r.id));
      if (lines.length) for (const row of (await ctx.pool.query(LINE_ITEMS([Number(r.id)]))).rows) primeItem(ctx, row.item);
      return lines;
    })();
    linesOf.set(r, p);
  }
  return p;
}

export async function loadReceipt(db: pg.Pool | pg.PoolClient, id: number): Promise<Receipt | null> {
  const { rows } = await db.query(RECEIPT_BY_ID([id]));
  return rows[0] ? toReceipt(rows[0]) : null;
}

function toReceipt(r: Record<string, any>): Receipt {
  return Object.assign(new Receipt(), {
    id: String(r.id),
    number: r.number,
    kind: r.kind,
    status: r.status,
    asnReference: r.asn_reference,
    note: r.note,
    createdAt: r.created_at,
    postedAt: r.posted_at,
    storeId: r.store_id,
    vendorId: r.vendor_id,
    createdById: r.created_by,
    postedById: r.posted_by,
  });
}
