import { Migration } from '@mikro-orm/migrations';

/** Locations (POL-5), users, roles, duties, store assignments and sessions (SEC-1..3). */
export class Migration20261123000001_locations_users extends Migration {
  override name = 'Migration20261123000001_locations_users';

  override up(): void {
    this.addSql(`
      create table venue (
        id serial primary key,
        name text not null unique
      );
      create table store (
        id serial primary key,
        venue_id int not null references venue(id),
        code text not null unique,
        name text not null,
        kind text not null default 'STORE' check (kind in ('STORE', 'WAREHOUSE')),
        time_zone text not null default 'UTC',
        active boolean not null default true
      );
      create table register (
        id serial primary key,
        store_id int not null references store(id),
        code text not null,
        name text not null,
        unique (store_id, code)
      );
      create table app_user (
        id serial primary key,
        username text not null,
        display_name text not null,
        password_hash text not null,
        role text not null check (role in ('ADMIN', 'MERCHANDISER', 'STORE_MANAGER', 'CLERK', 'REPORT_VIEWER')),
        duties text[] not null default '{}',
        all_stores boolean not null default false,
        active boolean not null default true,
        created_at timestamptz not null default now()
      );
      create unique index app_user_username_key on app_user (lower(username));
      create table user_store (
        user_id int not null references app_user(id) on delete cascade,
        store_id int not null references store(id),
        primary key (user_id, store_id)
      );
      create table user_session (
        token_hash text primary key,
        user_id int not null references app_user(id) on delete cascade,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null
      );
      create index user_session_user_idx on user_session (user_id);
      -- SEC-3: repeated failed sign-ins per username are slowed down.
      create table sign_in_throttle (
        username_key text primary key,
        failures int not null,
        last_failure_at timestamptz not null,
        locked_until timestamptz
      );
    `);
  }
}
