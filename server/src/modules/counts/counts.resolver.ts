import { Arg, Authorized, Ctx as C, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type pg from 'pg';
import type { Ctx } from '../../common/context.js';
import { requireStore, StoreScoped } from '../../common/auth.js';
import { notFound } from '../../common/errors.js';
import { transact } from '../../common/idempotency.js';
import { documentAction } from '../../common/document-action.js';
import { UserError } from '../../common/user-error.js';
import { Role } from '../auth/user.entity.js';
import { recordDocEvent } from '../realtime/doc-events.js';
import { ScanResult } from '../receiving/receiving.types.js';
import { ACCEPTING, ScanOutcome } from '../receiving/scan.js';
import type { CountRow } from './counts.service.js';

@ObjectType({ description: 'A cycle count of a store and a scope (CNT-1).' })
export class CycleCount {
  @Field(() => ID) id!: string;
  @Field(() => String) number!: string;
  @Field(() => ID) storeId!: string;
  @Field(() => ID, { nullable: true }) classificationId?: string | null;
  @Field(() => [ID], { nullable: true }) itemIds?: string[] | null;
  @Field(() => String, { description: 'OPEN, CLOSED, POSTED or CANCELED.' }) status!: string;
}

@ObjectType()
export class CountMissing {
  @Field(() => ID) itemId!: string;
  @Field(() => String) serial!: string;
}
@ObjectType()
export class CountUnexpected {
  @Field(() => ID) itemId!: string;
  @Field(() => String) serial!: string;
  @Field(() => String, { nullable: true, description: 'Where the system believes the unit is; null = unknown unit.' }) state?:
    string | null;
  @Field(() => String, { nullable: true }) storeCode?: string | null;
}
@ObjectType()
export class CountQuantityVariance {
  @Field(() => ID) itemId!: string;
  @Field(() => Int) onHand!: number;
  @Field(() => Int) counted!: number;
}

@ObjectType({ description: 'CNT-1 closing view: missing units, unexpected units with where they are believed to be, quantity variances.' })
export class CountVariances {
  @Field(() => Int) expected!: number;
  @Field(() => Int) counted!: number;
  @Field(() => [CountMissing]) missing!: CountMissing[];
  @Field(() => [CountUnexpected]) unexpected!: CountUnexpected[];
  @Field(() => [CountQuantityVariance]) quantities!: CountQuantityVariance[];
}

@InputType()
export class OpenCountInput {
  @Field(() => ID) storeId!: string;
  @Field(() => ID, { nullable: true, description: 'Department, category or subcategory.' }) classificationId?: string | null;
  @Field(() => [ID], { nullable: true }) itemIds?: string[] | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}
@InputType()
export class ScanCountInput {
  @Field(() => ID) countId!: string;
  @Field(() => ID, { nullable: true, description: 'Your batch; omit to start a new one.' }) batchId?: string | null;
  @Field(() => String) input!: string;
  @Field(() => ID, { nullable: true }) currentItemId?: string | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}
@InputType()
export class CountQuantityInput {
  @Field(() => ID) countId!: string;
  @Field(() => ID) itemId!: string;
  @Field(() => Int) quantity!: number;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}
@InputType()
export class CountActionInput {
  @Field(() => ID) countId!: string;
  @Field(() => [String], { nullable: true, description: 'Posting: serials whose variance is NOT accepted.' }) excludeSerials?:
    string[] | null;
  @Field(() => [ID], { nullable: true, description: 'Posting: items whose variances are NOT accepted.' }) excludeItemIds?: string[] | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@ObjectType()
export class CountPayload {
  @Field(() => CycleCount, { nullable: true }) count?: CycleCount | null;
  @Field(() => CountVariances, { nullable: true }) variances?: CountVariances | null;
  @Field(() => [String], { description: 'Variances left out when posting, and why.' }) skipped: string[] = [];
  @Field(() => [UserError]) userErrors: UserError[] = [];
  @Field(() => Boolean) replayed = false;
}
@ObjectType()
export class CountScanPayload {
  @Field(() => [ScanResult]) results: ScanResult[] = [];
  @Field(() => ID, { nullable: true }) batchId?: string | null;
  @Field(() => Int, { nullable: true }) batchNo?: number | null;
  @Field(() => ID, { nullable: true }) currentItemId?: string | null;
  @Field(() => [UserError]) userErrors: UserError[] = [];
  @Field(() => Boolean) replayed = false;
}

const COUNTERS = [Role.CLERK, Role.STORE_MANAGER];

@Resolver()
export class CountResolver {
  @Authorized()
  @Query(() => CycleCount)
  async cycleCount(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<CycleCount> {
    const c = (await loadCount(ctx.pool, Number(id))) ?? notFound('Count', id);
    requireStore(ctx, c.storeId);
    return c;
  }

  @Authorized()
  @StoreScoped('storeId')
  @Query(() => [CycleCount], { description: 'Counts of a store, newest first.' })
  async cycleCounts(
    @Arg('storeId', () => ID) storeId: string,
    @C() ctx: Ctx,
    @Arg('status', () => String, { nullable: true }) status?: string,
  ): Promise<CycleCount[]> {
    const { rows } = await ctx.pool.query(
      `select id from cycle_count where store_id = $1 and ($2::text is null or status = $2) order by id desc limit 200`,
      [storeId, status ?? null],
    );
    return (await Promise.all(rows.map((r) => loadCount(ctx.pool, r.id)))) as CycleCount[];
  }

  @Authorized()
  @Query(() => CountVariances, { description: 'CNT-1: missing / unexpected units and quantity variances, as of now.' })
  async countVariances(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<CountVariances> {
    const { rows } = await ctx.pool.query(`select * from cycle_count where id = $1`, [Number(id)]);
    const c = (rows[0] as CountRow | undefined) ?? notFound('Count', id);
    requireStore(ctx, c.store_id);
    return toVariances(await ctx.services.counts.variances(ctx.pool, c));
  }

  @Authorized(...COUNTERS)
  @StoreScoped('input.storeId')
  @Mutation(() => CountPayload)
  async openCount(@Arg('input', () => OpenCountInput) input: OpenCountInput, @C() ctx: Ctx): Promise<CountPayload> {
    const { clientKey, ...request } = input;
    return transact<CountPayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation: 'openCount',
        request,
        replay: async (s) => ({ count: await loadCount(ctx.pool, s.countId), skipped: [], userErrors: [], replayed: true }),
        reused: (e) => ({ skipped: [], userErrors: [e], replayed: false }),
      },
      async (db) => {
        const r = await ctx.services.counts.open(db, ctx.viewer!.userId, {
          storeId: Number(input.storeId),
          classificationId: input.classificationId ? Number(input.classificationId) : null,
          itemIds: input.itemIds?.map(Number),
        });
        if (!r.id) return { result: { skipped: [], userErrors: r.errors, replayed: false }, commit: false };
        return {
          result: { count: await loadCount(db, r.id), skipped: [], userErrors: [], replayed: false },
          commit: true,
          stored: { countId: r.id },
        };
      },
    );
  }

  @Authorized(...COUNTERS)
  @Mutation(() => CountScanPayload, {
    description: 'CNT-1: scans into your batch; a serial already counted in another batch is answered with where, and counts once.',
  })
  async scanCount(@Arg('input', () => ScanCountInput) input: ScanCountInput, @C() ctx: Ctx): Promise<CountScanPayload> {
    const { clientKey, ...request } = input;
    const id = Number(input.countId);
    return transact<CountScanPayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation: 'scanCount',
        request,
        replay: async (s) => ({ ...s, userErrors: [], replayed: true }),
        reused: (e) => ({ results: [], userErrors: [e], replayed: false }),
      },
      async (db) => {
        const c = await ctx.services.counts.lock(ctx, db, id, ['OPEN']);
        if (c instanceof UserError) return { result: { results: [], userErrors: [c], replayed: false }, commit: false };
        const r = await ctx.services.counts.scan(
          ctx,
          db,
          c,
          input.batchId ? Number(input.batchId) : null,
          input.input,
          input.currentItemId ? Number(input.currentItemId) : null,
        );
        if (r.errors.length) return { result: { results: [], userErrors: r.errors, replayed: false }, commit: false };
        const results: ScanResult[] = r.answers.map((a) => ({
          ...a,
          accepted: ACCEPTING.has(a.outcome),
          itemId: a.itemId == null ? null : String(a.itemId),
          lineId: null,
        }));
        // Units counted, for everyone's live tallies: selecting an item by its UPC counts nothing.
        const accepted = results.filter((x) => x.outcome === ScanOutcome.ACCEPTED || x.outcome === ScanOutcome.ITEM_COUNTED).length;
        if (accepted)
          await recordDocEvent(db, {
            kind: 'COUNT',
            documentId: id,
            userId: ctx.viewer!.userId,
            action: 'SCANNED',
            detail: { accepted, batchNo: r.batchNo },
          });
        const stored = {
          results,
          batchId: String(r.batchId),
          batchNo: r.batchNo,
          currentItemId: r.currentItemId == null ? null : String(r.currentItemId),
        };
        return { result: { ...stored, userErrors: [], replayed: false }, commit: true, stored };
      },
    );
  }

  @Authorized(...COUNTERS)
  @Mutation(() => CountPayload, { description: 'Counted quantity of a never-serialized item.' })
  async setCountQuantity(@Arg('input', () => CountQuantityInput) input: CountQuantityInput, @C() ctx: Ctx): Promise<CountPayload> {
    return this.act(ctx, 'setCountQuantity', input, ['OPEN'], (db, c) =>
      ctx.services.counts.setQuantity(db, c, Number(input.itemId), input.quantity),
    );
  }

  @Authorized(...COUNTERS)
  @Mutation(() => CountPayload, { description: 'Stops scanning and shows the variances.' })
  async closeCount(@Arg('input', () => CountActionInput) input: CountActionInput, @C() ctx: Ctx): Promise<CountPayload> {
    return this.act(ctx, 'closeCount', input, ['OPEN'], async (db, c) => {
      await db.query(`update cycle_count set status = 'CLOSED', closed_at = now() where id = $1`, [c.id]);
      return [];
    });
  }

  @Authorized(Role.STORE_MANAGER)
  @Mutation(() => CountPayload, {
    description: 'CNT-1: a manager accepts the variances (all but the excluded) and posts them as COUNT events.',
  })
  async postCount(@Arg('input', () => CountActionInput) input: CountActionInput, @C() ctx: Ctx): Promise<CountPayload> {
    let skipped: string[] = [];
    const r = await this.act(ctx, 'postCount', input, ['OPEN', 'CLOSED'], async (db, c) => {
      const out = await ctx.services.counts.post(ctx, db, c, {
        serials: input.excludeSerials ?? [],
        itemIds: (input.excludeItemIds ?? []).map(Number),
      });
      skipped = out.skipped;
      return out.errors;
    });
    return { ...r, skipped: r.replayed ? [] : skipped };
  }

  private act(
    ctx: Ctx,
    operation: string,
    input: { countId: string; clientKey?: string | null },
    allowed: CountRow['status'][],
    fn: (db: pg.PoolClient, c: CountRow) => Promise<UserError[]>,
  ): Promise<CountPayload> {
    const { clientKey, ...request } = input;
    const id = Number(input.countId);
    return documentAction<CountRow, CountPayload>(ctx, {
      operation,
      clientKey,
      request,
      documentId: id,
      event: 'COUNT',
      lock: (db) => ctx.services.counts.lock(ctx, db, id, allowed),
      apply: fn,
      answer: async (db, userErrors, replayed) => {
        const row = (await db.query(`select * from cycle_count where id = $1`, [id])).rows[0] as CountRow;
        return {
          count: await loadCount(db, id),
          variances: row.status === 'POSTED' ? null : toVariances(await ctx.services.counts.variances(db, row)),
          skipped: [],
          userErrors,
          replayed,
        };
      },
      refused: (e) => ({ skipped: [], userErrors: [e], replayed: false }),
    });
  }
}

function toVariances(v: Awaited<ReturnType<Ctx['services']['counts']['variances']>>): CountVariances {
  return {
    expected: v.expected,
    counted: v.counted,
    missing: v.missing.map((m) => ({ itemId: String(m.itemId), serial: m.serial })),
    unexpected: v.unexpected.map((u) => ({ itemId: String(u.itemId), serial: u.serial, state: u.state, storeCode: u.storeCode })),
    quantities: v.quantities.map((q) => ({ itemId: String(q.itemId), onHand: q.onHand, counted: q.counted })),
  };
}

async function loadCount(db: pg.Pool | pg.PoolClient, id: number): Promise<CycleCount | null> {
  const r = (await db.query(`select * from cycle_count where id = $1`, [id])).rows[0];
  return r
    ? {
        id: String(r.id),
        number: r.number,
        storeId: String(r.store_id),
        classificationId: r.classification_id ? String(r.classification_id) : null,
        itemIds: r.item_ids?.map(String) ?? null,
        status: r.status,
      }
    : null;
}
