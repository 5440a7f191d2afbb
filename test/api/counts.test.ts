import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import type { ApiClient } from '../support/client.js';
import { invariantViolations } from '../support/invariants.js';

let t: TestServer;
let clerk: ApiClient;
let manager: ApiClient;
let S: Record<string, string>;
beforeAll(async () => {
  t = await startTestServer();
  [clerk, manager] = await Promise.all([t.as('clerk'), t.as('manager')]);
  S = Object.fromEntries((await t.db.query(`select code, id::text from store`)).rows.map((r) => [r.code, r.id]));
});
afterEach(async () => {
  expect(await invariantViolations(t.db)).toEqual([]);
});
afterAll(async () => {
  await t?.close();
});

const OPEN = `mutation($i: OpenCountInput!) { openCount(input: $i) { count { id number status } userErrors { code message } } }`;
const SCAN = `mutation($i: ScanCountInput!) { scanCount(input: $i) { results { input outcome message } batchId batchNo userErrors { code message } } }`;
const VARIANCES = `missing { itemId serial } unexpected { itemId serial state storeCode } quantities { itemId onHand counted } expected counted`;
const act = (name: string) =>
  `mutation($i: CountActionInput!) { ${name}(input: $i) { count { status } variances { ${VARIANCES} } skipped userErrors { code message } } }`;
const cls = async (code: string) => (await t.db.query(`select id::text from classification where code = $1`, [code])).rows[0].id;
const unitsIn = async (classCode: string, store = 'S001') =>
  (
    await t.db.query(
      `select u.serial, u.item_id::text from serial_unit u join item i on i.id = u.item_id join classification c on c.id in (i.subcategory_id, i.category_id, i.department_id)
     join store s on s.id = u.store_id where c.code = $1 and s.code = $2 and u.state = 'IN_STOCK' order by u.serial_key`,
      [classCode, store],
    )
  ).rows as { serial: string; item_id: string }[];

async function openCount(classCode: string) {
  const r = await clerk.data(OPEN, { i: { storeId: S.S001, classificationId: await cls(classCode) } });
  expect(r.openCount.userErrors).toEqual([]);
  return r.openCount.count;
}

describe('CNT-1 cycle counts', () => {
  it('CNT-1: the same serial scanned in three batches by two clerks at once counts once, and the clerk is told where it was counted', async () => {
    const units = await unitsIn('ELEC-TV-OLED');
    const count = await openCount('ELEC-TV-OLED');
    const serial = units[0]!.serial;
    const b1 = (await clerk.data(SCAN, { i: { countId: count.id, input: units[1]!.serial } })).scanCount;
    const b2 = (await manager.data(SCAN, { i: { countId: count.id, input: units[2]!.serial } })).scanCount;
    const b3 = (await clerk.data(SCAN, { i: { countId: count.id, input: units[3]!.serial } })).scanCount;
    expect(new Set([b1.batchNo, b2.batchNo, b3.batchNo]).size).toBe(3);
    const all = await Promise.all([
      clerk.data(SCAN, { i: { countId: count.id, batchId: b1.batchId, input: serial } }),
      manager.data(SCAN, { i: { countId: count.id, batchId: b2.batchId, input: serial } }),
      clerk.data(SCAN, { i: { countId: count.id, batchId: b3.batchId, input: serial.toLowerCase() } }),
    ]);
    const outcomes = all.map((r) => r.scanCount.results[0]);
    expect(outcomes.filter((o) => o.outcome === 'ACCEPTED').length).toBe(1);
    for (const o of outcomes.filter((x) => x.outcome !== 'ACCEPTED')) {
      expect(o.outcome).toBe('DUPLICATE');
      expect(o.message).toMatch(/already counted in batch \d+ by (Cleo Clerk|Manny Manager)|just counted in another batch/);
    }
    expect(
      (
        await t.db.query(`select count(*)::int as n from count_scan where count_id = $1 and serial_key = serial_key_of($2)`, [
          count.id,
          serial,
        ])
      ).rows[0].n,
    ).toBe(1);
  });

  it('CNT-1: closing shows missing units, unexpected units with where they are believed to be, and posting writes COUNT events', async () => {
    const units = await unitsIn('ELEC-TV-LED');
    expect(units.length).toBeGreaterThanOrEqual(3);
    const elsewhere = (await unitsIn('ELEC-TV-LED', 'S002'))[0]!;
    const count = await openCount('ELEC-TV-LED');
    const counted = units.slice(1); // the first one is missing
    const found = `FOUND-${Date.now()}`;
    const r = await clerk.data(SCAN, {
      i: { countId: count.id, input: [...counted.map((u) => u.serial), elsewhere.serial].join('\n'), currentItemId: units[0]!.item_id },
    });
    expect(r.scanCount.results.every((x: any) => x.outcome === 'ACCEPTED')).toBe(true);
    const r2 = await clerk.data(SCAN, { i: { countId: count.id, input: found, currentItemId: units[0]!.item_id } });
    expect(r2.scanCount.results[0].outcome).toBe('ACCEPTED');
    const closed = (await clerk.data(act('closeCount'), { i: { countId: count.id } })).closeCount;
    expect(closed.count.status).toBe('CLOSED');
    expect(closed.variances.missing).toEqual([{ itemId: units[0]!.item_id, serial: units[0]!.serial }]);
    expect(closed.variances.unexpected).toEqual(
      expect.arrayContaining([
        { itemId: elsewhere.item_id, serial: elsewhere.serial, state: 'IN_STOCK', storeCode: 'S002' },
        { itemId: units[0]!.item_id, serial: found, state: null, storeCode: null },
      ]),
    );
    // Scanning after closing is refused; a clerk may not post; the manager posts once.
    expect((await clerk.data(SCAN, { i: { countId: count.id, input: 'X' } })).scanCount.userErrors[0].code).toBe('DOCUMENT_NOT_OPEN');
    expect(await clerk.errorCode(act('postCount'), { i: { countId: count.id } })).toBe('FORBIDDEN');
    const posted = (await manager.data(act('postCount'), { i: { countId: count.id } })).postCount;
    expect(posted.userErrors).toEqual([]);
    expect(posted.count.status).toBe('POSTED');
    expect(posted.skipped).toEqual([`${elsewhere.serial}: in stock at S002 — transfer it`]);
    const state = async (s: string) =>
      (
        await t.db.query(
          `select u.state, st.code from serial_unit u left join store st on st.id = u.store_id where u.serial_key = serial_key_of($1)`,
          [s],
        )
      ).rows[0];
    expect(await state(units[0]!.serial)).toEqual({ state: 'REMOVED', code: null });
    expect(await state(found)).toEqual({ state: 'IN_STOCK', code: 'S001' });
    expect(await state(elsewhere.serial)).toEqual({ state: 'IN_STOCK', code: 'S002' });
    expect(
      (
        await t.db.query(
          `select count(*)::int as n from stock_event where document_kind = 'COUNT' and document_id = $1 and type = 'COUNT'`,
          [count.id],
        )
      ).rows[0].n,
    ).toBe(2);
    const again = (await manager.data(act('postCount'), { i: { countId: count.id } })).postCount;
    expect(again.userErrors[0].code).toBe('DOCUMENT_NOT_OPEN');
  });

  it("CNT-1: a scan outside the count's scope is refused", async () => {
    const count = await openCount('ELEC-TV-OLED');
    const outside = (await unitsIn('ELEC-CMP-LAP'))[0]!;
    const r = await clerk.data(SCAN, { i: { countId: count.id, input: outside.serial } });
    expect(r.scanCount.results[0]).toMatchObject({ outcome: 'NOT_EXPECTED' });
    expect(r.scanCount.results[0].message).toMatch(/outside this count's scope/);
  });

  it('CNT-1: quantity variances for never-serialized items are posted as COUNT quantity changes', async () => {
    const count = await openCount('ELEC-AUD-CBL');
    const cable = (
      await t.db.query(
        `select i.id::text, u.upc, l.quantity from item i join item_upc u on u.item_id = i.id and u.is_main join classification c on c.id = i.subcategory_id join stock_level l on l.item_id = i.id and l.store_id = $1 where c.code = 'ELEC-AUD-CBL' and l.quantity > 0 order by i.id limit 1`,
        [S.S001],
      )
    ).rows[0];
    const r = await clerk.data(SCAN, { i: { countId: count.id, input: [cable.upc, cable.upc].join('\n') } });
    expect(r.scanCount.results.map((x: any) => x.outcome)).toEqual(['ITEM_COUNTED', 'ITEM_COUNTED']);
    const v = (await clerk.data(`query($id: ID!) { countVariances(id: $id) { ${VARIANCES} } }`, { id: count.id })).countVariances;
    expect(v.quantities).toEqual(expect.arrayContaining([{ itemId: cable.id, onHand: cable.quantity, counted: 2 }]));
    const posted = (await manager.data(act('postCount'), { i: { countId: count.id } })).postCount;
    expect(posted.userErrors).toEqual([]);
    expect(
      (await t.db.query(`select quantity from stock_level where item_id = $1 and store_id = $2`, [cable.id, S.S001])).rows[0].quantity,
    ).toBe(2);
  });
});

describe('REP-4 counts without variances', () => {
  it('REP-4: a posted count that changed nothing is still found by document inquiry, with no serials', async () => {
    const cable = (
      await t.db.query(
        `select i.id::text, coalesce(l.quantity, 0) as q from item i join classification c on c.id = i.subcategory_id
         left join stock_level l on l.item_id = i.id and l.store_id = $1 where c.code = 'ELEC-AUD-CBL' order by i.id limit 1`,
        [S.S001],
      )
    ).rows[0];
    const c = (await manager.data(OPEN, { i: { storeId: S.S001, itemIds: [cable.id] } })).openCount.count;
    await manager.data(`mutation($i: CountQuantityInput!) { setCountQuantity(input: $i) { userErrors { code } } }`, {
      i: { countId: c.id, itemId: cable.id, quantity: cable.q },
    });
    expect((await manager.data(act('closeCount'), { i: { countId: c.id } })).closeCount.userErrors).toEqual([]);
    expect((await manager.data(act('postCount'), { i: { countId: c.id } })).postCount.userErrors).toEqual([]);
    const doc = await clerk.data(`query($n: String!) { documentSerials(kind: "COUNT", number: $n) { kind number rows { serial } } }`, {
      n: c.number,
    });
    expect(doc.documentSerials).toEqual({ kind: 'COUNT', number: c.number, rows: [] });
  });
});

describe('CNT-1 / SER-4 concurrency', () => {
  it('CNT-1: two counts of the same never-serialized item posted at once set the counted quantity once, never the difference twice (5 rounds)', async () => {
    const admin = await t.as('admin');
    const cable = (
      await t.db.query(
        `select i.id::text from item i join classification c on c.id = i.subcategory_id where c.code = 'ELEC-AUD-CBL' order by i.id desc limit 1`,
      )
    ).rows[0];
    const onHand = async () =>
      (
        await t.db.query(`select coalesce(sum(quantity), 0)::int as q from stock_level where item_id = $1 and store_id = $2`, [
          cable.id,
          S.S001,
        ])
      ).rows[0].q as number;
    for (let round = 0; round < 5; round++) {
      const target = (await onHand()) + 3;
      const counts = [];
      for (const who of [manager, admin]) {
        const c = (await who.data(OPEN, { i: { storeId: S.S001, itemIds: [cable.id] } })).openCount.count;
        const q = await who.data(`mutation($i: CountQuantityInput!) { setCountQuantity(input: $i) { userErrors { code message } } }`, {
          i: { countId: c.id, itemId: cable.id, quantity: target },
        });
        expect(q.setCountQuantity.userErrors).toEqual([]);
        expect((await who.data(act('closeCount'), { i: { countId: c.id } })).closeCount.userErrors).toEqual([]);
        counts.push([who, c.id] as const);
      }
      const posted = await Promise.all(counts.map(([who, id]) => who.data(act('postCount'), { i: { countId: id } })));
      expect(posted.map((p) => p.postCount.userErrors)).toEqual([[], []]);
      expect(await onHand()).toBe(target);
    }
  });
});

describe('SEC-3 bad input', () => {
  it('SEC-3: counting at a store that does not exist is NOT_FOUND for a user of every store, and no count is opened', async () => {
    const admin = await t.as('admin');
    const before = Number((await t.db.query(`select count(*) from cycle_count`)).rows[0].count);
    for (const storeId of ['999', '-1'])
      expect((await admin.request(OPEN, { i: { storeId, classificationId: await cls('ELEC-TV-OLED') } })).errors?.[0]).toMatchObject({
        message: `Store ${storeId} does not exist.`,
        extensions: { code: 'NOT_FOUND', field: 'input.storeId' },
      });
    expect(Number((await t.db.query(`select count(*) from cycle_count`)).rows[0].count)).toBe(before);
  });
});
