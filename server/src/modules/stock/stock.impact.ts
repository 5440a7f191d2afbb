import { queryAll } from '../../common/db.js';
import type { ImpactContributor } from '../catalog/policy.service.js';

/**
 * POL-3 figures from stock and documents: units on hand without a serial at items that
 * would become ALWAYS, and open documents with lines on affected items.
 */
export const stockImpact: ImpactContributor = async (db, toAlways, affected) => {
  const [units, docs] = await queryAll(db, [
    [
      `select l.store_id, count(distinct l.item_id)::int as item_count, sum(l.quantity - coalesce(u.n, 0))::int as quantity
       from stock_level l
       left join (select item_id, store_id, count(*) as n from serial_unit where state = 'IN_STOCK' and item_id = any($1::int[]) group by 1, 2) u
         using (item_id, store_id)
       where l.item_id = any($1::int[]) and l.quantity > coalesce(u.n, 0)
       group by l.store_id order by l.store_id`,
      [toAlways],
    ],
    [
      `select distinct 'RECEIPT' as kind, r.id, r.number, r.status from receipt r join receipt_line l on l.receipt_id = r.id
       where r.status = 'OPEN' and l.item_id = any($1::int[]) order by r.id limit 100`,
      [affected],
    ],
  ]);
  return {
    unitsWithoutSerials: units.rows.map((r) => ({ storeId: r.store_id, itemCount: r.item_count, quantity: r.quantity })),
    openDocuments: docs.rows.map((r) => ({ kind: r.kind, id: r.id, number: r.number, status: r.status })),
  };
};
