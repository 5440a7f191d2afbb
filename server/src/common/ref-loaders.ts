import type { Ctx } from './context.js';
import { statement } from './db.js';
import { loader } from './loader.js';
import type { Store } from '../modules/locations/location.entities.js';
import type { User } from '../modules/auth/user.entity.js';

/**
 * A store with its venue name, as JSON (alias `s`). JSON rather than `s.*` keeps a named
 * statement's result type when a migration adds a column while an older server still runs.
 */
export const STORE_JSON = `(select to_jsonb(s) || jsonb_build_object('venue_name', v.name) from venue v where v.id = s.venue_id)`;
/** A user without secrets, as JSON (alias `u`). */
export const USER_JSON = `jsonb_build_object('id', u.id, 'username', u.username, 'display_name', u.display_name, 'role', u.role,
  'duties', u.duties, 'all_stores', u.all_stores, 'active', u.active, 'created_at', u.created_at)`;

const STORES = statement('stores-by-id', `select ${STORE_JSON} as store from store s where s.id = any($1::int[])`);
const USERS = statement('users-by-id', `select ${USER_JSON} as user from app_user u where u.id = any($1::int[])`);

/**
 * Stores (with their venue) and users that documents point at, batched per request and read
 * with one prepared statement each. They are answers, not managed entities: plain objects of
 * the entities' shape (the ORM's merge of a store with its venue cost more than the read).
 */
export const storeLoader = (ctx: Ctx) =>
  loader<number, Store>(ctx, 'store', async (ids) => {
    const { rows } = await ctx.pool.query(STORES([ids]));
    return new Map(rows.map(({ store }) => [store.id as number, toStore(store)]));
  });

export const userLoader = (ctx: Ctx) =>
  loader<number, User>(ctx, 'user', async (ids) => {
    const { rows } = await ctx.pool.query(USERS([ids]));
    return new Map(rows.map(({ user }) => [user.id as number, toUser(user)]));
  });

const VISIBLE_STORES = statement(
  'stores-visible',
  `select ${STORE_JSON} as store from store s
   where case when $1::int[] is null then s.active else s.id = any($1::int[]) end order by s.code`,
);

/** The stores a viewer may see (SEC-2): every active one, or the ones assigned; by code. */
export async function visibleStores(ctx: Ctx, storeIds: number[] | null): Promise<Store[]> {
  const stores = (await ctx.pool.query(VISIBLE_STORES([storeIds]))).rows.map(({ store }) => toStore(store));
  for (const s of stores) storeLoader(ctx).prime(s.id, s);
  return stores;
}

/**
 * For statements that already read a document's store and users: `store` as
 * STORE_JSON, `users` as USER_JSON objects. The loaders then ask nothing for them.
 */
export function primeRefs(ctx: Ctx, refs: { store?: Record<string, any> | null; users?: Record<string, any>[] | null }): void {
  if (refs.store) storeLoader(ctx).prime(refs.store.id, toStore(refs.store));
  for (const u of refs.users ?? []) userLoader(ctx).prime(u.id, toUser(u));
}

function toStore(row: Record<string, any>): Store {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    timeZone: row.time_zone,
    active: row.active,
    venue: { id: row.venue_id, name: row.venue_name },
  } as Store;
}

function toUser(row: Record<string, any>): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    duties: row.duties,
    allStores: row.all_stores,
    active: row.active,
    createdAt: typeof row.created_at === 'string' ? new Date(row.created_at) : row.created_at,
  } as User;
}
