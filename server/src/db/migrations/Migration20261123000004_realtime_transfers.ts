import { Migration } from '@mikro-orm/migrations';

/** Realtime outbox for document progress, policy-change positions, and store-to-store transfers (RT-1..3, TRF-1..4). */
export class Migration20261123000004_realtime_transfers extends Migration {
  override name = 'Migration20261123000004_realtime_transfers';

  override up(): void {
    this.addSql(`
      -- Document progress and status events (DOC-2, TRF-4). Like the ledger, each row records
      -- its writing transaction so readers can follow commit order without gaps (RT-2, RT-3).
      create table doc_event (
        id bigserial primary key,
        xid xid8 not null default pg_current_xact_id(),
        occurred_at timestamptz not null default now(),
        kind text not null,
        document_id int not null,
        number text not null,
        status text not null,
        store_ids int[] not null,
        user_id int references app_user (id),
        action text not null,
        detail jsonb not null default '{}'
      );
      create index doc_event_xid_idx on doc_event (xid, id);
      create index doc_event_document_idx on doc_event (kind, document_id, id);

      alter table policy_change add column xid xid8 not null default pg_current_xact_id();
      create index policy_change_xid_idx on policy_change (xid, id);

      create sequence transfer_number_seq;
      create table transfer (
        id serial primary key,
        number text not null unique,
        from_store_id int not null references store (id),
        to_store_id int not null references store (id),
        status text not null default 'DRAFT'
          check (status in ('DRAFT', 'SHIPPED', 'RECEIVING', 'RECEIVED', 'RECEIVED_WITH_DISCREPANCY', 'CANCELED')),
        note text not null default '',
        created_by int not null references app_user (id),
        created_at timestamptz not null default now(),
        shipped_by int references app_user (id),
        shipped_at timestamptz,
        received_by int references app_user (id),
        received_at timestamptz,
        check (from_store_id <> to_store_id)
      );
      create index transfer_from_idx on transfer (from_store_id, id desc);
      create index transfer_to_idx on transfer (to_store_id, id desc);
      alter table serial_unit add constraint serial_unit_transfer_fk foreign key (transfer_id) references transfer (id);

      create table transfer_line (
        id serial primary key,
        transfer_id int not null references transfer (id) on delete cascade,
        line_no int not null,
        item_id int not null references item (id),
        -- Requested units (0 = as registered); units registered to ship; units without a serial
        -- counted at the destination, and how many of those are already posted.
        quantity int not null default 0 check (quantity >= 0),
        shipped_quantity int not null default 0 check (shipped_quantity >= 0),
        received_quantity int not null default 0 check (received_quantity >= 0),
        received_posted int not null default 0 check (received_posted >= 0),
        unique (transfer_id, line_no),
        unique (transfer_id, item_id)
      );

      -- Serials registered to ship, then checked off at the destination (TRF-2, TRF-3).
      create table transfer_serial (
        transfer_id int not null references transfer (id) on delete cascade,
        line_id int not null references transfer_line (id) on delete cascade,
        item_id int not null,
        serial text not null,
        serial_key text not null,
        registered_by int not null references app_user (id),
        registered_at timestamptz not null default now(),
        received_by int references app_user (id),
        received_at timestamptz,
        posted boolean not null default false,
        written_off boolean not null default false,
        primary key (transfer_id, item_id, serial_key)
      );
      create index transfer_serial_line_idx on transfer_serial (line_id);
    `);
  }
}
