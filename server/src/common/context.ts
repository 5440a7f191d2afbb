import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request, Response } from 'express';
import type pg from 'pg';
import type { Duty, Role, User } from '../modules/auth/user.entity.js';

/** Who is calling, resolved once per request / WebSocket connection. */
export interface Viewer {
  user: User;
  userId: number;
  role: Role;
  duties: Duty[];
  /** Store ids the user may act on; `null` means every store (SEC-2). */
  storeIds: number[] | null;
  tokenHash: string;
  expiresAt: Date;
}

export type Ctx = {
  /** Request-scoped entity manager: one identity map per request. */
  em: EntityManager;
  /** Pool for set-based SQL (stock engine, reports). */
  pool: pg.Pool;
  viewer: Viewer | null;
  req?: Request;
  res?: Response;
  services: import('./services.js').Services;
  /** Per-request batch loaders (see loader.ts). */
  loaders?: Map<string, unknown>;
};
