import type { Ctx } from '../../common/context.js';
import { loader } from '../../common/loader.js';
import { Item, type Vendor } from './catalog.entities.js';
import { toPolicy, type EffectivePolicy } from './policy.service.js';

export interface ItemUpcs {
  main: string;
  additional: string[];
}

/** The request's batch loaders behind Item fields; one place, so statements can prime them. */
export const itemLoader = (ctx: Ctx) =>
  loader<number, Item>(ctx, 'item', async (ids) => new Map((await ctx.em.find(Item, { id: { $in: ids } })).map((i) => [i.id, i])));

export const policyLoader = (ctx: Ctx) =>
  loader<number, EffectivePolicy>(ctx, 'policy', (ids) => ctx.services.policy.policiesFor(ctx.pool, ids));

export const upcLoader = (ctx: Ctx) =>
  loader<number, ItemUpcs>(ctx, 'upcs', async (ids) => {
    const { rows } = await ctx.pool.query(
      `select item_id, upc, is_main from item_upc where item_id = any($1::int[]) order by item_id, position`,
      [ids],
    );
    const map = new Map<number, ItemUpcs>();
    for (const r of rows) {
      const e = map.get(r.item_id) ?? { main: '', additional: [] };
      if (r.is_main) e.main = r.upc;
      else e.additional.push(r.upc);
      map.set(r.item_id, e);
    }
    return map;
  });

/**
 * An item with its effective policy and UPCs as one JSON object (alias `i` = item, `p` =
 * item_policy), for primeItem(): the Item fields an answer shows then need no statement of
 * their own. JSON, not `i.*`, so a named statement keeps its result type when a migration adds
 * a column while an older server still runs; exact decimals stay text.
 */
export const ITEM_DETAIL_JSON = `to_jsonb(i) || jsonb_build_object(
  'unit_cost', i.unit_cost::text, 'retail_price', i.retail_price::text,
  'policy_level', p.level, 'policy_source', p.source, 'policy_source_id', p.source_id, 'policy_source_name', p.source_name,
  'policy_on_sale', p.serial_required_on_sale, 'policy_on_return', p.serial_required_on_return, 'policy_pattern', p.serial_pattern,
  'main_upc', (select u.upc from item_upc u where u.item_id = i.id and u.is_main),
  'additional_upcs', array(select u.upc from item_upc u where u.item_id = i.id and not u.is_main order by u.position))`;

/** The policy of an ITEM_DETAIL_JSON object. */
export function detailPolicy(row: Record<string, any>): EffectivePolicy {
  return toPolicy({
    item_id: row.id,
    level: row.policy_level,
    source: row.policy_source,
    source_id: row.policy_source_id,
    source_name: row.policy_source_name,
    serial_required_on_sale: row.policy_on_sale,
    serial_required_on_return: row.policy_on_return,
    serial_pattern: row.policy_pattern,
  });
}

/**
 * The Item of an ITEM_DETAIL_JSON object, its loaders primed. It is an answer, not a managed
 * entity: a plain object of the entity's shape (the ORM's merge cost more than the read did).
 */
export function primeItem(ctx: Ctx, row: Record<string, any>): Item {
  const item = itemOf(row);
  itemLoader(ctx).prime(item.id, item);
  policyLoader(ctx).prime(item.id, detailPolicy(row));
  upcLoader(ctx).prime(item.id, { main: row.main_upc ?? '', additional: row.additional_upcs ?? [] });
  return item;
}

function itemOf(row: Record<string, any>): Item {
  return {
    id: row.id,
    productId: row.product_id,
    name: row.name,
    description: row.description,
    subcategoryId: row.subcategory_id,
    categoryId: row.category_id,
    departmentId: row.department_id,
    vendor: row.vendor_id == null ? null : ({ id: row.vendor_id } as Vendor),
    style: row.style,
    size: row.size,
    color: row.color,
    brand: row.brand,
    season: row.season,
    team: row.team,
    unitCost: row.unit_cost,
    retailPrice: row.retail_price,
    serialLevel: row.serial_level,
    serialRequiredWhenSelling: row.serial_required_on_sale,
    serialRequiredWhenReturning: row.serial_required_on_return,
    serialPattern: row.serial_pattern,
    active: row.active,
    // Timestamps arrive as text in JSON.
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
