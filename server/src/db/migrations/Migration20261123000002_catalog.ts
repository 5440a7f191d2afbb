import { Migration } from '@mikro-orm/migrations';

/** Classification tree, vendors, items, UPCs, serialization policy and its audit (POL-1..4). */
export class Migration20261123000002_catalog extends Migration {
  override name = 'Migration20261123000002_catalog';

  override up(): void {
    this.addSql(`
      create table vendor (
        id serial primary key,
        code text not null,
        name text not null,
        active boolean not null default true
      );
      create unique index vendor_code_key on vendor (lower(code));

      -- POL-2: exactly three levels. The composite foreign key makes the parent's level part
      -- of the row, and the check allows only department > category > subcategory, so a
      -- fourth level or a cycle cannot be stored.
      create table classification (
        id serial primary key,
        level text not null check (level in ('DEPARTMENT', 'CATEGORY', 'SUBCATEGORY')),
        parent_id int,
        parent_level text,
        code text not null,
        name text not null,
        serial_level text check (serial_level in ('ALWAYS', 'SOMETIMES', 'NEVER')),
        active boolean not null default true,
        unique (id, level),
        foreign key (parent_id, parent_level) references classification (id, level) on update cascade,
        check (
          (level = 'DEPARTMENT' and parent_id is null and parent_level is null) or
          (level = 'CATEGORY' and parent_id is not null and parent_level = 'DEPARTMENT') or
          (level = 'SUBCATEGORY' and parent_id is not null and parent_level = 'CATEGORY')
        )
      );
      create unique index classification_code_key on classification (lower(code));
      create index classification_parent_idx on classification (parent_id);

      create table item (
        id serial primary key,
        product_id text not null,
        name text not null,
        description text not null default '',
        subcategory_id int not null,
        subcategory_level text not null default 'SUBCATEGORY' check (subcategory_level = 'SUBCATEGORY'),
        -- Denormalized classification path for indexed report filters (kept by the catalog service).
        category_id int not null references classification (id),
        department_id int not null references classification (id),
        vendor_id int references vendor (id),
        style text, size text, color text, brand text, season text, team text,
        unit_cost numeric(14, 4) not null default 0 check (unit_cost >= 0),
        retail_price numeric(14, 4) not null default 0 check (retail_price >= 0),
        serial_level text check (serial_level in ('ALWAYS', 'SOMETIMES', 'NEVER')),
        serial_required_on_sale boolean not null default false,
        serial_required_on_return boolean not null default false,
        serial_pattern text,
        active boolean not null default true,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        foreign key (subcategory_id, subcategory_level) references classification (id, level)
      );
      create unique index item_product_id_key on item (lower(product_id));
      create index item_subcategory_idx on item (subcategory_id);
      create index item_category_idx on item (category_id);
      create index item_department_idx on item (department_id);
      create index item_vendor_idx on item (vendor_id);
      create extension if not exists pg_trgm;
      create index item_search_idx on item using gin ((lower(name || ' ' || product_id)) gin_trgm_ops);

      -- POL-4: every UPC (main or additional) is unique across the catalog.
      create table item_upc (
        upc text primary key,
        item_id int not null references item (id) on delete cascade,
        is_main boolean not null,
        position int not null default 0
      );
      create unique index item_upc_main_key on item_upc (item_id) where is_main;
      create index item_upc_item_idx on item_upc (item_id);

      -- POL-2: the effective level walks item > subcategory > category > department; default NEVER.
      create view item_policy as
      select i.id as item_id,
        coalesce(i.serial_level, sc.serial_level, c.serial_level, d.serial_level, 'NEVER') as level,
        case when i.serial_level is not null then 'ITEM'
             when sc.serial_level is not null then 'SUBCATEGORY'
             when c.serial_level is not null then 'CATEGORY'
             when d.serial_level is not null then 'DEPARTMENT'
             else 'DEFAULT' end as source,
        case when i.serial_level is not null then i.id
             when sc.serial_level is not null then sc.id
             when c.serial_level is not null then c.id
             when d.serial_level is not null then d.id end as source_id,
        case when i.serial_level is not null then i.name
             when sc.serial_level is not null then sc.name
             when c.serial_level is not null then c.name
             when d.serial_level is not null then d.name end as source_name,
        i.serial_required_on_sale,
        i.serial_required_on_return,
        i.serial_pattern
      from item i
      join classification sc on sc.id = i.subcategory_id
      join classification c on c.id = sc.parent_id
      join classification d on d.id = c.parent_id;

      -- POL-3: every level change, who and when, old > new.
      create table policy_change (
        id bigserial primary key,
        changed_at timestamptz not null default now(),
        user_id int not null references app_user (id),
        target_kind text not null check (target_kind in ('CLASSIFICATION', 'ITEM')),
        target_id int not null,
        target_name text not null,
        old_level text,
        new_level text,
        detail text not null default '',
        items_affected int not null default 0
      );
      create index policy_change_at_idx on policy_change (changed_at desc, id desc);

      create table import_job (
        id serial primary key,
        kind text not null,
        status text not null default 'RUNNING' check (status in ('RUNNING', 'DONE', 'FAILED')),
        total int not null default 0,
        processed int not null default 0,
        succeeded int not null default 0,
        errors jsonb not null default '[]',
        user_id int not null references app_user (id),
        created_at timestamptz not null default now(),
        finished_at timestamptz
      );
    `);
  }
}
