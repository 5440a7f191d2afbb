import type express from 'express';
import type { Viewer } from './context.js';
import type { Services } from './services.js';
import { canSeeStore } from './auth.js';
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
