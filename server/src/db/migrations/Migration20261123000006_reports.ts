import { Migration } from '@mikro-orm/migrations';

/**
 * Reports (REP-1..4): what the serial history, on-hand, trace and document queries filter and
 * page on, each checked with EXPLAIN on a generated ledger of 1,000,000 events (see
 * test/bench/results/reports-explain.txt).
 */
export class Migration20261123000006_reports extends Migration {
  override name = 'Migration20261123000006_reports';

  override up(): void {
    this.addSql(`
      -- The sales migration creates it; kept here so the history's customer columns never
      -- depend on the order in which the two were written.
      create table if not exists customer (
        id serial primary key,
        number text not null unique,
        name text not null
      );

      -- The store an event belongs to in reports and scope (SEC-2): where the quantity changed,
      -- or, for a unit written off while in transit (no store), the transfer's destination.
      -- Serial key: the normalized serial (SER-1) in byte order, for serial ranges and sorting.
      -- Generated columns: the stock engine keeps writing only what it writes today, and the
      -- append-only trigger (row updates) does not apply to this one-time table rewrite.
      alter table stock_event
        add column report_store_id int generated always as (coalesce(store_id, destination_store_id, source_store_id)) stored,
        add column serial_key text collate "C" generated always as (upper(btrim(serial))) stored;

      -- History (serial events only): store (+ period) is the common filter, newest first within a
      -- store; with the item it also answers a classification filter from the index alone.
      create index stock_event_report_store_time_idx on stock_event (report_store_id, occurred_at desc, id desc) include (item_id) where serial_key is not null;
      -- History: serial ranges (a page's keys from the index alone) and the serial sort.
      create index stock_event_serial_key_idx on stock_event (serial_key, occurred_at, id) where serial_key is not null;
      -- Document inquiry (REP-4) finds a posted document by its number.
      create index stock_event_document_number_idx on stock_event (document_kind, document_number);
      -- History filtered by customer, register or user.
      create index stock_event_customer_time_idx on stock_event (customer_id, occurred_at desc, id desc) where customer_id is not null;
      create index stock_event_register_time_idx on stock_event (register_id, occurred_at desc, id desc) where register_id is not null;
      create index stock_event_user_time_idx on stock_event (user_id, occurred_at desc, id desc);

      -- REP-2 "date received": when the unit last came into stock at its current store. Kept by
      -- a trigger so the stock engine does not change; an explicit value on insert is kept
      -- (data generators back-date units).
      alter table serial_unit add column in_stock_since timestamptz;
      update serial_unit u set in_stock_since = coalesce(
          (select max(e.occurred_at) from stock_event e where e.unit_id = u.id and e.quantity > 0), u.updated_at)
        where u.state = 'IN_STOCK';
      create function serial_unit_in_stock_since() returns trigger language plpgsql as $$
        begin
          if new.state = 'IN_STOCK' then
            if tg_op = 'INSERT' then
              new.in_stock_since := coalesce(new.in_stock_since, now());
            elsif (old.state is distinct from 'IN_STOCK' or old.store_id is distinct from new.store_id)
                  and new.in_stock_since is not distinct from old.in_stock_since then
              new.in_stock_since := now();
            end if;
          end if;
          return new;
        end $$;
      create trigger serial_unit_in_stock_since before insert or update on serial_unit
        for each row execute function serial_unit_in_stock_since();

      -- On hand (REP-2): units in stock in serial order, per store or overall.
      create index serial_unit_on_hand_idx on serial_unit (serial_key collate "C", id) where state = 'IN_STOCK';
      create index serial_unit_on_hand_store_idx on serial_unit (store_id, serial_key collate "C", id) where state = 'IN_STOCK';
      create index item_size_idx on item (lower(size)) where size is not null;
    `);
  }
}
