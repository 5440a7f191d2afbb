import { createMethodMiddlewareDecorator, type AuthChecker } from 'type-graphql';
import type { Ctx, Viewer } from './context.js';
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

/** SEC-2: refuses a store outside the caller's assignments. */
export function requireStore(ctx: Ctx, storeId: number | string): void {
  const viewer = requireViewer(ctx);
  if (!canSeeStore(viewer, Number(storeId))) {
    fail('STORE_OUT_OF_SCOPE', `You are not assigned to store ${storeId}.`, { storeId: String(storeId) });
  }
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
      for (const id of ids) requireStore(context, id as string);
    }
    return next();
  });
}
