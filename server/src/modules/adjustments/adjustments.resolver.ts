import {
  Arg,
  Authorized,
  Ctx as C,
  Field,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  registerEnumType,
} from 'type-graphql';
import type { Ctx } from '../../common/context.js';
import { StoreScoped } from '../../common/auth.js';
import { forbidden } from '../../common/errors.js';
import { transact } from '../../common/idempotency.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { MAX_NOTE_LENGTH, MAX_REFERENCE_LENGTH, tooLong } from '../../common/limits.js';
import { Role } from '../auth/user.entity.js';
import { SerialLevel } from '../catalog/catalog.entities.js';
import { applyPlans, planLines, type LinePlan } from './adjustments.service.js';

export enum AdjustmentMode {
  ADD = 'ADD',
  SUBTRACT = 'SUBTRACT',
  FINAL_QUANTITY = 'FINAL_QUANTITY',
}
registerEnumType(AdjustmentMode, {
  name: 'AdjustmentMode',
  description: 'ADJ-1: ADD n units with n serials; SUBTRACT named units; FINAL_QUANTITY with the complete list on hand.',
});

export enum AdjustmentReason {
  DAMAGED = 'DAMAGED',
  LOST = 'LOST',
  FOUND = 'FOUND',
  THEFT = 'THEFT',
  CORRECTION = 'CORRECTION',
  WRITE_OFF = 'WRITE_OFF',
  OTHER = 'OTHER',
}
registerEnumType(AdjustmentReason, { name: 'AdjustmentReason' });

@InputType()
export class StockLineInputType {
  @Field(() => String, { nullable: true, description: 'UPC or product id.' }) code?: string | null;
  @Field(() => ID, { nullable: true }) itemId?: string | null;
  @Field(() => Int, { description: 'Units to add/subtract, or the final quantity.' }) quantity!: number;
  @Field(() => [String], { nullable: true }) serials?: string[] | null;
}

@InputType()
export class AdjustmentInput {
  @Field(() => ID) storeId!: string;
  @Field(() => AdjustmentMode) mode!: AdjustmentMode;
  @Field(() => AdjustmentReason) reason!: AdjustmentReason;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => [StockLineInputType]) lines!: StockLineInputType[];
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@InputType()
export class VendorReturnInput {
  @Field(() => ID) storeId!: string;
  @Field(() => ID) vendorId!: string;
  @Field(() => String, { description: 'The vendor RMA reference.' }) rma!: string;
  @Field(() => [StockLineInputType]) lines!: StockLineInputType[];
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@ObjectType({ description: 'What posting a line will change.' })
export class StockLinePreview {
  @Field(() => Int) index!: number;
  @Field(() => ID) itemId!: string;
  @Field(() => SerialLevel) level!: SerialLevel;
  @Field(() => Int) onHand!: number;
  @Field(() => Int) resultingQuantity!: number;
  @Field(() => Int) delta!: number;
  @Field(() => [String], { description: 'Units that will come in.' }) serialsAdded!: string[];
  @Field(() => [String], { description: 'Units that will leave.' }) serialsRemoved!: string[];
  @Field(() => Int, { description: 'Change in units without serials.' }) quantityDelta!: number;
}

@ObjectType()
export class AdjustmentPayload {
  @Field(() => String, { nullable: true, description: 'The posted document number; null for a preview or on errors.' }) number?:
    string | null;
  @Field(() => ID, { nullable: true, description: 'The posted document id (e.g. for /export/vendor-returns/<id>.csv).' }) documentId?:
    string | null;
  @Field(() => [StockLinePreview]) lines: StockLinePreview[] = [];
  @Field(() => [UserError]) userErrors: UserError[] = [];
  @Field(() => Boolean) replayed = false;
}

const toPreview = (p: LinePlan): StockLinePreview => ({
  index: p.index,
  itemId: String(p.itemId),
  level: p.level,
  onHand: p.onHand,
  resultingQuantity: p.resulting,
  delta: p.delta,
  serialsAdded: p.add.map((u) => u.serial),
  serialsRemoved: p.remove.map((u) => u.serial),
  quantityDelta: p.quantityDelta,
});

const lines = (l: StockLineInputType[]) => l.map((x) => ({ ...x, itemId: x.itemId ? Number(x.itemId) : null }));

/** ADJ-1: final-quantity adjustments and write-offs need a store manager. */
function requireAdjustmentRole(ctx: Ctx, input: AdjustmentInput): void {
  const role = ctx.viewer!.role;
  if (
    (input.mode === AdjustmentMode.FINAL_QUANTITY || input.reason === AdjustmentReason.WRITE_OFF) &&
    role !== Role.STORE_MANAGER &&
    role !== Role.ADMIN
  ) {
    forbidden('final-quantity adjustments and write-offs (store managers only)');
  }
}

@Resolver()
export class AdjustmentResolver {
  @Authorized(Role.CLERK, Role.STORE_MANAGER)
  @StoreScoped('input.storeId')
  @Query(() => AdjustmentPayload, { description: 'ADJ-1: what posting this adjustment would change, line by line; nothing is saved.' })
  async previewAdjustment(@Arg('input', () => AdjustmentInput) input: AdjustmentInput, @C() ctx: Ctx): Promise<AdjustmentPayload> {
    requireAdjustmentRole(ctx, input);
    const r = await planLines(ctx.pool, Number(input.storeId), input.mode, lines(input.lines));
    return { lines: r.plans.map(toPreview), userErrors: r.errors, replayed: false };
  }

  @Authorized(Role.CLERK, Role.STORE_MANAGER)
  @StoreScoped('input.storeId')
  @Mutation(() => AdjustmentPayload, {
    description: 'ADJ-1: posts an adjustment through the stock engine (ADJUSTMENT events with the reason).',
  })
  async postAdjustment(@Arg('input', () => AdjustmentInput) input: AdjustmentInput, @C() ctx: Ctx): Promise<AdjustmentPayload> {
    requireAdjustmentRole(ctx, input);
    const { clientKey, ...request } = input;
    const storeId = Number(input.storeId);
    return transact<AdjustmentPayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation: 'postAdjustment',
        request,
        replay: async (s) => ({ number: s.number, documentId: s.documentId, lines: s.lines, userErrors: [], replayed: true }),
        reused: (e) => ({ lines: [], userErrors: [e], replayed: false }),
      },
      async (db) => {
        const refused = input.lines.length
          ? tooLong(input.note, MAX_NOTE_LENGTH, 'input.note', 'The note')
          : UserError.of(E.REQUIRED, 'Add at least one line.', 'input.lines');
        if (refused) return { result: { lines: [], userErrors: [refused], replayed: false }, commit: false };
        // Serialize adjustments per store so a plan cannot go stale between planning and writing.
        await db.query(`select 1 from store where id = $1 for no key update`, [storeId]);
        const plan = await planLines(db, storeId, input.mode, lines(input.lines));
        if (plan.errors.length) return { result: { lines: [], userErrors: plan.errors, replayed: false }, commit: false };
        const { rows } = await db.query(
          `insert into adjustment (number, store_id, mode, reason, note, created_by) values ('ADJ-' || lpad(nextval('adjustment_number_seq')::text, 6, '0'), $1, $2, $3, $4, $5) returning id, number`,
          [storeId, input.mode, input.reason, input.note?.trim() ?? '', ctx.viewer!.userId],
        );
        const doc = { kind: 'ADJUSTMENT', id: rows[0].id as number, number: rows[0].number as string };
        const errors = await applyPlans(db, plan.plans, {
          type: 'ADJUSTMENT',
          storeId,
          document: doc,
          userId: ctx.viewer!.userId,
          reason: input.reason + (input.note?.trim() ? `: ${input.note.trim()}` : ''),
          removeTo: 'REMOVED',
        });
        if (errors.length) return { result: { lines: [], userErrors: errors, replayed: false }, commit: false };
        const result = {
          number: doc.number,
          documentId: String(doc.id),
          lines: plan.plans.map(toPreview),
          userErrors: [],
          replayed: false,
        };
        return { result, commit: true, stored: { number: doc.number, documentId: String(doc.id), lines: result.lines } };
      },
    );
  }

  @Authorized(Role.CLERK, Role.STORE_MANAGER)
  @StoreScoped('input.storeId')
  @Mutation(() => AdjustmentPayload, { description: 'RTV-1: units IN_STOCK here go back to the vendor (RETURNED_TO_VENDOR) under an RMA.' })
  async returnToVendor(@Arg('input', () => VendorReturnInput) input: VendorReturnInput, @C() ctx: Ctx): Promise<AdjustmentPayload> {
    const { clientKey, ...request } = input;
    const storeId = Number(input.storeId);
    return transact<AdjustmentPayload>(
      ctx.pool,
      {
        userId: ctx.viewer!.userId,
        clientKey,
        operation: 'returnToVendor',
        request,
        replay: async (s) => ({ number: s.number, documentId: s.documentId, lines: s.lines, userErrors: [], replayed: true }),
        reused: (e) => ({ lines: [], userErrors: [e], replayed: false }),
      },
      async (db) => {
        const fail = (e: UserError) => ({ result: { lines: [], userErrors: [e], replayed: false }, commit: false });
        if (!input.rma.trim()) return fail(UserError.of(E.REQUIRED, 'Give the vendor RMA reference.', 'input.rma'));
        const rmaTooLong = tooLong(input.rma, MAX_REFERENCE_LENGTH, 'input.rma', 'The RMA reference');
        if (rmaTooLong) return fail(rmaTooLong);
        if (!(await db.query(`select 1 from vendor where id = $1`, [input.vendorId])).rowCount)
          return fail(UserError.of(E.NOT_FOUND, `Vendor ${input.vendorId} does not exist.`, 'input.vendorId'));
        if (!input.lines.length) return fail(UserError.of(E.REQUIRED, 'Add at least one line.', 'input.lines'));
        await db.query(`select 1 from store where id = $1 for no key update`, [storeId]);
        const plan = await planLines(db, storeId, 'SUBTRACT', lines(input.lines));
        if (plan.errors.length) return { result: { lines: [], userErrors: plan.errors, replayed: false }, commit: false };
        const { rows } = await db.query(
          `insert into vendor_return (number, store_id, vendor_id, rma, created_by) values ('RTV-' || lpad(nextval('rtv_number_seq')::text, 6, '0'), $1, $2, $3, $4) returning id, number`,
          [storeId, input.vendorId, input.rma.trim(), ctx.viewer!.userId],
        );
        const doc = { kind: 'RTV', id: rows[0].id as number, number: rows[0].number as string };
        const errors = await applyPlans(db, plan.plans, {
          type: 'RETURN_TO_VENDOR',
          storeId,
          document: doc,
          userId: ctx.viewer!.userId,
          reason: `RMA ${input.rma.trim()}`,
          removeTo: 'RETURNED_TO_VENDOR',
        });
        if (errors.length) return { result: { lines: [], userErrors: errors, replayed: false }, commit: false };
        const result = {
          number: doc.number,
          documentId: String(doc.id),
          lines: plan.plans.map(toPreview),
          userErrors: [],
          replayed: false,
        };
        return { result, commit: true, stored: { number: doc.number, documentId: String(doc.id), lines: result.lines } };
      },
    );
  }
}
