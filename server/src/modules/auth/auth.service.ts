import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import type { Ctx, Viewer } from '../../common/context.js';
import { User, UserSession } from './user.entity.js';
import { hashToken, newSessionToken, verifyPassword, hashPassword } from './password.js';
import { SessionCache } from './session-cache.js';

export const SESSION_COOKIE = 'sd_session';
const FREE_FAILURES = 5;

// A stand-in hash so unknown usernames take as long as wrong passwords.
const dummyHash = hashPassword('not-a-real-password');

export class AuthService {
  readonly sessions = new SessionCache();

  constructor(private readonly sessionHours: number) {}

  /** Checks credentials; on success opens a session and returns its token. */
  async signIn(
    ctx: Ctx,
    username: string,
    password: string,
  ): Promise<{ token: string; viewer: Viewer } | { error: 'INVALID' } | { error: 'LOCKED'; retryAfterSeconds: number }> {
    const key = username.trim().toLowerCase();
    const locked = await ctx.pool.query<{ s: number }>(
      `select ceil(extract(epoch from locked_until - now()))::int as s from sign_in_throttle where username_key = $1 and locked_until > now()`,
      [key],
    );
    if (locked.rows[0]) return { error: 'LOCKED', retryAfterSeconds: locked.rows[0].s };
    const user = await ctx.em.findOne(User, { username: { $ilike: username.trim() }, active: true }, { populate: ['passwordHash'] });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok) {
      await this.recordFailure(ctx, key);
      return { error: 'INVALID' };
    }
    await ctx.pool.query('delete from sign_in_throttle where username_key = $1', [key]);
    const { token, tokenHash } = newSessionToken();
    const expiresAt = new Date(Date.now() + this.sessionHours * 3600_000);
    ctx.em.create(UserSession, { tokenHash, user, expiresAt, createdAt: new Date() });
    await ctx.em.flush();
    return { token, viewer: await this.viewerFor(ctx.em, user, tokenHash, expiresAt) };
  }

  /**
   * SEC-3: after FREE_FAILURES failed attempts within 15 minutes, the username is locked for
   * 30 s, doubling with each further failure up to 15 minutes.
   */
  private async recordFailure(ctx: Ctx, key: string): Promise<void> {
    await ctx.pool.query(
      `insert into sign_in_throttle as t (username_key, failures, last_failure_at) values ($1, 1, now())
       on conflict (username_key) do update set
         failures = case when t.last_failure_at < now() - interval '15 minutes' then 1 else t.failures + 1 end,
         last_failure_at = now()`,
      [key],
    );
    await ctx.pool.query(
      `update sign_in_throttle set locked_until = now() + least(interval '15 minutes', interval '30 seconds' * power(2, failures - $2))
       where username_key = $1 and failures >= $2`,
      [key, FREE_FAILURES],
    );
  }

  async signOut(ctx: Ctx): Promise<void> {
    if (!ctx.viewer) return;
    await ctx.em.nativeDelete(UserSession, { tokenHash: ctx.viewer.tokenHash });
    this.sessionsChanged(); // the notification reaches the other processes
  }

  private changeListeners: (() => void)[] = [];

  /** Called when sessions or users may have changed (sign-out, deactivation, roles, stores). */
  onSessionsChanged(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Something about sessions changed, here or (by notification) in another process. */
  sessionsChanged(): void {
    this.sessions.clear();
    for (const l of this.changeListeners) l();
  }

  /**
   * Resolves a bearer token or cookie value to the signed-in viewer, or null when missing,
   * expired or the user is deactivated. Runs on every request: answered from the session cache
   * when it can, else one statement.
   */
  async viewerFromToken(pool: pg.Pool, token: string | undefined): Promise<Viewer | null> {
    if (!token || token.length > 200) return null;
    const tokenHash = hashToken(token);
    const cached = this.sessions.get(tokenHash);
    if (cached) return cached;
    const since = this.sessions.begin();
    const { rows } = await pool.query(
      `select u.id, u.username, u.display_name, u.role, u.duties, u.all_stores, u.created_at, s.expires_at,
              coalesce((select array_agg(store_id order by store_id) from user_store where user_id = u.id), '{}') as store_ids
       from user_session s join app_user u on u.id = s.user_id
       where s.token_hash = $1 and s.expires_at > now() and u.active`,
      [tokenHash],
    );
    const r = rows[0];
    if (!r) return null;
    const user = Object.assign(new User(), {
      id: r.id,
      username: r.username,
      displayName: r.display_name,
      role: r.role,
      duties: r.duties,
      allStores: r.all_stores,
      active: true,
      createdAt: r.created_at,
    });
    // Cached and shared by every request with this token: frozen, so no request can change it for another.
    const viewer: Viewer = Object.freeze({
      user,
      userId: r.id,
      role: r.role,
      duties: Object.freeze(r.duties) as Viewer['duties'],
      storeIds: r.all_stores ? null : (Object.freeze(r.store_ids) as number[]),
      tokenHash,
      expiresAt: r.expires_at,
    });
    this.sessions.set(tokenHash, viewer, since);
    return viewer;
  }

  private async viewerFor(em: EntityManager, user: User, tokenHash: string, expiresAt: Date): Promise<Viewer> {
    await em.populate(user, ['stores']);
    return {
      user,
      userId: user.id,
      role: user.role,
      duties: user.duties,
      storeIds: user.allStores ? null : user.stores.getItems().map((s) => s.id),
      tokenHash,
      expiresAt,
    };
  }
}

/** Reads the session token from `Authorization: Bearer …` or the session cookie. */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const cookie = headers.cookie;
  if (typeof cookie !== 'string') return undefined;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
