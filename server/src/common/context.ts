import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type http from 'node:http';
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
  req?: http.IncomingMessage;
  res?: http.ServerResponse;
  services: import('./services.js').Services;
  /** Per-request batch loaders (see loader.ts). */
  loaders?: Map<string, unknown>;
};

/**
 * The context of one request or WebSocket connection. Its entity manager is forked on first use:
 * most requests answer from SQL alone, and a fork is not free. The getter lives on the prototype
 * because Apollo copies a context's own properties (which would run a getter, and fork).
 */
export class RequestContext implements Ctx {
  pool: pg.Pool;
  viewer: Viewer | null;
  services: Ctx['services'];
  req?: http.IncomingMessage;
  res?: http.ServerResponse;
  loaders?: Map<string, unknown>;
  private forkedEm: EntityManager | undefined;
  private readonly orm: MikroORM;

  constructor(orm: MikroORM, fields: Omit<Ctx, 'em'>) {
    this.orm = orm;
    this.pool = fields.pool;
    this.viewer = fields.viewer;
    this.services = fields.services;
    this.req = fields.req;
    this.res = fields.res;
    this.loaders = fields.loaders;
  }

  get em(): EntityManager {
    return (this.forkedEm ??= this.orm.em.fork());
  }
}
