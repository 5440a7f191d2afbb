import pg from 'pg';
import { LOGS, ZERO, after, type LogName, type Position } from './logs.js';

export type LogRow = Record<string, any> & { pos: Position };

interface Subscriber {
  filter: (row: LogRow) => boolean;
  push: (row: LogRow) => void;
  /** While catching up from a cursor, live rows wait here. */
  buffer: LogRow[] | null;
}

const BATCH = 2000;
const PING_EVERY_MS = 5000;
const PING_TIMEOUT_MS = 3000;

/** Another listener on the doorbell connection: rung on each notification of its channel. */
export interface ChannelWatcher {
  notify(): void;
  /** false while the listening connection is down (notifications may be missed), true again once it listens. */
  live(up: boolean): void;
}

/**
 * The oldest transaction that may still add rows to this database's logs: the lowest running
 * transaction of the current snapshot, leaving out transactions of sessions connected to other
 * databases on the same server (they never write here). With none running, the snapshot's xmax.
 */
const HORIZON = `(select coalesce(
     (select min(x) from pg_snapshot_xip(s.snap) as x
      where x::xid not in (select backend_xid from pg_stat_activity where datname is distinct from current_database() and backend_xid is not null)),
     pg_snapshot_xmax(s.snap))
   from (select pg_current_snapshot() as snap) s)`;

/**
 * One per server instance: a single LISTEN connection is the doorbell (RT-2: NOTIFY is
 * delivered only on commit), the logs in the database are the truth. On each ring the hub
 * reads the new committed rows once and fans them out to its own WebSocket subscribers.
 * If the listening connection drops, it reconnects and catches up from its last position.
 */
export class RealtimeHub {
  private listener?: pg.Client;
  private heads = new Map<LogName, Position>();
  private subs = new Map<LogName, Set<Subscriber>>();
  private pumping = new Map<LogName, Promise<void>>();
  private again = new Set<LogName>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private watchers = new Map<string, ChannelWatcher>();
  private pingTimer?: NodeJS.Timeout;
  private pinging = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly pool: pg.Pool,
  ) {}

  async start(): Promise<void> {
    for (const log of Object.keys(LOGS) as LogName[]) {
      this.subs.set(log, new Set());
      this.heads.set(log, await this.safeHead(log));
    }
    await this.listen();
    // A safety net: rows held back by an older running transaction, or a missed ring.
    this.timer = setInterval(() => this.pumpAll(), 1000);
    this.timer.unref();
    this.pingTimer = setInterval(() => void this.ping(), PING_EVERY_MS);
    this.pingTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watchers.values()) w.live(false);
    clearInterval(this.timer);
    clearInterval(this.pingTimer);
    clearTimeout(this.retry);
    await this.listener?.end().catch(() => {});
    await Promise.all([...this.pumping.values()]);
  }

  /** Rings `watcher` on every notification of `channel`; call before start(). */
  watch(channel: string, watcher: ChannelWatcher): void {
    if (this.watchers.has(channel)) throw new Error(`channel ${channel} is watched already`);
    this.watchers.set(channel, watcher);
  }

  /** Current head position of a log (for tests and status). */
  head(log: LogName): Position {
    return this.heads.get(log) ?? ZERO;
  }

  /**
   * Rows of `log` that pass `filter`, in order: first everything after `from` (if given),
   * then live rows, with no gap and no duplicate between the two.
   */
  subscribe(log: LogName, from: Position | null, filter: (row: LogRow) => boolean): AsyncIterableIterator<LogRow> {
    const queue: LogRow[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const sub: Subscriber = {
      filter,
      push: (row) => {
        queue.push(row);
        wake?.();
      },
      buffer: from ? [] : null,
    };
    const set = this.subs.get(log)!;
    set.add(sub);
    const finish = () => {
      done = true;
      set.delete(sub);
      wake?.();
    };
    // A catch-up that fails (the database refused or went away) ends this subscription, not the
    // process; the client resumes with its last cursor (RT-3).
    if (from)
      this.catchUp(log, sub, from).catch((e: unknown) => {
        console.error(`${log} subscription: catching up failed; ending it:`, (e as Error).message);
        finish();
      });
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<LogRow>> {
        while (!done && queue.length === 0) await new Promise<void>((r) => (wake = r));
        wake = null;
        if (done) return { done: true, value: undefined };
        return { done: false, value: queue.shift()! };
      },
      async return(): Promise<IteratorResult<LogRow>> {
        finish();
        return { done: true, value: undefined };
      },
      async throw(e: unknown): Promise<IteratorResult<LogRow>> {
        finish();
        throw e;
      },
    };
  }

  private async catchUp(log: LogName, sub: Subscriber, from: Position): Promise<void> {
    const until = this.head(log);
    let pos = from;
    try {
      for (;;) {
        const rows = await this.read(log, pos, until);
        for (const row of rows) if (sub.filter(row)) sub.push(row);
        if (rows.length < BATCH) break;
        pos = rows.at(-1)!.pos;
      }
    } finally {
      const live = sub.buffer ?? [];
      sub.buffer = null;
      for (const row of live) if (after(row.pos, until) && sub.filter(row)) sub.push(row);
    }
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, keepAlive: true, application_name: 'serialdesk-listener' });
    client.on('notification', (n) => {
      this.watchers.get(n.channel)?.notify();
      const log = (Object.keys(LOGS) as LogName[]).find((l) => LOGS[l].channel === n.channel);
      if (log) this.pump(log);
    });
    // Only this connection's loss counts (a replaced one may still report its end later).
    const lost = () => {
      if (!this.listener || this.listener === client) this.reconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      for (const spec of Object.values(LOGS)) await client.query(`listen ${spec.channel}`);
      for (const channel of this.watchers.keys()) await client.query(`listen ${channel}`);
      this.listener = client;
      for (const w of this.watchers.values()) w.live(true);
      this.pumpAll(); // catch up whatever happened while not listening
    } catch {
      this.reconnect();
    }
  }

  /**
   * A connection can die without a word (a NAT timeout, a failover): then notifications stop
   * and the session cache would trust itself. A short query on it proves it alive; when it fails
   * or hangs, the hub drops the connection and listens anew.
   */
  private async ping(): Promise<void> {
    const client = this.listener;
    if (!client || this.pinging) return;
    this.pinging = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.query('select 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('listener ping timed out')), PING_TIMEOUT_MS))),
      ]);
    } catch {
      if (this.listener === client) {
        this.reconnect();
        void client.end().catch(() => {});
      }
    } finally {
      clearTimeout(timer);
      this.pinging = false;
    }
  }

  private reconnect(): void {
    for (const w of this.watchers.values()) w.live(false);
    if (this.stopped || this.retry) return;
    this.listener = undefined;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.listen();
    }, 500);
  }

  private pumpAll(): void {
    for (const log of Object.keys(LOGS) as LogName[]) this.pump(log);
  }

  /** Reads new safe rows once and fans them out; one pump per log at a time. */
  private pump(log: LogName): void {
    if (this.stopped) return;
    if (this.pumping.has(log)) {
      this.again.add(log);
      return;
    }
    const run = (async () => {
      try {
        for (;;) {
          this.again.delete(log);
          const { rows, heldBack } = await this.readNew(log, this.head(log));
          for (const [i, row] of rows.entries()) {
            this.heads.set(log, row.pos);
            for (const sub of this.subs.get(log)!) {
              if (sub.buffer) sub.buffer.push(row);
              else if (sub.filter(row)) sub.push(row);
            }
            // Let the sockets, timers and requests run between rows of a large batch.
            if (i % 50 === 49) await new Promise((r) => setImmediate(r));
          }
          if (heldBack) setTimeout(() => this.pump(log), 20).unref();
          if (rows.length < BATCH && !this.again.has(log)) break;
        }
      } catch (e) {
        if (!this.stopped) console.error(`realtime pump ${log}:`, (e as Error).message);
      } finally {
        this.pumping.delete(log);
      }
    })();
    this.pumping.set(log, run);
  }

  private async readNew(log: LogName, from: Position): Promise<{ rows: LogRow[]; heldBack: boolean }> {
    const { rows } = await this.pool.query(
      `with x as (select ${HORIZON} as horizon)
       select q.*, q.xid::text as xid_text, (q.xid < x.horizon) as safe
       from (${LOGS[log].from} where (e.xid, e.id) > ($1::text::xid8, $2::bigint) order by e.xid, e.id limit ${BATCH}) q, x
       order by q.xid, q.id`,
      [from.xid.toString(), from.id.toString()],
    );
    const out: LogRow[] = [];
    for (const r of rows) {
      if (!r.safe) return { rows: out, heldBack: true };
      out.push(toRow(r));
    }
    return { rows: out, heldBack: false };
  }

  private async read(log: LogName, from: Position, until: Position): Promise<LogRow[]> {
    const { rows } = await this.pool.query(
      `select q.*, q.xid::text as xid_text from (${LOGS[log].from}
         where (e.xid, e.id) > ($1::text::xid8, $2::bigint) and (e.xid, e.id) <= ($3::text::xid8, $4::bigint)
         order by e.xid, e.id limit ${BATCH}) q order by q.xid, q.id`,
      [from.xid.toString(), from.id.toString(), until.xid.toString(), until.id.toString()],
    );
    return rows.map(toRow);
  }

  private async safeHead(log: LogName): Promise<Position> {
    const { rows } = await this.pool.query(
      `select e.xid::text as xid, e.id from ${LOGS[log].table} e
       where e.xid < ${HORIZON} order by e.xid desc, e.id desc limit 1`,
    );
    return rows[0] ? { xid: BigInt(rows[0].xid), id: BigInt(rows[0].id) } : ZERO;
  }
}

function toRow(r: Record<string, any>): LogRow {
  const { xid_text, safe: _safe, xid: _xid, ...rest } = r;
  return { ...rest, pos: { xid: BigInt(xid_text), id: BigInt(r.id) } };
}
