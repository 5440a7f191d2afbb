import { createMethodMiddlewareDecorator, type AuthChecker } from 'type-graphql';
import type { Ctx, Viewer } from './context.js';
import { dbId, statement } from './db.js';
import { fail, forbidden, unauthenticated } from './errors.js';
import { Duty, Role } from '../modules/auth/user.entity.js';

/**
 * The one authorization mechanism: `@Authorized()` = signed in; `@Authorized(Role.X, …)` =
 * one of these roles (admin always passes); a `Duty` name also grants access. Store scope
 * is checked by `@StoreScoped('input.storeId')` or `requireStore`.
 */
export const authChecker: AuthChecker<Ctx, string> = ({ context }, allowed) => {
  const viewer = context.viewer ?? unauthenticated();
  if (allowed.length === 0 || viewer.role === Role.ADMIN) return true;
  if (allowed.includes(viewer.role) || viewer.duties.some((d) => allowed.includes(d))) return true;
  return forbidden(`this action (needs ${allowed.join(' or ')})`);
};

export function requireViewer(ctx: Ctx): Viewer {
  return ctx.viewer ?? unauthenticated();
}

export function canSeeStore(viewer: Viewer, storeId: number): boolean {
  return viewer.storeIds === null || viewer.storeIds.includes(storeId);
}

/** SEC-2: refuses a store outside the caller's assignments (and an id that is not one). */
export function requireStore(ctx: Ctx, storeId: number | string, field = 'storeId'): number {
  const viewer = requireViewer(ctx);
  const id = dbId(storeId) ?? fail('BAD_USER_INPUT', `${field}: "${storeId}" is not a valid id.`, { field });
  if (!canSeeStore(viewer, id)) {
    fail('STORE_OUT_OF_SCOPE', `You are not assigned to store ${storeId}.`, { storeId: String(storeId) });
  }
  return id;
}

const storeExists = statement('store_exists', 'select 1 from store where id = $1');

/**
 * SEC-2, and the store must exist: acting on a store that does not is NOT_FOUND, not a
 * foreign-key fault half-way through a document. Only a viewer of every store can name one that
 * does not exist; an assigned store always does.
 */
export async function requireExistingStore(ctx: Ctx, storeId: number | string, field = 'storeId'): Promise<number> {
  const id = requireStore(ctx, storeId, field);
  if (ctx.viewer!.storeIds === null && !(await ctx.pool.query(storeExists([id]))).rowCount) {
    fail('NOT_FOUND', `Store ${storeId} does not exist.`, { id: String(storeId), field });
  }
  return id;
}

export function hasDuty(viewer: Viewer, duty: Duty): boolean {
  return viewer.role === Role.ADMIN || viewer.duties.includes(duty);
}

/** Declarative store-scope check on an argument path, e.g. `@StoreScoped('input.fromStoreId')`. */
export function StoreScoped(...paths: string[]) {
  return createMethodMiddlewareDecorator<Ctx>(async ({ args, context }, next) => {
    for (const path of paths) {
      const value = path.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]), args);
      const ids = Array.isArray(value) ? value : value == null ? [] : [value];
      for (const id of ids) await requireExistingStore(context, id as string, path);
    }
    return next();
  });
}
