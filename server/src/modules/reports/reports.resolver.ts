import { Arg, Authorized, Ctx as C, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { Ctx } from '../../common/context.js';
import { requireViewer } from '../../common/auth.js';
import { fail } from '../../common/errors.js';
import { loader } from '../../common/loader.js';
import {
  DocumentSerials,
  OnHandSummary,
  SerialHistoryFilter,
  SerialHistoryPage,
  SerialHistorySort,
  SerialHistoryTotals,
  SerialOnHandRow,
  SerialsOnHandFilter,
  SerialsOnHandPage,
  SerialTrace,
} from './reports.types.js';

@Resolver()
export class ReportsResolver {
  @Authorized()
  @Query(() => SerialHistoryPage, {
    description: 'REP-1: serial number history at your stores, newest first by default; export it all at /export/serial-history.csv.',
  })
  async serialHistory(
    @C() ctx: Ctx,
    @Arg('filter', () => SerialHistoryFilter, { nullable: true }) filter?: SerialHistoryFilter,
    @Arg('sort', () => SerialHistorySort, { defaultValue: SerialHistorySort.DATE_DESC })
    sort: SerialHistorySort = SerialHistorySort.DATE_DESC,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, at most 500.' }) first = 50,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<SerialHistoryPage> {
    return ctx.services.reports.historyPage(ctx.pool, requireViewer(ctx), filter ?? null, sort, first, after);
  }

  @Authorized()
  @Query(() => SerialHistoryTotals, { description: 'REP-1: counts by transaction type for the whole filter.' })
  async serialHistoryTotals(
    @C() ctx: Ctx,
    @Arg('filter', () => SerialHistoryFilter, { nullable: true }) filter?: SerialHistoryFilter,
  ): Promise<SerialHistoryTotals> {
    return ctx.services.reports.historyTotals(ctx.pool, requireViewer(ctx), filter ?? null);
  }

  @Authorized()
  @Query(() => SerialsOnHandPage, {
    description: 'REP-2: units in stock at your stores, in serial order; export it all at /export/serials-on-hand.csv.',
  })
  async serialsOnHand(
    @C() ctx: Ctx,
    @Arg('filter', () => SerialsOnHandFilter, { nullable: true }) filter?: SerialsOnHandFilter,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, at most 500.' }) first = 50,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<SerialsOnHandPage> {
    return ctx.services.reports.onHandPage(ctx.pool, requireViewer(ctx), filter ?? null, first, after);
  }

  @Authorized()
  @Query(() => OnHandSummary, { description: 'REP-2: units, cost and retail value in stock by department.' })
  async onHandSummary(
    @C() ctx: Ctx,
    @Arg('filter', () => SerialsOnHandFilter, { nullable: true }) filter?: SerialsOnHandFilter,
  ): Promise<OnHandSummary> {
    return ctx.services.reports.onHandSummary(ctx.pool, requireViewer(ctx), filter ?? null);
  }

  @Authorized()
  @Query(() => [SerialTrace], {
    description: 'REP-3: every unit with this serial (optionally of one item): where it is now and each event, oldest first.',
  })
  async serialTrace(
    @C() ctx: Ctx,
    @Arg('serial', () => String) serial: string,
    @Arg('itemId', () => ID, { nullable: true }) itemId?: string,
  ): Promise<SerialTrace[]> {
    if (itemId != null && !/^\d{1,9}$/.test(itemId)) fail('BAD_USER_INPUT', `itemId: "${itemId}" is not an id.`, { field: 'itemId' });
    return ctx.services.reports.trace(ctx.pool, requireViewer(ctx), serial, itemId != null ? Number(itemId) : null);
  }

  @Authorized()
  @Query(() => DocumentSerials, {
    description:
      'REP-4: the serials on a posted document, e.g. kind RECEIPT, number RCV-000123 (kinds: RECEIPT, TRANSFER, SALE, RETURN, ADJUSTMENT, COUNT, RTV).',
  })
  async documentSerials(
    @C() ctx: Ctx,
    @Arg('kind', () => String) kind: string,
    @Arg('number', () => String) number: string,
  ): Promise<DocumentSerials> {
    return ctx.services.reports.documentSerials(ctx.pool, requireViewer(ctx), kind, number);
  }
}

@Resolver(() => SerialOnHandRow)
export class SerialOnHandRowResolver {
  @FieldResolver(() => [String], { description: 'The optional "additional UPCs" column (REP-2), loaded for a whole page at once.' })
  async additionalUpcs(@Root() row: SerialOnHandRow, @C() ctx: Ctx): Promise<string[]> {
    const upcs = loader<number, string[]>(ctx, 'reports.additionalUpcs', async (itemIds) => {
      const { rows } = await ctx.pool.query(
        `select item_id, array_agg(upc order by position, upc) as upcs from item_upc where item_id = any($1::int[]) and not is_main group by item_id`,
        [itemIds],
      );
      return new Map(rows.map((r) => [r.item_id as number, r.upcs as string[]]));
    });
    return (await upcs.load(Number(row.itemId))) ?? [];
  }
}
