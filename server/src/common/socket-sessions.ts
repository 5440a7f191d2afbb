import type { WebSocket } from 'ws';
import type { Viewer } from './context.js';

/** How often sockets are checked without a change (sessions expire by time, without a notification). */
const RECHECK_MS = 60_000;

/**
 * SEC-3 over WebSocket. A socket's subscriptions run with the session it was opened with, so
 * whenever sessions change (sign-out, deactivation, a new role or other stores; in this process
 * or, by notification, in another) every open socket's session is read again:
 * - one that ended (signed out, expired, user deactivated) is closed with 4401, on which the
 *   client stops;
 * - one whose user, role, duties or stores changed is closed with 4403, on which the client
 *   reconnects and subscribes again under the new scope (SEC-2).
 */
export class SocketSessions {
  private readonly sockets = new Map<WebSocket, { token: string | undefined; signature: string | null }>();
  private pending: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly viewerOf: (token: string | undefined) => Promise<Viewer | null>) {
    this.timer = setInterval(() => this.changed(), RECHECK_MS).unref();
  }

  async opened(socket: WebSocket, token: string | undefined): Promise<void> {
    // Registered before the lookup, so a socket that closes meanwhile is forgotten (closed() runs first).
    const entry: { token: string | undefined; signature: string | null } = { token, signature: null };
    this.sockets.set(socket, entry);
    entry.signature = signature(await this.viewerOf(token));
  }

  closed(socket: WebSocket): void {
    this.sockets.delete(socket);
  }

  /** Sessions may have changed: check every socket soon (a burst of changes is checked once). */
  changed(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      // One check at a time; a change during a check is checked after it.
      this.checking = (this.checking ?? Promise.resolve()).then(() => this.check());
    }, 20);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
  }

  private async check(): Promise<void> {
    for (const [socket, s] of [...this.sockets]) {
      if (s.signature === null) continue; // never signed in: its subscriptions were refused
      let viewer: Viewer | null;
      try {
        viewer = await this.viewerOf(s.token);
      } catch (e) {
        console.error('checking WebSocket sessions:', (e as Error).message);
        return; // the database is away: the next change or the timer tries again
      }
      const now = signature(viewer);
      if (now === null) socket.close(4401, 'Your session ended: sign in again.');
      else if (now !== s.signature) socket.close(4403, 'Your access changed: reconnecting.');
    }
  }
}

const signature = (v: Viewer | null): string | null => (v ? JSON.stringify([v.userId, v.role, v.duties, v.storeIds]) : null);
