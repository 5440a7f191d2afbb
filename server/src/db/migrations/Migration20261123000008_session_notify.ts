import { Migration } from '@mikro-orm/migrations';

/**
 * Sessions are cached in each server process (see SessionCache). Any change that can end or
 * narrow a session — sign-out, expiry moved, a user deactivated or re-roled, store assignments
 * changed — rings `session_changed` on commit, and every process empties its cache.
 */
export class Migration20261123000008_session_notify extends Migration {
  override name = 'Migration20261123000008_session_notify';

  override up(): void {
    this.addSql(`
      create function notify_session_changed() returns trigger language plpgsql as $$
      begin
        perform pg_notify('session_changed', '');
        return null;
      end $$;
      create trigger session_changed after update or delete on user_session
        for each statement execute function notify_session_changed();
      create trigger session_changed after update or delete on app_user
        for each statement execute function notify_session_changed();
      create trigger session_changed after insert or update or delete on user_store
        for each statement execute function notify_session_changed();
      create trigger session_truncated after truncate on user_session
        for each statement execute function notify_session_changed();
      create trigger session_truncated after truncate on app_user
        for each statement execute function notify_session_changed();
      create trigger session_truncated after truncate on user_store
        for each statement execute function notify_session_changed();
    `);
  }

  override down(): void {
    this.addSql(`
      drop trigger session_truncated on user_store;
      drop trigger session_truncated on app_user;
      drop trigger session_truncated on user_session;
      drop trigger session_changed on user_store;
      drop trigger session_changed on app_user;
      drop trigger session_changed on user_session;
      drop function notify_session_changed();
    `);
  }
}
