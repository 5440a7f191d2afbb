import { Migration } from '@mikro-orm/migrations';

/** Serial units, stock levels, the ledger, idempotency keys and receipts (SER-1..5, DOC-1..3, RCV-1..4). */
export class Migration20261123000003_stock_receiving extends Migration {
  override name = 'Migration20261123000003_stock_receiving';

  override up(): void {
    this.addSql(`
      -- SER-1, SER-4: one row per unit for its whole life; the unique key makes two units
      -- with one serial impossible, the checks tie the state to exactly one place.
      create table serial_unit (
        id bigserial primary key,
        item_id int not null references item (id),
        serial text not null,
        serial_key text not null,
        state text not null check (state in ('IN_STOCK', 'IN_TRANSIT', 'SOLD', 'RETURNED_TO_VENDOR', 'REMOVED')),
        store_id int references store (id),
        transfer_id int,
        updated_at timestamptz not null default now(),
        unique (item_id, serial_key),
        check ((state = 'IN_STOCK') = (store_id is not null)),
        check ((state = 'IN_TRANSIT') = (transfer_id is not null)),
        check (serial_key = upper(btrim(serial)) and length(serial) between 1 and 64)
      );
      create index serial_unit_key_idx on serial_unit (serial_key);
      create index serial_unit_store_idx on serial_unit (store_id, item_id) where state = 'IN_STOCK';
      create index serial_unit_transfer_idx on serial_unit (transfer_id) where transfer_id is not null;

      -- Quantity on hand per item and store, serialized or not. Never negative.
      create table stock_level (
        item_id int not null references item (id),
        store_id int not null references store (id),
        quantity int not null check (quantity >= 0),
        primary key (item_id, store_id)
      );

      -- SER-5: the append-only ledger. quantity is the signed change at store_id.
      create table stock_event (
        id bigserial primary key,
        occurred_at timestamptz not null default now(),
        type text not null check (type in ('RECEIVING', 'TRANSFER_OUT', 'TRANSFER_IN', 'ADJUSTMENT', 'COUNT', 'SALE', 'RETURN', 'RETURN_TO_VENDOR')),
        item_id int not null references item (id),
        unit_id bigint references serial_unit (id),
        serial text,
        quantity int not null,
        store_id int references store (id),
        source_store_id int references store (id),
        destination_store_id int references store (id),
        register_id int references register (id),
        customer_id int,
        document_kind text not null,
        document_id int not null,
        document_number text not null,
        user_id int not null references app_user (id),
        reason text,
        event_label text,
        -- Writing transaction: readers of the log only go up to the oldest running one (RT-2).
        xid xid8 not null default pg_current_xact_id()
      );
      create index stock_event_store_time_idx on stock_event (store_id, occurred_at desc, id desc);
      create index stock_event_item_time_idx on stock_event (item_id, occurred_at desc, id desc);
      create index stock_event_unit_idx on stock_event (unit_id, id);
      create index stock_event_time_idx on stock_event (occurred_at desc, id desc);
      create index stock_event_document_idx on stock_event (document_kind, document_id);
      create index stock_event_xid_idx on stock_event (xid, id);
      create function stock_event_append_only() returns trigger language plpgsql as $$
        begin raise exception 'stock_event is append-only (SER-5)' using errcode = 'restrict_violation'; end $$;
      create trigger stock_event_append_only before update or delete on stock_event
        for each statement execute function stock_event_append_only();

      -- DOC-1: a retry with the same client key returns the first result.
      create table idempotency_key (
        user_id int not null references app_user (id),
        client_key text not null,
        operation text not null,
        request_hash text not null,
        response jsonb,
        created_at timestamptz not null default now(),
        primary key (user_id, client_key)
      );

      create sequence receipt_number_seq;
      create table receipt (
        id serial primary key,
        number text not null unique,
        kind text not null check (kind in ('ASN', 'BLIND')),
        store_id int not null references store (id),
        vendor_id int references vendor (id),
        asn_reference text,
        status text not null default 'OPEN' check (status in ('OPEN', 'POSTED', 'CANCELED')),
        note text not null default '',
        created_by int not null references app_user (id),
        created_at timestamptz not null default now(),
        posted_by int references app_user (id),
        posted_at timestamptz
      );
      create index receipt_store_status_idx on receipt (store_id, status, id desc);

      create table receipt_line (
        id serial primary key,
        receipt_id int not null references receipt (id) on delete cascade,
        line_no int not null,
        item_id int not null references item (id),
        expected_quantity int check (expected_quantity > 0),
        received_quantity int not null default 0 check (received_quantity >= 0),
        unique (receipt_id, line_no),
        unique (receipt_id, item_id)
      );

      -- RCV-1: serials preregistered on the ASN.
      create table receipt_expected_serial (
        receipt_id int not null references receipt (id) on delete cascade,
        line_id int not null references receipt_line (id) on delete cascade,
        item_id int not null,
        serial text not null,
        serial_key text not null,
        primary key (receipt_id, item_id, serial_key)
      );
      create index receipt_expected_serial_key_idx on receipt_expected_serial (receipt_id, serial_key);

      -- Serials registered on an open receipt; they take effect when it is posted.
      create table receipt_scan (
        id bigserial primary key,
        receipt_id int not null references receipt (id) on delete cascade,
        line_id int not null references receipt_line (id) on delete cascade,
        item_id int not null,
        serial text not null,
        serial_key text not null,
        scanned_by int not null references app_user (id),
        scanned_at timestamptz not null default now(),
        unique (receipt_id, item_id, serial_key)
      );
      create index receipt_scan_line_idx on receipt_scan (line_id, id);
    `);
  }
}
