import { queryAll } from '../../common/db.js';
import { Arg, Authorized, Ctx as C, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Ctx } from '../../common/context.js';
import { notFound, fail } from '../../common/errors.js';
import { loader } from '../../common/loader.js';
import { statement } from '../../common/db.js';
import { ITEM_DETAIL_JSON, policyLoader, primeItem, upcLoader, type ItemUpcs } from './item-loaders.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { Role, User } from '../auth/user.entity.js';
import { Store } from '../locations/location.entities.js';
import { Classification, Item, SerialLevel, Vendor } from './catalog.entities.js';
import {
  ClassificationInput,
  ClassificationPayload,
  CodeMatch,
  CodeResolution,
  ImportJob,
  ImportPayload,
  ItemConnection,
  ItemFilter,
  ItemInput,
  ItemPayload,
  ItemPolicy,
  ItemPolicyTable,
  PolicyChange,
  PolicyImpactType,
  PolicyTargetInput,
  SerialPolicy,
  SetSerialLevelInput,
  SetSerialLevelPayload,
  UpdateClassificationInput,
  UpdateItemInput,
  VendorInput,
  VendorPayload,
} from './catalog.types.js';
import { explain, toPolicy, type EffectivePolicy, type PolicyImpact, type PolicyTarget } from './policy.service.js';
import type { ItemFields } from './item-input.js';

const CATALOG_EDITORS = [Role.MERCHANDISER];
const MAX_PAGE = 10_000;

/** A scanned code → its item, with policy and UPCs primed for the Item fields: one statement. */
const RESOLVE_CODE = statement(
  'resolve-code',
  `select c.matched, ${ITEM_DETAIL_JSON} as item
   from (select item_id, case when is_main then 'MAIN_UPC' else 'ADDITIONAL_UPC' end as matched from item_upc where upc = $1
         union all select id, 'PRODUCT_ID' from item where lower(product_id) = lower($1) limit 1) c
   join item i on i.id = c.item_id
   join item_policy p on p.item_id = i.id`,
);
@Resolver(() => Classification)
export class ClassificationResolver {
  @Authorized()
  @Query(() => [Classification], { description: 'The departments; walk `children` for the tree (POL-2).' })
  async classificationTree(
    @C() ctx: Ctx,
    @Arg('includeInactive', () => Boolean, { defaultValue: false }) includeInactive: boolean,
  ): Promise<Classification[]> {
    return ctx.em.find(
      Classification,
      { level: 'DEPARTMENT' as never, ...(includeInactive ? {} : { active: true }) },
      { orderBy: { name: 'asc' } },
    );
  }

  @Authorized()
  @Query(() => Classification)
  async classification(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<Classification> {
    return (await ctx.em.findOne(Classification, { id: Number(id) })) ?? notFound('Classification', id);
  }

  @FieldResolver(() => [Classification])
  async children(@Root() node: Classification, @C() ctx: Ctx): Promise<Classification[]> {
    const all = await allNodes(ctx);
    return all.filter((n) => n.parentId === node.id && n.active).sort((a, b) => a.name.localeCompare(b.name));
  }

  @FieldResolver(() => Classification, { nullable: true })
  async parent(@Root() node: Classification, @C() ctx: Ctx): Promise<Classification | null> {
    return node.parentId ? ((await allNodes(ctx)).find((n) => n.id === node.parentId) ?? null) : null;
  }

  @FieldResolver(() => String, { description: 'e.g. "Electronics › Televisions › OLED".' })
  async path(@Root() node: Classification, @C() ctx: Ctx): Promise<string> {
    const all = await allNodes(ctx);
    const names: string[] = [];
    for (let n: Classification | undefined = node; n; n = all.find((x) => x.id === n!.parentId)) names.unshift(n.name);
    return names.join(' › ');
  }

  @FieldResolver(() => SerialPolicy, { description: 'The level in effect at this node: its own or inherited.' })
  async effectivePolicy(@Root() node: Classification, @C() ctx: Ctx): Promise<SerialPolicy> {
    ctx.loaders ??= new Map();
    let levels = ctx.loaders.get('nodeLevels') as Promise<Awaited<ReturnType<Ctx['services']['policy']['nodeLevels']>>> | undefined;
    if (!levels) ctx.loaders.set('nodeLevels', (levels = ctx.services.policy.nodeLevels(ctx.pool)));
    const l = (await levels).get(node.id)!;
    const own = l.sourceId === node.id;
    return {
      level: l.level,
      source: l.source,
      sourceId: l.sourceId == null ? null : String(l.sourceId),
      sourceName: l.sourceName,
      explanation: own ? 'set here' : explain(l),
      serialRequiredWhenSelling: l.level === SerialLevel.ALWAYS,
      serialRequiredWhenReturning: l.level === SerialLevel.ALWAYS,
      serialPattern: null,
    };
  }

  @FieldResolver(() => Int, { description: 'Active items in this node and below.' })
  async itemCount(@Root() node: Classification, @C() ctx: Ctx): Promise<number> {
    const { rows } = await itemCounts(ctx);
    return rows.get(node.id) ?? 0;
  }

  @Authorized(...CATALOG_EDITORS)
  @Mutation(() => ClassificationPayload, { description: 'Adds a department (no parent), category or subcategory.' })
  async createClassification(
    @Arg('input', () => ClassificationInput) input: ClassificationInput,
    @C() ctx: Ctx,
  ): Promise<ClassificationPayload> {
    const r = await ctx.services.catalog.createClassification(ctx, { ...input, parentId: optId(input.parentId) });
    return { classification: r.value ? await ctx.em.findOne(Classification, { id: r.value }) : null, userErrors: r.errors };
  }

  @Authorized(...CATALOG_EDITORS)
  @Mutation(() => ClassificationPayload, { description: 'Renames, moves or deactivates a node. Levels change through setSerialLevel.' })
  async updateClassification(
    @Arg('input', () => UpdateClassificationInput) input: UpdateClassificationInput,
    @C() ctx: Ctx,
  ): Promise<ClassificationPayload> {
    const r = await ctx.services.catalog.updateClassification(ctx, {
      ...input,
      id: Number(input.id),
      parentId: input.parentId === undefined ? undefined : optId(input.parentId),
    });
    return {
      classification: r.value ? await ctx.em.findOne(Classification, { id: r.value }, { refresh: true }) : null,
      userErrors: r.errors,
    };
  }
}

@Resolver(() => Item)
export class ItemResolver {
  @Authorized()
  @Query(() => ItemConnection, { description: 'Items by name, product id or any UPC; keyset-paged by product id.' })
  async items(
    @C() ctx: Ctx,
    @Arg('filter', () => ItemFilter, { nullable: true }) filter?: ItemFilter,
    @Arg('first', () => Int, { defaultValue: 50 }) first = 50,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ItemConnection> {
    if (first < 1 || first > MAX_PAGE) fail('BAD_USER_INPUT', `first must be between 1 and ${MAX_PAGE}.`, { field: 'first' });
    const search = filter?.search?.trim().toLowerCase() ?? '';
    const where = [
      `($1 = '' or lower(i.name || ' ' || i.product_id) like '%' || $1 || '%' or exists (select 1 from item_upc u where u.item_id = i.id and u.upc = $1))`,
      `($2::int is null or i.subcategory_id = $2 or i.category_id = $2 or i.department_id = $2)`,
      `($3::text is null or p.level = $3)`,
      `($4::int is null or i.vendor_id = $4)`,
      `i.active = coalesce($5, true)`,
    ].join(' and ');
    const params = [search, optId(filter?.classificationId), filter?.level ?? null, optId(filter?.vendorId), filter?.active ?? null];
    const cursor = after ? decodeCursor(after) : null;
    const [page, total] = await queryAll(ctx.pool, [
      [
        `select i.id, lower(i.product_id) as k from item i join item_policy p on p.item_id = i.id
         where ${where} and ($6::text is null or (lower(i.product_id), i.id) > ($6, $7::int))
         order by lower(i.product_id), i.id limit $8`,
        [...params, cursor?.k ?? null, cursor?.id ?? null, first + 1],
      ],
      [`select count(*)::int as n from item i join item_policy p on p.item_id = i.id where ${where}`, params],
    ]);
    const rows = page.rows.slice(0, first);
    const items = await ctx.em.find(Item, { id: { $in: rows.map((r) => r.id) } });
    const byId = new Map(items.map((i) => [i.id, i]));
    const last = rows.at(-1);
    return {
      nodes: rows.map((r) => byId.get(r.id)!),
      pageInfo: { hasNextPage: page.rows.length > first, endCursor: last ? encodeCursor(last.k, last.id) : null },
      totalCount: total.rows[0].n,
    };
  }

  @Authorized()
  @Query(() => Item)
  async item(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<Item> {
    return (await ctx.em.findOne(Item, { id: Number(id) })) ?? notFound('Item', id);
  }

  @Authorized()
  @Query(() => CodeResolution, {
    nullable: true,
    description: 'Resolves a scanned code (main or additional UPC, or product id) to its item; null when unknown.',
  })
  async resolveCode(@Arg('code', () => String) code: string, @C() ctx: Ctx): Promise<CodeResolution | null> {
    const c = code.trim();
    if (!c) return null;
    const { rows } = await ctx.pool.query(RESOLVE_CODE([c]));
    if (!rows[0]) return null;
    return { item: primeItem(ctx, rows[0].item), matchedBy: rows[0].matched as CodeMatch };
  }

  @Authorized()
  @Query(() => [ItemPolicy], { description: 'Effective policies of many items in one call (up to 10,000).' })
  async itemPolicies(@Arg('itemIds', () => [ID]) itemIds: string[], @C() ctx: Ctx): Promise<ItemPolicy[]> {
    // One answer object per item (10,000 of them), not a policy copied into another.
    return (await policiesInOrder(ctx, itemIds)).map((p) => {
      const answer = toSerialPolicy(p) as ItemPolicy;
      answer.itemId = String(p.itemId);
      return answer;
    });
  }

  @Authorized()
  @Query(() => ItemPolicyTable, {
    description: 'Effective policies of many items (up to 10,000) as columns; unknown ids are left out.',
  })
  async itemPolicyTable(@Arg('itemIds', () => [ID]) itemIds: string[], @C() ctx: Ctx): Promise<ItemPolicyTable> {
    const t: ItemPolicyTable = {
      itemIds: [],
      levels: [],
      sources: [],
      sourceIds: [],
      sourceNames: [],
      explanations: [],
      serialRequiredWhenSelling: [],
      serialRequiredWhenReturning: [],
      serialPatterns: [],
    };
    for (const p of await policiesInOrder(ctx, itemIds)) {
      t.itemIds.push(String(p.itemId));
      t.levels.push(p.level);
      t.sources.push(p.source);
      t.sourceIds.push(p.sourceId == null ? null : String(p.sourceId));
      t.sourceNames.push(p.sourceName);
      t.explanations.push(explain(p));
      t.serialRequiredWhenSelling.push(p.requiredWhenSelling);
      t.serialRequiredWhenReturning.push(p.requiredWhenReturning);
      t.serialPatterns.push(p.pattern);
    }
    return t;
  }

  @FieldResolver(() => SerialPolicy, { description: 'Effective serialization policy and its source (POL-2).' })
  async policy(@Root() item: Item, @C() ctx: Ctx): Promise<SerialPolicy> {
    const p = await policyLoader(ctx).load(item.id);
    return toSerialPolicy(p!);
  }

  @FieldResolver(() => String)
  async mainUpc(@Root() item: Item, @C() ctx: Ctx): Promise<string> {
    return (await upcs(ctx, item.id)).main;
  }

  @FieldResolver(() => [String])
  async additionalUpcs(@Root() item: Item, @C() ctx: Ctx): Promise<string[]> {
    return (await upcs(ctx, item.id)).additional;
  }

  @FieldResolver(() => Classification, { description: 'The subcategory the item belongs to.' })
  async classification(@Root() item: Item, @C() ctx: Ctx): Promise<Classification> {
    return (await allNodes(ctx)).find((n) => n.id === item.subcategoryId)!;
  }

  @FieldResolver(() => Classification)
  async category(@Root() item: Item, @C() ctx: Ctx): Promise<Classification> {
    return (await allNodes(ctx)).find((n) => n.id === item.categoryId)!;
  }

  @FieldResolver(() => Classification)
  async department(@Root() item: Item, @C() ctx: Ctx): Promise<Classification> {
    return (await allNodes(ctx)).find((n) => n.id === item.departmentId)!;
  }

  @FieldResolver(() => Vendor, { nullable: true })
  async vendor(@Root() item: Item, @C() ctx: Ctx): Promise<Vendor | null> {
    if (!item.vendor) return null;
    return (
      (await loader<number, Vendor>(
        ctx,
        'vendor',
        async (ids) => new Map((await ctx.em.find(Vendor, { id: { $in: ids } })).map((v) => [v.id, v])),
      ).load(item.vendor.id)) ?? null
    );
  }

  @Authorized(...CATALOG_EDITORS)
  @Mutation(() => ItemPayload, {
    description: 'Creates an item (POL-4). Bad fields come back as userErrors naming the field; nothing is saved.',
  })
  async createItem(@Arg('input', () => ItemInput) input: ItemInput, @C() ctx: Ctx): Promise<ItemPayload> {
    const r = await ctx.services.catalog.createItem(ctx, toFields(input));
    return { item: r.value ? await ctx.em.findOne(Item, { id: r.value }) : null, userErrors: r.errors };
  }

  @Authorized(...CATALOG_EDITORS)
  @Mutation(() => ItemPayload, { description: 'Changes the given fields of an item; `active: false` deactivates it.' })
  async updateItem(@Arg('input', () => UpdateItemInput) input: UpdateItemInput, @C() ctx: Ctx): Promise<ItemPayload> {
    const { serialLevel, ...rest } = input;
    if (serialLevel !== undefined && serialLevel !== null) {
      return {
        userErrors: [
          UserError.of(
            E.INVALID_INPUT,
            'Change the level with setSerialLevel, which shows the impact and is audited.',
            'input.serialLevel',
          ),
        ],
      };
    }
    const r = await ctx.services.catalog.updateItem(ctx, Number(input.id), toFields(rest));
    if (r.value && input.active != null) await ctx.pool.query('update item set active = $2 where id = $1', [r.value, input.active]);
    return { item: r.value ? await ctx.em.findOne(Item, { id: r.value }, { refresh: true }) : null, userErrors: r.errors };
  }

  @Authorized()
  @Query(() => [Vendor])
  async vendors(@C() ctx: Ctx): Promise<Vendor[]> {
    return ctx.em.find(Vendor, {}, { orderBy: { name: 'asc' } });
  }

  @Authorized(...CATALOG_EDITORS)
  @Mutation(() => VendorPayload, { description: 'Creates (no id) or edits a vendor.' })
  async saveVendor(@Arg('input', () => VendorInput) input: VendorInput, @C() ctx: Ctx): Promise<VendorPayload> {
    const r = await ctx.services.catalog.saveVendor(ctx, { ...input, id: optId(input.id) });
    return { vendor: r.value ? await ctx.em.findOne(Vendor, { id: r.value }, { refresh: true }) : null, userErrors: r.errors };
  }

  @Authorized(...CATALOG_EDITORS)
  @Mutation(() => ImportPayload, {
    description:
      'Starts a CSV import of items; poll `itemImport` for progress. Valid rows are imported, bad rows listed with line and reason.',
  })
  async importItems(@Arg('csv', () => String) csv: string, @C() ctx: Ctx): Promise<ImportPayload> {
    const r = await ctx.services.itemImport.start(ctx, csv);
    return { job: r.jobId ? await loadJob(ctx, r.jobId) : null, userErrors: r.errors };
  }

  @Authorized(...CATALOG_EDITORS)
  @Query(() => ImportJob)
  async itemImport(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<ImportJob> {
    return (await loadJob(ctx, Number(id))) ?? notFound('Import', id);
  }
}

@Resolver()
export class PolicyResolver {
  @Authorized(...CATALOG_EDITORS)
  @Query(() => PolicyImpactType, { description: 'POL-3: preview of a level change before saving it.' })
  async policyImpact(
    @Arg('target', () => PolicyTargetInput) target: PolicyTargetInput,
    @Arg('level', () => SerialLevel, { nullable: true }) level: SerialLevel | null,
    @C() ctx: Ctx,
  ): Promise<PolicyImpactType> {
    const t = toTarget(target);
    if ('error' in t) fail('BAD_USER_INPUT', t.error.message, { field: t.error.field });
    await requireTarget(ctx, t);
    return toImpactType(ctx, await ctx.services.policy.impact(ctx.pool, t, level ?? null));
  }

  @Authorized(...CATALOG_EDITORS)
  @Mutation(() => SetSerialLevelPayload, {
    description: "Sets or clears (level: null) a node's or an item's own level; audited and pushed live (POL-3).",
  })
  async setSerialLevel(@Arg('input', () => SetSerialLevelInput) input: SetSerialLevelInput, @C() ctx: Ctx): Promise<SetSerialLevelPayload> {
    const t = toTarget(input.target);
    if ('error' in t) return { userErrors: [t.error] };
    const r = await ctx.services.policy.setLevel(ctx, t, input.level ?? null);
    if (!r)
      return {
        userErrors: [
          UserError.of(
            E.NOT_FOUND,
            `${t.kind === 'ITEM' ? 'Item' : 'Classification'} ${t.id} does not exist.`,
            `input.target.${t.kind === 'ITEM' ? 'itemId' : 'classificationId'}`,
          ),
        ],
      };
    return {
      change: r.changed ? await loadChange(ctx, r.changeId) : null,
      impact: await toImpactType(ctx, r.impact),
      classification: t.kind === 'CLASSIFICATION' ? await ctx.em.findOne(Classification, { id: t.id }, { refresh: true }) : null,
      item: t.kind === 'ITEM' ? await ctx.em.findOne(Item, { id: t.id }, { refresh: true }) : null,
      userErrors: [],
    };
  }

  @Authorized()
  @Query(() => [PolicyChange], { description: 'The audit log of level changes, newest first (POL-3).' })
  async policyChanges(
    @C() ctx: Ctx,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('before', () => ID, { nullable: true }) before?: string,
  ): Promise<PolicyChange[]> {
    const { rows } = await ctx.pool.query(`select id from policy_change where ($1::bigint is null or id < $1) order by id desc limit $2`, [
      before ?? null,
      Math.min(first, 500),
    ]);
    return Promise.all(rows.map((r) => loadChange(ctx, Number(r.id)))) as Promise<PolicyChange[]>;
  }
}

const POLICIES_IN_ORDER = statement(
  'item-policies-in-order',
  `select p.item_id, p.level, p.source, p.source_id, p.source_name, p.serial_required_on_sale, p.serial_required_on_return, p.serial_pattern
   from unnest($1::int[]) with ordinality as t(id, n) join item_policy p on p.item_id = t.id order by t.n`,
);

/** Effective policies of the given items, in the order asked, unknown ids left out. */
async function policiesInOrder(ctx: Ctx, itemIds: string[]): Promise<EffectivePolicy[]> {
  if (itemIds.length > MAX_PAGE) fail('BAD_USER_INPUT', `At most ${MAX_PAGE} items per call.`, { field: 'itemIds' });
  // An id that cannot name an item (not a positive 32-bit integer) is unknown, like any other.
  const ids = itemIds.filter((id) => /^[1-9]\d{0,9}$/.test(id) && Number(id) <= 2_147_483_647).map(Number);
  return (await ctx.pool.query(POLICIES_IN_ORDER([ids]))).rows.map(toPolicy);
}

function toSerialPolicy(p: EffectivePolicy): SerialPolicy {
  return {
    level: p.level,
    source: p.source,
    sourceId: p.sourceId == null ? null : String(p.sourceId),
    sourceName: p.sourceName,
    explanation: explain(p),
    serialRequiredWhenSelling: p.requiredWhenSelling,
    serialRequiredWhenReturning: p.requiredWhenReturning,
    serialPattern: p.pattern,
  };
}

function toTarget(t: PolicyTargetInput): PolicyTarget | { error: UserError } {
  const c = optId(t.classificationId);
  const i = optId(t.itemId);
  if ((c == null) === (i == null))
    return { error: UserError.of(E.INVALID_INPUT, 'Give exactly one of classificationId and itemId.', 'input.target') };
  return c != null ? { kind: 'CLASSIFICATION', id: c } : { kind: 'ITEM', id: i! };
}

async function requireTarget(ctx: Ctx, t: PolicyTarget): Promise<void> {
  const { rowCount } = await ctx.pool.query(`select 1 from ${t.kind === 'ITEM' ? 'item' : 'classification'} where id = $1`, [t.id]);
  if (!rowCount) notFound(t.kind === 'ITEM' ? 'Item' : 'Classification', t.id);
}

async function toImpactType(ctx: Ctx, impact: PolicyImpact): Promise<PolicyImpactType> {
  const items = await ctx.em.find(Item, { id: { $in: impact.sampleItemIds } });
  const stores = await ctx.em.find(Store, { id: { $in: impact.unitsWithoutSerials.map((u) => u.storeId) } });
  return {
    itemsAffected: impact.itemsAffected,
    transitions: impact.transitions,
    sampleItems: impact.sampleItemIds.map((id) => items.find((i) => i.id === id)!).filter(Boolean),
    unitsWithoutSerials: impact.unitsWithoutSerials.map((u) => ({
      store: stores.find((s) => s.id === u.storeId)!,
      itemCount: u.itemCount,
      quantity: u.quantity,
    })),
    openDocuments: impact.openDocuments.map((d) => ({ ...d, id: String(d.id) })),
  };
}

async function loadChange(ctx: Ctx, id: number): Promise<PolicyChange | null> {
  const { rows } = await ctx.pool.query(`select * from policy_change where id = $1`, [id]);
  const r = rows[0];
  if (!r) return null;
  const user = await ctx.em.findOne(User, { id: r.user_id });
  return {
    id: String(r.id),
    changedAt: r.changed_at,
    changedBy: user!,
    targetKind: r.target_kind,
    targetId: String(r.target_id),
    targetName: r.target_name,
    oldLevel: r.old_level,
    newLevel: r.new_level,
    itemsAffected: r.items_affected,
  };
}

async function loadJob(ctx: Ctx, id: number): Promise<ImportJob | null> {
  const { rows } = await ctx.pool.query(`select * from import_job where id = $1`, [id]);
  const r = rows[0];
  if (!r) return null;
  const failedLines = new Set((r.errors as { line: number }[]).map((e) => e.line));
  return {
    id: String(r.id),
    status: r.status,
    total: r.total,
    processed: r.processed,
    imported: r.succeeded,
    failed: failedLines.size,
    errors: r.errors,
  };
}

async function allNodes(ctx: Ctx): Promise<Classification[]> {
  ctx.loaders ??= new Map();
  let p = ctx.loaders.get('allNodes') as Promise<Classification[]> | undefined;
  if (!p) ctx.loaders.set('allNodes', (p = ctx.em.find(Classification, {})));
  return p;
}

async function itemCounts(ctx: Ctx): Promise<{ rows: Map<number, number> }> {
  ctx.loaders ??= new Map();
  let p = ctx.loaders.get('itemCounts') as Promise<{ rows: Map<number, number> }> | undefined;
  if (!p) {
    p = ctx.pool
      .query(
        `select x.id, count(*)::int as n from item i cross join lateral (values (i.subcategory_id), (i.category_id), (i.department_id)) as x(id)
         where i.active group by x.id`,
      )
      .then(({ rows }) => ({ rows: new Map(rows.map((r) => [r.id as number, r.n as number])) }));
    ctx.loaders.set('itemCounts', p);
  }
  return p;
}

async function upcs(ctx: Ctx, itemId: number): Promise<ItemUpcs> {
  return (await upcLoader(ctx).load(itemId)) ?? { main: '', additional: [] };
}

function toFields(input: ItemInput): ItemFields {
  const { subcategoryId, vendorId, ...rest } = input;
  return {
    ...rest,
    ...(subcategoryId !== undefined ? { subcategoryId: optId(subcategoryId) } : {}),
    ...(vendorId !== undefined ? { vendorId: optId(vendorId) } : {}),
  };
}

function optId(id: string | null | undefined): number | null {
  if (id == null || id === '') return null;
  const n = Number(id);
  return Number.isInteger(n) && n > 0 ? n : -1;
}

const encodeCursor = (k: string, id: number) => Buffer.from(JSON.stringify([k, id])).toString('base64url');
function decodeCursor(c: string): { k: string; id: number } {
  try {
    const [k, id] = JSON.parse(Buffer.from(c, 'base64url').toString());
    if (typeof k === 'string' && Number.isInteger(id)) return { k, id };
  } catch {
    /* fall through */
  }
  return fail('BAD_USER_INPUT', 'Unknown cursor: start again from the first page.', { field: 'after' });
}
