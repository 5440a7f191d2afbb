import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';
import { invariantViolations } from '../support/invariants.js';
import { startServerProcess } from '../support/process.js';
import { applyMovement } from '../../server/src/modules/stock/stock.service.js';

let t: TestServer;
let clerk: ApiClient;
let S001: string;
let S002: string;
let tv: { id: string; upc: string };
beforeAll(async () => {
  t = await startTestServer();
  clerk = await t.as('clerk');
  const { rows } = await t.db.query(`select id::text, code from store`);
  S001 = rows.find((r) => r.code === 'S001')!.id;
  S002 = rows.find((r) => r.code === 'S002')!.id;
  tv = (
    await t.db.query(
      `select i.id::text, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main where i.product_id = 'TVOLED-001'`,
    )
  ).rows[0];
});
afterEach(async () => {
  expect(await invariantViolations(t.db)).toEqual([]);
});
afterAll(async () => {
  await clerk?.close();
  await t?.close();
});

const SERIAL_EVENTS = `subscription($filter: SerialEventFilter, $after: String) { serialEvents(filter: $filter, after: $after) { cursor type serial unitState quantity storeCode documentNumber } }`;
const DOC_EVENTS = `subscription($filter: DocumentEventFilter, $after: String) { documentEvents(filter: $filter, after: $after) { cursor kind number status action userName expected scanned received } }`;
let n = 0;
const uniq = () => `RT-${Date.now().toString(36)}-${++n}`.toUpperCase();

/** Receives `count` serials at S001 through the API and returns the serials. */
async function receive(client: ApiClient, count: number, storeId = S001): Promise<string[]> {
  const serials = Array.from({ length: count }, uniq);
  const r = await client.data(`mutation($i: CreateReceiptInput!) { createReceipt(input: $i) { receipt { id } } }`, {
    i: { storeId, kind: 'BLIND' },
  });
  const id = r.createReceipt.receipt.id;
  await client.data(`mutation($i: ScanReceiptInput!) { scanReceipt(input: $i) { results { outcome } } }`, {
    i: { receiptId: id, input: serials.join('\n'), currentItemId: tv.id },
  });
  const p = await client.data(`mutation($i: ReceiptActionInput!) { postReceipt(input: $i) { userErrors { code } } }`, {
    i: { receiptId: id },
  });
  expect(p.postReceipt.userErrors).toEqual([]);
  return serials;
}

/** A raw ledger write through the engine in a transaction the test controls. */
async function engineTx(serial: string, itemId = tv.id) {
  const c = await t.db.connect();
  await c.query('begin');
  await applyMovement(c, {
    type: 'RECEIVING',
    document: { kind: 'TEST', id: 1, number: 'TEST-1' },
    userId: 1,
    units: {
      moves: [{ index: 0, itemId: Number(itemId), serial, serialKey: serial }],
      from: 'ARRIVING',
      to: { state: 'IN_STOCK', storeId: Number(S001) },
    },
  });
  return {
    commit: async () => {
      await c.query('commit');
      c.release();
    },
    rollback: async () => {
      await c.query('rollback');
      c.release();
    },
  };
}

describe('RT-1 / RT-2 delivery after commit', () => {
  it('RT-1: posting a receipt pushes one serial event per unit to a subscriber of that store', async () => {
    const sub = clerk.subscribe(SERIAL_EVENTS, { filter: { storeIds: [S001] } });
    await new Promise((r) => setTimeout(r, 300));
    const serials = await receive(clerk, 3);
    const got = [await sub.next(), await sub.next(), await sub.next()].map((e) => e.data!.serialEvents);
    expect(got.map((e: any) => e.serial).sort()).toEqual([...serials].sort());
    expect(got[0]).toMatchObject({ type: 'RECEIVING', unitState: 'IN_STOCK', quantity: 1, storeCode: 'S001' });
    sub.dispose();
  });

  it("DOC-2: clerks scanning into one receipt see each other's scans live", async () => {
    const manager = await t.as('manager');
    const r = await clerk.data(`mutation($i: CreateReceiptInput!) { createReceipt(input: $i) { receipt { id number } } }`, {
      i: { storeId: S001, kind: 'BLIND' },
    });
    const receipt = r.createReceipt.receipt;
    const sub = clerk.subscribe(DOC_EVENTS, { filter: { kind: 'RECEIPT', documentId: receipt.id } });
    await new Promise((res) => setTimeout(res, 300));
    await manager.data(`mutation($i: ScanReceiptInput!) { scanReceipt(input: $i) { results { outcome } } }`, {
      i: { receiptId: receipt.id, input: `${uniq()}\n${uniq()}`, currentItemId: tv.id },
    });
    // The receipt's own CREATED event may still be on its way when the subscription starts.
    let e = (await sub.next()).data!.documentEvents;
    if (e.action === 'CREATED') e = (await sub.next()).data!.documentEvents;
    expect(e).toMatchObject({
      kind: 'RECEIPT',
      number: receipt.number,
      status: 'OPEN',
      action: 'SCANNED',
      userName: 'Manny Manager',
      scanned: 2,
      received: 2,
    });
    sub.dispose();
    await manager.close();
  });

  it('RT-2: a transaction that fails after writing sends nothing', async () => {
    const sub = clerk.subscribe(SERIAL_EVENTS, { filter: { storeIds: [S001] } });
    await new Promise((r) => setTimeout(r, 300));
    const rolledBack = uniq();
    const tx = await engineTx(rolledBack);
    await tx.rollback();
    const [kept] = await receive(clerk, 1);
    const first = (await sub.next()).data!.serialEvents;
    expect(first.serial).toBe(kept);
    await expect(sub.next(500)).rejects.toThrow(/no subscription event/);
    sub.dispose();
  });

  it('RT-2: two overlapping transactions committing in reverse order are delivered in log order, the later one held back until the earlier commits', async () => {
    const sub = clerk.subscribe(SERIAL_EVENTS, { filter: { storeIds: [S001] } });
    await new Promise((r) => setTimeout(r, 300));
    const [a, b] = [uniq(), uniq()];
    const other = (await t.db.query(`select id::text from item where product_id = 'TVOLED-002'`)).rows[0].id;
    const txA = await engineTx(a); // takes the lower id and xid
    const txB = await engineTx(b, other); // another item, so it does not wait for A's row locks
    await txB.commit();
    // B is committed, but A (older, lower id) is still running: a reader must not move past it.
    await expect(sub.next(700)).rejects.toThrow(/no subscription event/);
    await txA.commit();
    const e1 = (await sub.next()).data!.serialEvents;
    const e2 = (await sub.next()).data!.serialEvents;
    expect([e1.serial, e2.serial]).toEqual([a, b]);
    sub.dispose();
    // A reader that reconnects after the first event still gets the second.
    const again = clerk.subscribe(SERIAL_EVENTS, { filter: { storeIds: [S001] }, after: e1.cursor });
    expect((await again.next()).data!.serialEvents.serial).toBe(b);
    again.dispose();
  });
});

describe('RT-2 horizon', () => {
  it('RT-2: a long transaction in another database on the same server does not hold back events', async () => {
    const { inject } = await import('vitest');
    const pg = (await import('pg')).default;
    const other = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await other.connect();
    await other.query('begin');
    await other.query('select pg_current_xact_id()'); // takes a transaction id and keeps it running
    try {
      const sub = clerk.subscribe(SERIAL_EVENTS, { filter: { storeIds: [S001] } });
      await new Promise((r) => setTimeout(r, 300));
      const [s] = await receive(clerk, 1);
      expect((await sub.next(3000)).data!.serialEvents.serial).toBe(s);
      sub.dispose();
    } finally {
      await other.query('rollback');
      await other.end();
    }
  });
});

describe('RT-3 catch-up', () => {
  it('RT-3: a subscriber that disconnects, misses 100 events and reconnects with its cursor gets exactly those 100, in order', async () => {
    const watcher = await t.as('clerk');
    const sub = watcher.subscribe(SERIAL_EVENTS, { filter: { storeIds: [S001] } });
    await new Promise((r) => setTimeout(r, 300));
    const [marker] = await receive(clerk, 1);
    const last = (await sub.next()).data!.serialEvents;
    expect(last.serial).toBe(marker);
    await watcher.close(); // disconnect
    const missed = await receive(clerk, 100);
    const back = await t.as('clerk');
    const resumed = back.subscribe(SERIAL_EVENTS, { filter: { storeIds: [S001] }, after: last.cursor });
    const got: string[] = [];
    for (let i = 0; i < 100; i++) got.push((await resumed.next()).data!.serialEvents.serial);
    // The receipt's units are written in (item, serial key) order.
    expect(got).toEqual([...missed].sort());
    await expect(resumed.next(500)).rejects.toThrow(/no subscription event/);
    // And it continues live.
    const [live] = await receive(clerk, 1);
    expect((await resumed.next()).data!.serialEvents.serial).toBe(live);
    resumed.dispose();
    await back.close();
  });

  it('SEC-3: over WebSocket, an id that cannot be one, a bad enum value and an unknown field are typed errors, not a silent subscription', async () => {
    const first = async (query: string, variables: Record<string, unknown>) => {
      const sub = clerk.subscribe(query, variables);
      const e = await sub.next();
      sub.dispose();
      return e.errors?.[0];
    };
    expect(await first(DOC_EVENTS, { filter: { documentId: 'abc' } })).toMatchObject({
      message: 'filter.documentId: "abc" is not a valid id.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect((await first(SERIAL_EVENTS, { filter: { itemId: '99999999999999999999' } }))?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await first(SERIAL_EVENTS, { filter: { storeIds: ['abc'] } }))?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await first(DOC_EVENTS, { filter: { kind: 'FOO' } }))?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await first(SERIAL_EVENTS, { filter: { types: ['RECEIVING', 'BOGUS'] } })).toMatchObject({
      message: expect.stringMatching(/^filter.types: "BOGUS" is not an event type; the types are RECEIVING, /),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect((await first(`subscription { serialEvents { nope } }`, {}))?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('RT-3: a cursor whose numbers are beyond their columns is refused as a cursor, and the server stays up', async () => {
    for (const after of ['stock.99999999999999999999.1', 'stock.1.99999999999999999999', 'stock.18446744073709551616.1']) {
      const sub = clerk.subscribe(SERIAL_EVENTS, { after });
      const e = await sub.next();
      sub.dispose();
      expect(e.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BAD_CURSOR' });
    }
    // The largest cursor that fits is a valid position: nothing after it yet, and the subscription stays open.
    const edge = clerk.subscribe(SERIAL_EVENTS, { after: 'stock.18446744073709551615.9223372036854775807' });
    await expect(edge.next(500)).rejects.toThrow(/timeout/);
    edge.dispose();
    expect((await clerk.data(`{ me { user { username } } }`)).me.user.username).toBe('clerk');
  });

  it('RT-3: a cursor that does not parse is refused with a clear error', async () => {
    const sub = clerk.subscribe(SERIAL_EVENTS, { after: 'garbage' });
    const e = await sub.next();
    expect(e.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(e.errors?.[0]?.message).toMatch(/Unknown cursor/);
  });
});

describe('RT-1 scope (SEC-2)', () => {
  it('SEC-2: a subscription filter naming a store outside your scope is refused, not silently empty', async () => {
    const sub = clerk.subscribe(SERIAL_EVENTS, { filter: { storeIds: [S002] } });
    expect((await sub.next()).errors?.[0]?.extensions?.code).toBe('STORE_OUT_OF_SCOPE');
  });

  it('SEC-2: without a filter a clerk receives only events of their own stores', async () => {
    const manager = await t.as('manager');
    const sub = clerk.subscribe(SERIAL_EVENTS, {});
    await new Promise((r) => setTimeout(r, 300));
    await receive(manager, 1, S002);
    const [mine] = await receive(manager, 1, S001);
    expect((await sub.next()).data!.serialEvents.serial).toBe(mine);
    sub.dispose();
    await manager.close();
  });
});

describe('RT-2 across server instances', () => {
  it('RT-2: a mutation through one server process reaches a subscriber on another process', async () => {
    const other = await startServerProcess(t.databaseUrl);
    try {
      const remote = new ApiClient(other.url);
      await remote.signIn('clerk');
      const sub = remote.subscribe(SERIAL_EVENTS, { filter: { storeIds: [S001] } });
      await new Promise((r) => setTimeout(r, 500));
      const [s] = await receive(clerk, 1); // through the in-process server
      expect((await sub.next()).data!.serialEvents).toMatchObject({ serial: s, type: 'RECEIVING' });
      sub.dispose();
      await remote.close();
    } finally {
      await other.stop();
    }
  });
});
