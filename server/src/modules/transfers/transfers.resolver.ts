import { Arg, Authorized, Ctx as C, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type pg from 'pg';
import type { Ctx } from '../../common/context.js';
import { canSeeStore, requireStore, requireViewer, StoreScoped } from '../../common/auth.js';
import { fail, notFound } from '../../common/errors.js';
import { transact } from '../../common/idempotency.js';
import { documentAction } from '../../common/document-action.js';
import { UserError } from '../../common/user-error.js';
import { Role } from '../auth/user.entity.js';
import { Item } from '../catalog/catalog.entities.js';
import { Store } from '../locations/location.entities.js';
import { recordDocEvent } from '../realtime/doc-events.js';
import { ACCEPTING } from '../receiving/scan.js';
import type { ScanResult } from '../receiving/receiving.types.js';
import { receivableStatuses, type Side, type TransferRow } from './transfers.service.js';
import { serialKey } from '../stock/serial-input.js';
import {
  CreateTransferInput,
  RemoveTransferSerialsInput,
  ScanTransferInput,
  Transfer,
  TransferActionInput,
  TransferDiscrepancy,
  TransferFilter,
  TransferLine,
  TransferPayload,
  TransferProgress,
  TransferScanPayload,
  TransferSide,
  WriteOffTransferInput,
} from './transfers.types.js';

const MOVERS = [Role.CLERK, Role.STORE_MANAGER];

@Resolver(() => Transfer)
export class TransferResolver {
  @Authorized()
  @Query(() => [Transfer], { description: 'Transfers from or to your stores, newest first (the board, TRF-4).' })
  async transfers(
    @C() ctx: Ctx,
    @Arg('filter', () => TransferFilter, { nullable: true }) filter?: TransferFilter,
    @Arg('first', () => Int, { defaultValue: 100 }) first = 100,
  ): Promise<Transfer[]> {
    const viewer = requireViewer(ctx);
    if (filter?.storeId) requireStore(ctx, filter.storeId);
    if (first < 1 || first > 500) fail('BAD_USER_INPUT', 'first must be between 1 and 500.', { field: 'first' });
    const { rows } = await ctx.pool.query(
      `select * from transfer where ($1::int[] is null or from_store_id = any($1) or to_store_id = any($1))
         and ($2::int is null or from_store_id = $2 or to_store_id = $2) and ($3::text[] is null or status = any($3)) order by id desc limit $4`,
      [viewer.storeIds, filter?.storeId ?? null, filter?.statuses?.length ? filter.statuses : null, first],
    );
    return rows.map(toTransfer);
  }

  @Authorized()
  @Query(() => Transfer)
  async transfer(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<Transfer> {
    const t = (await loadTransfer(ctx.pool, Number(id))) ?? notFound('Transfer', id);
    const viewer = requireViewer(ctx);
    if (!canSeeStore(viewer, t.fromStoreId) && !canSeeStore(viewer, t.toStoreId)) requireStore(ctx, t.fromStoreId);
    return t;
  }

  @FieldResolver(() => Store)
  async fromStore(@Root() t: Transfer, @C() ctx: Ctx): Promise<Store> {
    return (await ctx.em.findOne(Store, { id: t.fromStoreId }))!;
  }

  @FieldResolver(() => Store)
  async toStore(@Root() t: Transfer, @C() ctx: Ctx): Promise<Store> {
    return (await ctx.em.findOne(Store, { id: t.toStoreId }))!;
  }

  @FieldResolver(() => [TransferLine])
  async lines(@Root() t: Transfer, @C() ctx: Ctx): Promise<TransferLine[]> {
    const lines = await ctx.services.transfers.lines(ctx.pool, Number(t.id));
    const { rows } = await ctx.pool.query(
      `select line_id, serial, received_at is not null as received, posted, written_off from transfer_serial where transfer_id = $1 order by serial_key`,
      [Number(t.id)],
    );
    return lines.map((l) => ({
      id: String(l.id),
      lineNo: l.line_no,
      itemId: l.item_id,
      quantity: l.quantity,
      shippedQuantity: l.shipped_quantity,
      serialCount: l.serials,
      receivedQuantity: l.serials_received + l.received_quantity,
      serials: rows
        .filter((r) => r.line_id === l.id)
        .map((r) => ({ serial: r.serial, received: r.received, posted: r.posted, writtenOff: r.written_off })),
    }));
  }

  @FieldResolver(() => TransferProgress)
  async progress(@Root() t: Transfer, @C() ctx: Ctx): Promise<TransferProgress> {
    const lines = await ctx.services.transfers.lines(ctx.pool, Number(t.id));
    const sum = (f: (l: (typeof lines)[number]) => number) => lines.reduce((s, l) => s + f(l), 0);
    return {
      requested: sum((l) => l.quantity),
      shipped: sum((l) => l.shipped_quantity),
      received: sum((l) => l.serials_received + l.received_quantity),
    };
  }

  @FieldResolver(() => [UserError], { description: 'What stops shipping right now; empty when it can ship.' })
  async shipBlockers(@Root() t: Transfer, @C() ctx: Ctx): Promise<UserError[]> {
    return t.status === 'DRAFT' ? ctx.services.transfers.shipBlockers(ctx.pool, Number(t.id)) : [];
  }

  @FieldResolver(() => [TransferDiscrepancy], {
    description: 'Shipped but not received (yet): serials still in transit and quantity shortfalls.',
  })
  async discrepancies(@Root() t: Transfer, @C() ctx: Ctx): Promise<TransferDiscrepancy[]> {
    const d = await ctx.services.transfers.discrepancies(ctx.pool, Number(t.id));
    const items = await ctx.em.find(Item, { id: { $in: [...d.serials.map((s) => s.item_id), ...d.quantities.map((q) => q.itemId)] } });
    const pid = (id: number) => items.find((i) => i.id === id)?.productId ?? String(id);
    return [
      ...d.serials.map((s) => ({ itemId: String(s.item_id), productId: pid(s.item_id), serial: s.serial, quantity: 1 })),
      ...d.quantities.map((q) => ({ itemId: String(q.itemId), productId: pid(q.itemId), serial: null, quantity: q.missing })),
    ];
  }

  @Authorized(...MOVERS)
  @StoreScoped('input.fromStoreId')
  @Mutation(() => TransferPayload, { description: 'Starts a transfer in DRAFT at the source store.' })
  async createTransfer(@Arg('input', () => CreateTransferInput) input: CreateTransferInput, @C() ctx: Ctx): Promise<TransferPayload> {
    const { clientKey, ...request } = input;
    return transact<TransferPayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation: 'createTransfer',
        request,
        replay: (s) => replay(ctx, s),
        reused: (e) => ({ userErrors: [e], replayed: false }),
      },
      async (db) => {
        const r = await ctx.services.transfers.create(db, ctx.viewer!.userId, {
          fromStoreId: Number(input.fromStoreId),
          toStoreId: Number(input.toStoreId),
          note: input.note,
          lines: input.lines?.map((l) => ({ ...l, itemId: l.itemId ? Number(l.itemId) : null })),
        });
        if (!r.id) return { result: { userErrors: r.errors, replayed: false }, commit: false };
        await recordDocEvent(db, { kind: 'TRANSFER', documentId: r.id, userId: ctx.viewer!.userId, action: 'CREATED' });
        return {
          result: { transfer: await loadTransfer(db, r.id), userErrors: [], replayed: false },
          commit: true,
          stored: { transferId: r.id },
        };
      },
    );
  }

  @Authorized(...MOVERS)
  @Mutation(() => TransferScanPayload, {
    description:
      'SHIP side: register serials (each IN_STOCK at the source, TRF-2). RECEIVE side: check off serials shipped on this transfer (TRF-3).',
  })
  async scanTransfer(@Arg('input', () => ScanTransferInput) input: ScanTransferInput, @C() ctx: Ctx): Promise<TransferScanPayload> {
    const { clientKey, ...request } = input;
    const id = Number(input.transferId);
    const side: Side = input.side === TransferSide.SHIP ? 'SHIP' : 'RECEIVE';
    return transact<TransferScanPayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation: 'scanTransfer',
        request,
        replay: async (s) => ({
          ...(s as TransferScanPayload),
          transfer: await loadTransfer(ctx.pool, id),
          userErrors: [],
          replayed: true,
        }),
        reused: (e) => ({ results: [], userErrors: [e], replayed: false }),
      },
      async (db) => {
        const t = await ctx.services.transfers.lock(ctx, db, id, side, side === 'SHIP' ? ['DRAFT'] : receivableStatuses);
        if (t instanceof UserError) return { result: { results: [], userErrors: [t], replayed: false }, commit: false };
        const r = await ctx.services.transfers.scan(
          ctx,
          db,
          t,
          side,
          input.input,
          input.currentItemId ? Number(input.currentItemId) : null,
        );
        if (r.errors.length) return { result: { results: [], userErrors: r.errors, replayed: false }, commit: false };
        const results: ScanResult[] = r.answers.map((a) => ({
          ...a,
          accepted: ACCEPTING.has(a.outcome),
          itemId: a.itemId == null ? null : String(a.itemId),
          lineId: a.lineId == null ? null : String(a.lineId),
        }));
        const accepted = results.filter((x) => x.accepted).length;
        if (accepted)
          await recordDocEvent(db, {
            kind: 'TRANSFER',
            documentId: id,
            userId: ctx.viewer!.userId,
            action: side === 'SHIP' ? 'SHIP_SCANNED' : 'RECEIVE_SCANNED',
            detail: { accepted },
          });
        const stored = { results, currentItemId: r.currentItemId == null ? null : String(r.currentItemId) };
        return { result: { ...stored, transfer: await loadTransfer(db, id), userErrors: [], replayed: false }, commit: true, stored };
      },
    );
  }

  @Authorized(...MOVERS)
  @Mutation(() => TransferPayload, { description: 'Removes serials registered to ship (DRAFT only).' })
  async removeTransferSerials(
    @Arg('input', () => RemoveTransferSerialsInput) input: RemoveTransferSerialsInput,
    @C() ctx: Ctx,
  ): Promise<TransferPayload> {
    return this.act(ctx, 'removeTransferSerials', input, 'SHIP', ['DRAFT'], async (db, t) => {
      const { rows } = await db.query(
        `delete from transfer_serial where transfer_id = $1 and serial_key = any($2::text[]) returning line_id`,
        [t.id, input.serials.map(serialKey)],
      );
      for (const r of rows)
        await db.query(`update transfer_line set shipped_quantity = greatest(0, shipped_quantity - 1) where id = $1`, [r.line_id]);
      return [];
    });
  }

  @Authorized(...MOVERS)
  @Mutation(() => TransferPayload, { description: 'TRF-2: ships: source stock down, units IN_TRANSIT.' })
  async shipTransfer(@Arg('input', () => TransferActionInput) input: TransferActionInput, @C() ctx: Ctx): Promise<TransferPayload> {
    return this.act(ctx, 'shipTransfer', input, 'SHIP', ['DRAFT'], (db, t) => ctx.services.transfers.ship(db, t, ctx.viewer!.userId));
  }

  @Authorized(...MOVERS)
  @Mutation(() => TransferPayload, {
    description: 'TRF-3: posts what the destination checked off into its stock; what is missing stays in transit as a discrepancy.',
  })
  async receiveTransfer(@Arg('input', () => TransferActionInput) input: TransferActionInput, @C() ctx: Ctx): Promise<TransferPayload> {
    return this.act(ctx, 'receiveTransfer', input, 'RECEIVE', receivableStatuses, (db, t) =>
      ctx.services.transfers.receive(db, t, ctx.viewer!.userId),
    );
  }

  @Authorized(Role.STORE_MANAGER)
  @Mutation(() => TransferPayload, { description: 'TRF-3: a manager writes off units that never arrived (they become REMOVED).' })
  async writeOffTransfer(@Arg('input', () => WriteOffTransferInput) input: WriteOffTransferInput, @C() ctx: Ctx): Promise<TransferPayload> {
    return this.act(ctx, 'writeOffTransfer', input, 'RECEIVE', ['RECEIVED_WITH_DISCREPANCY'], (db, t) =>
      ctx.services.transfers.writeOff(db, t, ctx.viewer!.userId, input.reason),
    );
  }

  @Authorized(...MOVERS)
  @Mutation(() => TransferPayload, { description: 'Cancels a transfer; only from DRAFT (TRF-1).' })
  async cancelTransfer(@Arg('input', () => TransferActionInput) input: TransferActionInput, @C() ctx: Ctx): Promise<TransferPayload> {
    return this.act(ctx, 'cancelTransfer', input, 'SHIP', ['DRAFT'], async (db, t) => {
      await db.query(`update transfer set status = 'CANCELED' where id = $1`, [t.id]);
      return [];
    });
  }

  private act(
    ctx: Ctx,
    operation: string,
    input: { transferId: string; clientKey?: string | null },
    side: Side,
    allowed: Parameters<Ctx['services']['transfers']['lock']>[4],
    fn: (db: pg.PoolClient, t: TransferRow) => Promise<UserError[]>,
  ): Promise<TransferPayload> {
    const { clientKey, ...request } = input;
    const id = Number(input.transferId);
    return documentAction<TransferRow, TransferPayload>(ctx, {
      operation,
      clientKey,
      request,
      documentId: id,
      event: 'TRANSFER',
      lock: (db) => ctx.services.transfers.lock(ctx, db, id, side, allowed),
      apply: fn,
      answer: async (db, userErrors, replayed) => ({ transfer: await loadTransfer(db, id), userErrors, replayed }),
      refused: (e) => ({ userErrors: [e], replayed: false }),
    });
  }
}

@Resolver(() => TransferLine)
export class TransferLineResolver {
  @FieldResolver(() => Item)
  async item(@Root() l: TransferLine, @C() ctx: Ctx): Promise<Item> {
    return (await ctx.em.findOne(Item, { id: l.itemId }))!;
  }
}

async function replay(ctx: Ctx, stored: { transferId: number }): Promise<TransferPayload> {
  return { transfer: await loadTransfer(ctx.pool, stored.transferId), userErrors: [], replayed: true };
}

export async function loadTransfer(db: pg.Pool | pg.PoolClient, id: number): Promise<Transfer | null> {
  const { rows } = await db.query(`select * from transfer where id = $1`, [id]);
  return rows[0] ? toTransfer(rows[0]) : null;
}

function toTransfer(r: Record<string, any>): Transfer {
  return Object.assign(new Transfer(), {
    id: String(r.id),
    number: r.number,
    status: r.status,
    note: r.note,
    createdAt: r.created_at,
    shippedAt: r.shipped_at,
    receivedAt: r.received_at,
    fromStoreId: r.from_store_id,
    toStoreId: r.to_store_id,
  });
}
