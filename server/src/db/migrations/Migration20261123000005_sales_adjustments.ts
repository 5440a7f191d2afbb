import { Migration } from '@mikro-orm/migrations';

/** Customers, sales and returns (SAL-1..5, RET-1); adjustments, cycle counts, returns to vendor (ADJ-1, CNT-1, RTV-1). */
export class Migration20261123000005_sales_adjustments extends Migration {
  override name = 'Migration20261123000005_sales_adjustments';

  override up(): void {
    this.addSql(`
      create table if not exists customer (
        id serial primary key,
        number text not null unique,
        name text not null
      );
      alter table stock_event add constraint stock_event_customer_fk foreign key (customer_id) references customer (id);

      create sequence sale_number_seq;
      create table sale (
        id serial primary key,
        number text not null unique,
        store_id int not null references store (id),
        register_id int references register (id),
        customer_id int references customer (id),
        status text not null default 'OPEN' check (status in ('OPEN', 'COMPLETED', 'VOIDED')),
        created_by int not null references app_user (id),
        created_at timestamptz not null default now(),
        completed_by int references app_user (id),
        completed_at timestamptz
      );
      -- SAL-1: serialized units are never aggregated: one line per unit (quantity 1).
      create table sale_line (
        id serial primary key,
        sale_id int not null references sale (id) on delete cascade,
        line_no int not null,
        item_id int not null references item (id),
        quantity int not null check (quantity > 0),
        serial text,
        serial_key text,
        serial_status text not null check (serial_status in ('GIVEN', 'PENDING', 'NOT_READABLE', 'NOT_REQUIRED', 'NOT_SERIALIZED')),
        fulfilment text not null default 'CARRY_OUT' check (fulfilment in ('CARRY_OUT', 'PICKUP', 'DELIVERY')),
        fulfilled boolean not null default false,
        voided boolean not null default false,
        corrected_by int references app_user (id),
        unique (sale_id, line_no),
        check ((serial is null) = (serial_key is null)),
        check (serial is null or quantity = 1)
      );
      create unique index sale_line_serial_key on sale_line (sale_id, item_id, serial_key) where not voided and serial_key is not null;

      create sequence return_number_seq;
      create table customer_return (
        id serial primary key,
        number text not null unique,
        store_id int not null references store (id),
        register_id int references register (id),
        created_by int not null references app_user (id),
        created_at timestamptz not null default now()
      );

      create sequence adjustment_number_seq;
      create table adjustment (
        id serial primary key,
        number text not null unique,
        store_id int not null references store (id),
        mode text not null check (mode in ('ADD', 'SUBTRACT', 'FINAL_QUANTITY')),
        reason text not null,
        note text not null default '',
        created_by int not null references app_user (id),
        created_at timestamptz not null default now()
      );

      create sequence count_number_seq;
      create table cycle_count (
        id serial primary key,
        number text not null unique,
        store_id int not null references store (id),
        classification_id int references classification (id),
        item_ids int[],
        status text not null default 'OPEN' check (status in ('OPEN', 'CLOSED', 'POSTED', 'CANCELED')),
        created_by int not null references app_user (id),
        created_at timestamptz not null default now(),
        closed_at timestamptz,
        posted_by int references app_user (id),
        posted_at timestamptz
      );
      create table count_batch (
        id serial primary key,
        count_id int not null references cycle_count (id) on delete cascade,
        batch_no int not null,
        created_by int not null references app_user (id),
        created_at timestamptz not null default now(),
        unique (count_id, batch_no)
      );
      -- CNT-1: a serial counted in several batches counts once.
      create table count_scan (
        count_id int not null references cycle_count (id) on delete cascade,
        batch_id int not null references count_batch (id) on delete cascade,
        item_id int not null references item (id),
        serial text not null,
        serial_key text not null,
        scanned_by int not null references app_user (id),
        scanned_at timestamptz not null default now(),
        primary key (count_id, item_id, serial_key)
      );
      create table count_quantity (
        count_id int not null references cycle_count (id) on delete cascade,
        item_id int not null references item (id),
        quantity int not null check (quantity >= 0),
        primary key (count_id, item_id)
      );

      create sequence rtv_number_seq;
      create table vendor_return (
        id serial primary key,
        number text not null unique,
        store_id int not null references store (id),
        vendor_id int not null references vendor (id),
        rma text not null,
        created_by int not null references app_user (id),
        created_at timestamptz not null default now()
      );
    `);
  }
}
