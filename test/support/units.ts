import type pg from 'pg';

/** A unit in stock at a store of another item than `itemId`, whose serial that item does not have (DOC-3's wrong item). */
export async function unitOfAnotherItem(db: pg.Pool, storeId: string, itemId: string): Promise<{ serial: string; product_id: string }> {
  const { rows } = await db.query(
    `select u.serial, i.product_id from serial_unit u join item i on i.id = u.item_id
     where u.store_id = $1 and u.state = 'IN_STOCK' and u.item_id <> $2
       and not exists (select 1 from serial_unit v where v.item_id = $2 and v.serial_key = u.serial_key)
     order by u.id limit 1`,
    [storeId, itemId],
  );
  if (!rows[0]) throw new Error(`no unit of another item than ${itemId} in stock at store ${storeId}`);
  return rows[0];
}
