import type { Ctx } from '../../common/context.js';
import { loader } from '../../common/loader.js';
import { Item } from './catalog.entities.js';
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
 * Columns that carry an item with its effective policy and UPCs in the statement that finds
 * it (alias `i` = item, `p` = item_policy), for primeItem(): the Item fields a scan answer
 * shows then need no statement of their own.
 */
export const ITEM_DETAIL_COLUMNS = `i.*,
  p.level as policy_level, p.source as policy_source, p.source_id as policy_source_id, p.source_name as policy_source_name,
  p.serial_required_on_sale as policy_on_sale, p.serial_required_on_return as policy_on_return, p.serial_pattern as policy_pattern,
  (select u.upc from item_upc u where u.item_id = i.id and u.is_main) as main_upc,
  array(select u.upc from item_upc u where u.item_id = i.id and not u.is_main order by u.position) as additional_upcs`;

/**
 * The same as one JSON object per item (alias `i` = item, `p` = item_policy), for statements
 * that return items beside other things; exact decimals stay text.
 */
export const ITEM_DETAIL_JSON = `to_jsonb(i) || jsonb_build_object(
  'unit_cost', i.unit_cost::text, 'retail_price', i.retail_price::text,
  'policy_level', p.level, 'policy_source', p.source, 'policy_source_id', p.source_id, 'policy_source_name', p.source_name,
  'policy_on_sale', p.serial_required_on_sale, 'policy_on_return', p.serial_required_on_return, 'policy_pattern', p.serial_pattern,
  'main_upc', (select u.upc from item_upc u where u.item_id = i.id and u.is_main),
  'additional_upcs', array(select u.upc from item_upc u where u.item_id = i.id and not u.is_main order by u.position))`;

/** The policy of a row selected with ITEM_DETAIL_COLUMNS or ITEM_DETAIL_JSON. */
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

/** The Item of a row selected with ITEM_DETAIL_COLUMNS, merged into the request's identity map, its loaders primed. */
export function primeItem(ctx: Ctx, row: Record<string, any>): Item {
  const item = ctx.em.map(Item, itemColumns(row));
  itemLoader(ctx).prime(item.id, item);
  policyLoader(ctx).prime(item.id, detailPolicy(row));
  upcLoader(ctx).prime(item.id, { main: row.main_upc ?? '', additional: row.additional_upcs ?? [] });
  return item;
}

const DETAIL_KEYS = new Set(ITEM_DETAIL_COLUMNS.match(/(?<= as )\w+/g));

function itemColumns(row: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in row) if (!DETAIL_KEYS.has(k)) out[k] = row[k];
  // From ITEM_DETAIL_JSON, timestamps arrive as text.
  for (const k of ['created_at', 'updated_at']) if (typeof out[k] === 'string') out[k] = new Date(out[k] as string);
  return out;
}
