import type { Viewer } from '../../common/context.js';

const MAX_ENTRIES = 10_000;
/** A safety net only: revocations arrive by notification (see Migration…0008_session_notify). */
const TTL_MS = 60_000;

/**
 * Signed-in viewers by token hash, so a request does not pay a session lookup. Entries are
 * dropped as a whole on every `session_changed` notification (sign-out, deactivation, role or
 * store changes, moved expiry) and nothing is cached while that notification could be missed
 * (the listening connection is down). A lookup that raced with a change is not stored.
 */
export class SessionCache {
  private entries = new Map<string, { viewer: Viewer; until: number }>();
  private live = false;
  private generation = 0;

  get(tokenHash: string): Viewer | undefined {
    const e = this.entries.get(tokenHash);
    if (!e) return undefined;
    if (e.until < Date.now() || e.viewer.expiresAt.getTime() <= Date.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return e.viewer;
  }

  /** Call before reading the session from the database; pass the result to set(). */
  begin(): number {
    return this.generation;
  }

  set(tokenHash: string, viewer: Viewer, since: number): void {
    if (!this.live || since !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { viewer, until: Date.now() + TTL_MS });
  }

  /** Something about sessions or users changed: forget everything. */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  setLive(up: boolean): void {
    this.clear();
    this.live = up;
  }
}
