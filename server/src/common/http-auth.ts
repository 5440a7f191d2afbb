import type express from 'express';
import { GraphQLError } from 'graphql';
import type { Viewer } from './context.js';
import type { Services } from './services.js';
import { canSeeStore } from './auth.js';
import { refusedInput } from './errors.js';
import { tokenFromHeaders } from '../modules/auth/auth.service.js';

/** For plain HTTP endpoints (CSV exports): the same session cookie or bearer token as GraphQL. */
export async function httpViewer(services: Services, req: express.Request, res: express.Response): Promise<Viewer | null> {
  const viewer = await services.auth.viewerFromToken(services.pool, tokenFromHeaders(req.headers));
  if (!viewer)
    res
      .status(401)
      .json({ errors: [{ message: 'Sign in first: this call needs a valid session.', extensions: { code: 'UNAUTHENTICATED' } }] });
  return viewer;
}

export function httpRequireStore(viewer: Viewer, storeId: number, res: express.Response): boolean {
  if (canSeeStore(viewer, storeId)) return true;
  res.status(403).json({ errors: [{ message: `You are not assigned to store ${storeId}.`, extensions: { code: 'STORE_OUT_OF_SCOPE' } }] });
  return false;
}

const STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  STORE_OUT_OF_SCOPE: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

/** An HTTP path no route serves, answered as JSON like every other refusal. */
export function httpNotFound(req: express.Request, res: express.Response): void {
  res
    .status(404)
    .json({ errors: [{ message: `Nothing is served at ${req.originalUrl.split('?')[0]}.`, extensions: { code: 'NOT_FOUND' } }] });
}

/**
 * The last handler of the HTTP routes: an error a route did not answer itself is JSON with a
 * stable code, as over GraphQL (a value PostgreSQL refuses is the caller's input), never
 * Express's HTML page.
 */
export function httpErrorHandler(e: unknown, _req: express.Request, res: express.Response, next: express.NextFunction): void {
  // Too late for an error answer: Express cuts the response off.
  if (res.headersSent) return next(e);
  const status = (e as { status?: unknown }).status;
  const known: { code: string; message: string; extensions?: Record<string, unknown> } | null =
    e instanceof GraphQLError
      ? { code: String(e.extensions.code ?? 'BAD_USER_INPUT'), message: e.message, extensions: e.extensions }
      : (refusedInput(e) ??
        // Express's own refusals (a path that does not decode…) carry a 4xx status.
        (typeof status === 'number' && status >= 400 && status < 500
          ? { code: 'BAD_REQUEST', message: 'The request is malformed.' }
          : null));
  if (!known) console.error('HTTP route:', e);
  else if (!(e instanceof GraphQLError)) console.warn('Refused as bad input:', (e as Error).message);
  const { code, message, extensions } = known ?? { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error; it has been logged.' };
  res.status(STATUS[code] ?? (known ? 400 : 500)).json({ errors: [{ message, extensions: { ...extensions, code } }] });
}
