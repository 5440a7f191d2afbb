import { Migration } from '@mikro-orm/migrations';

/**
 * SER-1: one serial key everywhere, whatever the cluster's locale. The key was `upper(btrim())`
 * in the database and `trim().toUpperCase()` in the server; they disagreed outside ASCII (ß is
 * SS to JavaScript, ß to PostgreSQL; é is É under C.UTF-8 and é under C), so a unit's own check
 * refused its key and the receipt could never be posted. Now both fold the letters a–z only:
 * `serial_key_of()` here, `serialKey()` in serial-input.ts. Existing keys are recomputed; folding
 * less can only tell apart keys that were equal, never merge two, so no unique key breaks.
 */
export class Migration20261123000010_serial_key extends Migration {
  override name = 'Migration20261123000010_serial_key';

  override up(): void {
    this.addSql(`
      create function serial_key_of(serial text) returns text language sql immutable strict parallel safe
        return translate(btrim(serial), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');

      do $$
      declare c text;
      begin
        for c in select conname from pg_constraint
                 where conrelid = 'serial_unit'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%upper(btrim(serial))%'
        loop
          execute format('alter table serial_unit drop constraint %I', c);
        end loop;
      end $$;
      update serial_unit set serial_key = serial_key_of(serial) where serial_key <> serial_key_of(serial);
      alter table serial_unit add constraint serial_unit_key_check
        check (serial_key = serial_key_of(serial) and length(serial) between 1 and 64);

      update receipt_expected_serial set serial_key = serial_key_of(serial) where serial_key <> serial_key_of(serial);
      update receipt_scan set serial_key = serial_key_of(serial) where serial_key <> serial_key_of(serial);
      update transfer_serial set serial_key = serial_key_of(serial) where serial_key <> serial_key_of(serial);
      update sale_line set serial_key = serial_key_of(serial) where serial_key <> serial_key_of(serial);
      update count_scan set serial_key = serial_key_of(serial) where serial_key <> serial_key_of(serial);

      -- The ledger's report key: the same column and indexes as migration 6, on the new function.
      alter table stock_event drop column serial_key;
      alter table stock_event add column serial_key text collate "C" generated always as (serial_key_of(serial)) stored;
      create index stock_event_report_store_time_idx on stock_event (report_store_id, occurred_at desc, id desc) include (item_id) where serial_key is not null;
      create index stock_event_serial_key_idx on stock_event (serial_key, occurred_at, id) where serial_key is not null;
    `);
  }
}
