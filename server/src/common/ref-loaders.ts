import type { Ctx } from './context.js';
import { statement } from './db.js';
import { loader } from './loader.js';
import { Store, Venue } from '../modules/locations/location.entities.js';
import { User } from '../modules/auth/user.entity.js';

const STORES = statement(
  'stores-by-id',
  `select s.*, v.name as venue_name from store s join venue v on v.id = s.venue_id where s.id = any($1::int[])`,
);
const USERS = statement(
  'users-by-id',
  `select id, username, display_name, role, duties, all_stores, active, created_at from app_user where id = any($1::int[])`,
);

/**
 * Stores (with their venue) and users that documents point at, batched per request and read
 * with one prepared statement each, then merged into the request's identity map.
 */
export const storeLoader = (ctx: Ctx) =>
  loader<number, Store>(ctx, 'store', async (ids) => {
    const { rows } = await ctx.pool.query(STORES([ids]));
    return new Map(
      rows.map(({ venue_name, ...row }) => {
        ctx.em.map(Venue, { id: row.venue_id, name: venue_name });
        const store = ctx.em.map(Store, row);
        return [store.id, store];
      }),
    );
  });

export const userLoader = (ctx: Ctx) =>
  loader<number, User>(ctx, 'user', async (ids) => {
    const { rows } = await ctx.pool.query(USERS([ids]));
    return new Map(rows.map((row) => [row.id as number, ctx.em.map(User, row)]));
  });
