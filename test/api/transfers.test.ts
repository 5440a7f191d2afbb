import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/server.js';
import type { ApiClient } from '../support/client.js';
import { invariantViolations } from '../support/invariants.js';
import { unitOfAnotherItem } from '../support/units.js';

let t: TestServer;
let manager: ApiClient; // S001 + S002
let clerk: ApiClient; // S001
let clerk2: ApiClient; // S002
let S: Record<string, string>;
let tv: { id: string; upc: string };
let cable: { id: string; upc: string };
beforeAll(async () => {
  t = await startTestServer();
  [manager, clerk, clerk2] = await Promise.all([t.as('manager'), t.as('clerk'), t.as('clerk2')]);
  S = Object.fromEntries((await t.db.query(`select code, id::text from store`)).rows.map((r) => [r.code, r.id]));
  const item = async (pid: string) =>
    (
      await t.db.query(`select i.id::text, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main where i.product_id = $1`, [
        pid,
      ])
    ).rows[0];
  tv = await item('TVOLED-001');
  cable = await item('AUDCBL-001');
});
afterEach(async () => {
  expect(await invariantViolations(t.db)).toEqual([]);
});
afterAll(async () => {
  await t?.close();
});

const T = `id number status progress { requested shipped received } lines { lineNo shippedQuantity serialCount receivedQuantity } discrepancies { serial quantity productId } shipBlockers { code message }`;
const CREATE = `mutation($i: CreateTransferInput!) { createTransfer(input: $i) { transfer { ${T} } userErrors { code field message } replayed } }`;
const SCAN = `mutation($i: ScanTransferInput!) { scanTransfer(input: $i) { results { input outcome message storeCode lineScanned lineExpected } currentItemId transfer { status } userErrors { code message } } }`;
const act = (name: string) =>
  `mutation($i: TransferActionInput!) { ${name}(input: $i) { transfer { ${T} } userErrors { code field message } replayed } }`;
let n = 0;
const uniq = () => `TR-${Date.now().toString(36)}-${++n}`.toUpperCase();

/** Receives fresh TV serials (and cables) at a store, returning the serials. */
async function stock(storeCode: string, count: number, cables = 0): Promise<string[]> {
  const serials = Array.from({ length: count }, uniq);
  const r = await manager.data(`mutation($i: CreateReceiptInput!) { createReceipt(input: $i) { receipt { id } } }`, {
    i: { storeId: S[storeCode], kind: 'BLIND' },
  });
  const id = r.createReceipt.receipt.id;
  const input = [tv.upc, ...serials, ...Array(cables).fill(cable.upc)].join('\n');
  await manager.data(`mutation($i: ScanReceiptInput!) { scanReceipt(input: $i) { results { outcome } } }`, { i: { receiptId: id, input } });
  expect(
    (await manager.data(`mutation($i: ReceiptActionInput!) { postReceipt(input: $i) { userErrors { code } } }`, { i: { receiptId: id } }))
      .postReceipt.userErrors,
  ).toEqual([]);
  return serials;
}
const unit = async (serial: string) =>
  (
    await t.db.query(
      `select u.state, s.code as store, u.transfer_id from serial_unit u left join store s on s.id = u.store_id where u.serial_key = serial_key_of($1)`,
      [serial],
    )
  ).rows[0];
const level = async (itemId: string, store: string) =>
  (await t.db.query(`select coalesce((select quantity from stock_level where item_id = $1 and store_id = $2), 0) as q`, [itemId, S[store]]))
    .rows[0].q;

async function draft(from = 'S001', to = 'S002', client = manager) {
  const r = await client.data(CREATE, { i: { fromStoreId: S[from], toStoreId: S[to] } });
  expect(r.createTransfer.userErrors).toEqual([]);
  return r.createTransfer.transfer;
}
const scan = async (id: string, side: 'SHIP' | 'RECEIVE', input: string, client = manager, currentItemId?: string) =>
  (await client.data(SCAN, { i: { transferId: id, side, input, currentItemId } })).scanTransfer;

describe('TRF-1 / TRF-2 flow and shipping', () => {
  it('TRF-1: DRAFT → SHIPPED → RECEIVING → RECEIVED, with stock moving and units IN_TRANSIT in between', async () => {
    const serials = await stock('S001', 2, 3);
    const tr = await draft();
    const s = await scan(tr.id, 'SHIP', [tv.upc, ...serials, cable.upc, cable.upc].join('\n'));
    expect(s.results.map((r: any) => r.outcome)).toEqual(['ITEM_SELECTED', 'ACCEPTED', 'ACCEPTED', 'ITEM_COUNTED', 'ITEM_COUNTED']);
    const [tv1, tv2, c1, c2] = [
      await level(tv.id, 'S001'),
      await level(tv.id, 'S002'),
      await level(cable.id, 'S001'),
      await level(cable.id, 'S002'),
    ];
    const shipped = await manager.data(act('shipTransfer'), { i: { transferId: tr.id } });
    expect(shipped.shipTransfer.userErrors).toEqual([]);
    expect(shipped.shipTransfer.transfer).toMatchObject({ status: 'SHIPPED', progress: { shipped: 4, received: 0 } });
    expect(await unit(serials[0]!)).toMatchObject({ state: 'IN_TRANSIT', store: null, transfer_id: Number(tr.id) });
    expect([await level(tv.id, 'S001'), await level(cable.id, 'S001')]).toEqual([tv1 - 2, c1 - 2]);

    const r1 = await scan(tr.id, 'RECEIVE', serials[0]!, clerk2);
    expect(r1.results[0]).toMatchObject({ outcome: 'ACCEPTED', lineScanned: 1, lineExpected: 2 });
    expect(r1.transfer.status).toBe('RECEIVING');
    await scan(tr.id, 'RECEIVE', [serials[1], cable.upc, cable.upc].join('\n'), clerk2);
    const rec = await clerk2.data(act('receiveTransfer'), { i: { transferId: tr.id } });
    expect(rec.receiveTransfer.userErrors).toEqual([]);
    expect(rec.receiveTransfer.transfer).toMatchObject({ status: 'RECEIVED', discrepancies: [] });
    expect(await unit(serials[1]!)).toMatchObject({ state: 'IN_STOCK', store: 'S002', transfer_id: null });
    expect([await level(tv.id, 'S002'), await level(cable.id, 'S002')]).toEqual([tv2 + 2, c2 + 2]);
    const types = (
      await t.db.query(
        `select type, count(*)::int as n from stock_event where document_kind = 'TRANSFER' and document_id = $1 group by 1 order by 1`,
        [tr.id],
      )
    ).rows;
    expect(types).toEqual([
      { type: 'TRANSFER_IN', n: 3 },
      { type: 'TRANSFER_OUT', n: 3 },
    ]);
  });

  it('TRF-2: refuses to ship a serial that is at another store, in transit or removed, naming where it is', async () => {
    const [atS002] = await stock('S002', 1);
    const [inTransit] = await stock('S001', 1);
    const tr1 = await draft();
    await scan(tr1.id, 'SHIP', `${tv.upc}\n${inTransit}`);
    await manager.data(act('shipTransfer'), { i: { transferId: tr1.id } });
    const tr = await draft();
    const r = await scan(tr.id, 'SHIP', [tv.upc, atS002, inTransit, 'NEVER-SEEN-1'].join('\n'));
    expect(r.results.slice(1).map((x: any) => [x.outcome, x.storeCode])).toEqual([
      ['IN_STOCK_ELSEWHERE', 'S002'],
      ['IN_TRANSIT', null],
      ['NOT_IN_STOCK_HERE', null],
    ]);
    expect(r.results[1].message).toMatch(/in stock at S002/);
  });

  it('DOC-3: shipping the serial of a unit here that belongs to another item answers WRONG_ITEM, naming that item', async () => {
    const other = await unitOfAnotherItem(t.db, S.S001!, tv.id);
    const tr = await draft();
    const r = await scan(tr.id, 'SHIP', `${tv.upc}\n${other.serial}`);
    expect(r.results[1].outcome).toBe('WRONG_ITEM');
    expect(r.results[1].message).toContain(`is a unit of ${other.product_id}`);
  });

  it('TRF-2: two transfers racing to ship the same unit: exactly one ships it', async () => {
    for (let round = 0; round < 10; round++) {
      const [s] = await stock('S001', 1);
      const a = await draft('S001', 'S002');
      const b = await draft('S001', 'S003');
      await scan(a.id, 'SHIP', `${tv.upc}\n${s}`);
      await scan(b.id, 'SHIP', `${tv.upc}\n${s}`, clerk);
      const [ra, rb] = await Promise.all([
        manager.data(act('shipTransfer'), { i: { transferId: a.id } }),
        clerk.data(act('shipTransfer'), { i: { transferId: b.id } }),
      ]);
      const results = [ra.shipTransfer, rb.shipTransfer];
      expect(results.filter((x) => x.userErrors.length === 0).length).toBe(1);
      expect(results.find((x) => x.userErrors.length)!.userErrors[0].code).toBe('NOT_IN_STOCK_HERE');
      expect(results.find((x) => x.userErrors.length)!.transfer.status).toBe('DRAFT');
    }
  });

  it('TRF-2: ALWAYS items ship with one serial per unit; the blocker says so', async () => {
    const tr = await draft();
    await manager.data(`mutation($i: CreateTransferInput!) { createTransfer(input: $i) { userErrors { code } } }`, {
      i: { fromStoreId: S.S001, toStoreId: S.S002 },
    });
    const empty = await manager.data(act('shipTransfer'), { i: { transferId: tr.id } });
    expect(empty.shipTransfer.userErrors[0].code).toBe('NOTHING_TO_POST');
  });

  it('TRF-1: CANCELED only from DRAFT', async () => {
    const [s] = await stock('S001', 1);
    const tr = await draft();
    await scan(tr.id, 'SHIP', `${tv.upc}\n${s}`);
    await manager.data(act('shipTransfer'), { i: { transferId: tr.id } });
    const c = await manager.data(act('cancelTransfer'), { i: { transferId: tr.id } });
    expect(c.cancelTransfer.userErrors[0].code).toBe('DOCUMENT_NOT_OPEN');
    const tr2 = await draft();
    expect((await manager.data(act('cancelTransfer'), { i: { transferId: tr2.id } })).cancelTransfer.transfer.status).toBe('CANCELED');
  });

  it('SEC-2: shipping from a store you are not assigned to is refused; so is creating one', async () => {
    expect(await clerk2.errorCode(CREATE, { i: { fromStoreId: S.S001, toStoreId: S.S002 } })).toBe('STORE_OUT_OF_SCOPE');
    const tr = await draft();
    expect(await clerk2.errorCode(SCAN, { i: { transferId: tr.id, side: 'SHIP', input: tv.upc } })).toBe('STORE_OUT_OF_SCOPE');
  });
});

describe('TRF-3 receiving and discrepancies', () => {
  it('TRF-3: only serials shipped on this transfer are accepted; receiving at the wrong store is refused', async () => {
    const serials = await stock('S001', 2);
    const [other] = await stock('S002', 1);
    const tr = await draft();
    await scan(tr.id, 'SHIP', [tv.upc, ...serials].join('\n'));
    await manager.data(act('shipTransfer'), { i: { transferId: tr.id } });
    const r = await scan(tr.id, 'RECEIVE', [serials[0], other, serials[0]].join('\n'), clerk2);
    expect(r.results.map((x: any) => x.outcome)).toEqual(['ACCEPTED', 'NOT_EXPECTED', 'DUPLICATE']);
    expect(await clerk.errorCode(SCAN, { i: { transferId: tr.id, side: 'RECEIVE', input: serials[1] } })).toBe('STORE_OUT_OF_SCOPE');
  });

  it('TRF-3: units not received stay IN_TRANSIT as a discrepancy, can be received later, and the rest written off by a manager', async () => {
    const serials = await stock('S001', 3);
    const tr = await draft();
    await scan(tr.id, 'SHIP', [tv.upc, ...serials].join('\n'));
    await manager.data(act('shipTransfer'), { i: { transferId: tr.id } });
    await scan(tr.id, 'RECEIVE', serials[0]!, clerk2);
    const first = (await clerk2.data(act('receiveTransfer'), { i: { transferId: tr.id } })).receiveTransfer;
    expect(first.transfer.status).toBe('RECEIVED_WITH_DISCREPANCY');
    expect(first.transfer.discrepancies.map((d: any) => d.serial).sort()).toEqual([serials[1], serials[2]].sort());
    expect(await unit(serials[1]!)).toMatchObject({ state: 'IN_TRANSIT' });
    // One more turns up later.
    await scan(tr.id, 'RECEIVE', serials[1]!, clerk2);
    const second = (await clerk2.data(act('receiveTransfer'), { i: { transferId: tr.id } })).receiveTransfer;
    expect(second.transfer.discrepancies.map((d: any) => d.serial)).toEqual([serials[2]]);
    // A clerk may not write off; a manager may.
    const W = `mutation($i: WriteOffTransferInput!) { writeOffTransfer(input: $i) { transfer { ${T} } userErrors { code message } } }`;
    expect(await clerk2.errorCode(W, { i: { transferId: tr.id, reason: 'lost' } })).toBe('FORBIDDEN');
    const w = (await manager.data(W, { i: { transferId: tr.id, reason: 'lost in transit' } })).writeOffTransfer;
    expect(w.userErrors).toEqual([]);
    expect(w.transfer.discrepancies).toEqual([]);
    expect(await unit(serials[2]!)).toMatchObject({ state: 'REMOVED', store: null, transfer_id: null });
    const ev = await t.db.query(`select type, quantity, reason from stock_event where serial = $1 order by id desc limit 1`, [serials[2]]);
    expect(ev.rows[0]).toEqual({ type: 'ADJUSTMENT', quantity: 0, reason: 'Transfer write-off: lost in transit' });
  });

  it('DOC-1: shipping twice with the same client key ships once', async () => {
    const [s] = await stock('S001', 1);
    const tr = await draft();
    await scan(tr.id, 'SHIP', `${tv.upc}\n${s}`);
    const key = randomUUID();
    const a = (await manager.data(act('shipTransfer'), { i: { transferId: tr.id, clientKey: key } })).shipTransfer;
    const b = (await manager.data(act('shipTransfer'), { i: { transferId: tr.id, clientKey: key } })).shipTransfer;
    expect([a.replayed, b.replayed, a.userErrors, b.userErrors, b.transfer.status]).toEqual([false, true, [], [], 'SHIPPED']);
    expect(
      (await t.db.query(`select count(*)::int as n from stock_event where serial = $1 and type = 'TRANSFER_OUT'`, [s])).rows[0].n,
    ).toBe(1);
  });
});

describe('TRF-4 live board', () => {
  it('TRF-4: a manager watching the board sees status changes and each receiving scan without reloading', async () => {
    const serials = await stock('S001', 2);
    const tr = await draft();
    const sub = manager.subscribe(
      `subscription($f: DocumentEventFilter) { documentEvents(filter: $f) { number status action scanned received shipped } }`,
      { f: { kind: 'TRANSFER' } },
    );
    await new Promise((r) => setTimeout(r, 300));
    await scan(tr.id, 'SHIP', [tv.upc, ...serials].join('\n'), clerk);
    // The draft's own CREATED event may still be on its way when the subscription starts.
    let first = (await sub.next()).data!.documentEvents;
    if (first.action === 'CREATED') first = (await sub.next()).data!.documentEvents;
    expect(first).toMatchObject({
      number: tr.number,
      status: 'DRAFT',
      action: 'SHIP_SCANNED',
      scanned: 2,
      shipped: 2,
    });
    await clerk.data(act('shipTransfer'), { i: { transferId: tr.id } });
    expect((await sub.next()).data!.documentEvents).toMatchObject({ status: 'SHIPPED', action: 'shipTransfer' });
    await scan(tr.id, 'RECEIVE', serials[0]!, clerk2);
    expect((await sub.next()).data!.documentEvents).toMatchObject({ status: 'RECEIVING', action: 'RECEIVE_SCANNED', received: 1 });
    const { transfers } = await manager.data(`{ transfers { number status progress { shipped received } } }`);
    expect(transfers.find((x: any) => x.number === tr.number)).toEqual({
      number: tr.number,
      status: 'RECEIVING',
      progress: { shipped: 2, received: 1 },
    });
    sub.dispose();
  });
});

describe('SEC-3 bad input', () => {
  const transfers = async () => Number((await t.db.query(`select count(*) from transfer`)).rows[0].count);

  it('SEC-3: a transfer from a store that does not exist is NOT_FOUND for a user of every store, and nothing is saved', async () => {
    const admin = await t.as('admin');
    const before = await transfers();
    expect((await admin.request(CREATE, { i: { fromStoreId: '999', toStoreId: S.S001 } })).errors?.[0]).toMatchObject({
      message: 'Store 999 does not exist.',
      extensions: { code: 'NOT_FOUND', field: 'input.fromStoreId' },
    });
    expect(await transfers()).toBe(before);
  });

  it('SEC-3: a NUL character in a note is BAD_USER_INPUT, and no transfer is created', async () => {
    const before = await transfers();
    const res = await manager.request(CREATE, { i: { fromStoreId: S.S001, toStoreId: S.S002, note: 'a\u0000b' } });
    expect(res.errors?.[0]).toMatchObject({
      message: 'Text cannot contain the NUL character (\\0).',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(await transfers()).toBe(before);
  });

  it('SEC-3: a note over 2,000 characters is TOO_LONG, and no transfer is created', async () => {
    const before = await transfers();
    const res = await manager.data(CREATE, { i: { fromStoreId: S.S001, toStoreId: S.S002, note: 'x'.repeat(2_001) } });
    expect(res.createTransfer.userErrors).toMatchObject([{ code: 'TOO_LONG', field: 'input.note' }]);
    expect(await transfers()).toBe(before);
  });
});
