import type pg from 'pg';

/**
 * The stock invariants every scenario must leave intact (SER-4, SER-5):
 * 1. stock level = sum of ledger quantities, for every (item, store);
 * 2. for ALWAYS items, stock level = number of units IN_STOCK there;
 * 3. every unit's own ledger nets to +1 at the store it is in, and 0 everywhere else;
 * 4. the ledger is append-only.
 * Returns the list of violations (empty = fine).
 */
export async function invariantViolations(db: pg.Pool): Promise<string[]> {
  const out: string[] = [];
  const levels = await db.query(
    `select coalesce(l.item_id, e.item_id) as item_id, coalesce(l.store_id, e.store_id) as store_id, l.quantity, e.total
     from stock_level l
     full join (select item_id, store_id, sum(quantity)::int as total from stock_event where store_id is not null group by 1, 2) e
       on e.item_id = l.item_id and e.store_id = l.store_id
     where coalesce(l.quantity, 0) <> coalesce(e.total, 0)`,
  );
  for (const r of levels.rows) out.push(`stock level ${r.quantity} ≠ ledger ${r.total} for item ${r.item_id} at store ${r.store_id}`);

  const always = await db.query(
    `select coalesce(l.item_id, u.item_id) as item_id, coalesce(l.store_id, u.store_id) as store_id, l.quantity, u.n
     from (select l.* from stock_level l join item_policy p on p.item_id = l.item_id where p.level = 'ALWAYS') l
     full join (select u.item_id, u.store_id, count(*)::int as n from serial_unit u join item_policy p on p.item_id = u.item_id
                where p.level = 'ALWAYS' and u.state = 'IN_STOCK' group by 1, 2) u
       on u.item_id = l.item_id and u.store_id = l.store_id
     where coalesce(l.quantity, 0) <> coalesce(u.n, 0)`,
  );
  for (const r of always.rows) out.push(`ALWAYS item ${r.item_id} at store ${r.store_id}: level ${r.quantity} but ${r.n} units in stock`);

  const units = await db.query(
    `select u.id, u.serial, u.state, u.store_id, e.store_id as event_store, e.net
     from serial_unit u
     left join (select unit_id, store_id, sum(quantity)::int as net from stock_event where unit_id is not null group by 1, 2) e on e.unit_id = u.id
     where coalesce(e.net, 0) <> case when u.state = 'IN_STOCK' and e.store_id = u.store_id then 1 else 0 end
        or (u.state = 'IN_STOCK' and not exists (select 1 from stock_event x where x.unit_id = u.id and x.store_id = u.store_id))`,
  );
  for (const r of units.rows) out.push(`unit ${r.serial} (${r.state} at ${r.store_id}) nets ${r.net} at store ${r.event_store}`);

  try {
    await db.query(`update stock_event set reason = reason where id = (select min(id) from stock_event)`);
    out.push('stock_event accepted an update');
  } catch {
    /* expected: append-only */
  }
  return out;
}
