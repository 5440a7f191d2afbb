import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import type { ApiClient } from '../support/client.js';
import { invariantViolations } from '../support/invariants.js';
import { unitOfAnotherItem } from '../support/units.js';

let t: TestServer;
let clerk: ApiClient; // S001, has NOT_READABLE_REGISTRATION
let manager: ApiClient; // S001+S002, has both duties
let S: Record<string, string>;
let R1: string;
let customer: string;
beforeAll(async () => {
  t = await startTestServer();
  [clerk, manager] = await Promise.all([t.as('clerk'), t.as('manager')]);
  S = Object.fromEntries((await t.db.query(`select code, id::text from store`)).rows.map((r) => [r.code, r.id]));
  R1 = (await t.db.query(`select r.id::text from register r join store s on s.id = r.store_id where s.code = 'S001' and r.code = 'R1'`))
    .rows[0].id;
  customer = (await t.db.query(`select id::text from customer where number = 'C-1001'`)).rows[0].id;
});
afterEach(async () => {
  expect(await invariantViolations(t.db)).toEqual([]);
});
afterAll(async () => {
  await t?.close();
});

const SALE = `id number status lines { id lineNo quantity serial serialStatus fulfilment fulfilled voided item { productId } } completionBlockers { code message index }`;
const m = (name: string, input: string) =>
  `mutation($i: ${input}!) { ${name}(input: $i) { sale { ${SALE} } userErrors { code field message index } replayed } }`;
const CREATE = m('createSale', 'CreateSaleInput');
const ADD = m('addSaleLine', 'AddSaleLineInput');
const SET = m('setSaleLineSerial', 'SaleLineSerialInput');
const VOID = m('voidSaleLine', 'SaleLineSerialInput');
const COMPLETE = m('completeSale', 'SaleActionInput');
const FULFIL = m('fulfilSaleLine', 'SaleLineSerialInput');
const CORRECT = m('correctSaleLineSerial', 'SaleLineSerialInput');
const RETURN = `mutation($i: ReturnItemsInput!) { returnItems(input: $i) { number userErrors { code field message index } } }`;

let n = 0;
const uniq = (p = 'SL') => `${p}-${Date.now().toString(36)}-${++n}`.toUpperCase();
async function itemOf(productId: string) {
  return (
    await t.db.query(`select i.id::text, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main where i.product_id = $1`, [
      productId,
    ])
  ).rows[0] as { id: string; upc: string };
}
/** Fresh serials of an item in stock at a store, received through the API. */
async function stock(productId: string, count: number, store = 'S001'): Promise<string[]> {
  const it = await itemOf(productId);
  const serials = Array.from({ length: count }, () => uniq());
  const r = await manager.data(`mutation($i: CreateReceiptInput!) { createReceipt(input: $i) { receipt { id } } }`, {
    i: { storeId: S[store], kind: 'BLIND' },
  });
  const id = r.createReceipt.receipt.id;
  await manager.data(`mutation($i: ScanReceiptInput!) { scanReceipt(input: $i) { results { outcome } } }`, {
    i: { receiptId: id, input: [it.upc, ...serials].join('\n') },
  });
  const p = await manager.data(`mutation($i: ReceiptActionInput!) { postReceipt(input: $i) { userErrors { code message } } }`, {
    i: { receiptId: id },
  });
  expect(p.postReceipt.userErrors).toEqual([]);
  return serials;
}
async function newSale(client = clerk, store = 'S001') {
  const r = await client.data(CREATE, { i: { storeId: S[store], registerId: store === 'S001' ? R1 : null, customerId: customer } });
  expect(r.createSale.userErrors).toEqual([]);
  return r.createSale.sale;
}
const add = async (saleId: string, fields: Record<string, unknown>, client = clerk) =>
  (await client.data(ADD, { i: { saleId, ...fields } })).addSaleLine;
const complete = async (saleId: string, client = clerk) => (await client.data(COMPLETE, { i: { saleId } })).completeSale;
const unitState = async (serial: string) =>
  (
    await t.db.query(
      `select u.state, s.code as store from serial_unit u left join store s on s.id = u.store_id where u.serial_key = serial_key_of($1)`,
      [serial],
    )
  ).rows[0];

describe('SAL-1 / SAL-2 selling serialized units', () => {
  it('SAL-1: two units of one serialized item are two lines, never one line of quantity 2', async () => {
    const tv = await itemOf('TVOLED-001');
    const [a, b] = await stock('TVOLED-001', 2);
    const sale = await newSale();
    await add(sale.id, { code: tv.upc, serial: a });
    const r = await add(sale.id, { code: tv.upc, serial: b });
    expect(r.sale.lines.map((l: any) => [l.quantity, l.serial])).toEqual([
      [1, a],
      [1, b],
    ]);
    expect((await add(sale.id, { code: tv.upc, quantity: 2, addLater: true })).userErrors[0].code).toBe('INVALID_INPUT');
    const done = await complete(sale.id);
    expect(done.userErrors).toEqual([]);
    expect(await unitState(a)).toEqual({ state: 'SOLD', store: null });
    const ev = await t.db.query(
      `select type, quantity, register_id::text, customer_id::text from stock_event where serial = $1 order by id desc limit 1`,
      [a],
    );
    expect(ev.rows[0]).toEqual({ type: 'SALE', quantity: -1, register_id: R1, customer_id: customer });
  });

  it('SAL-2: an ALWAYS item needs a serial in stock at this store and not sold before', async () => {
    const tv = await itemOf('TVOLED-001');
    const [here] = await stock('TVOLED-001', 1);
    const [there] = await stock('TVOLED-001', 1, 'S002');
    const sale = await newSale();
    expect((await add(sale.id, { code: tv.upc })).userErrors[0]).toMatchObject({ code: 'SERIAL_REQUIRED', field: 'input.serial' });
    const elsewhere = await add(sale.id, { code: tv.upc, serial: there });
    expect(elsewhere.userErrors[0]).toMatchObject({ code: 'NOT_IN_STOCK_HERE' });
    expect(elsewhere.userErrors[0].message).toMatch(/in stock at S002, not here/);
    const s1 = await newSale();
    await add(s1.id, { code: tv.upc, serial: here });
    expect((await complete(s1.id)).userErrors).toEqual([]);
    const sold = await add(sale.id, { code: tv.upc, serial: here });
    expect(sold.userErrors[0].message).toMatch(/is sold/);
    expect((await add(sale.id, { code: tv.upc, serial: 'NEVER-RECEIVED-X' })).userErrors[0].message).toMatch(/not known/);
  });

  it('SAL-2: SOMETIMES items follow the "required when selling" flag; NEVER items sell by quantity without serials', async () => {
    const required = (
      await t.db.query(
        `select i.id::text, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id where p.level = 'SOMETIMES' and i.serial_required_on_sale order by i.id limit 1`,
      )
    ).rows[0];
    const optional = (
      await t.db.query(
        `select i.id::text, u.upc, i.product_id from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id join stock_level l on l.item_id = i.id and l.store_id = $1 and l.quantity > 0 where p.level = 'SOMETIMES' and not i.serial_required_on_sale order by i.id limit 1`,
        [S.S001],
      )
    ).rows[0];
    const cable = (
      await t.db.query(
        `select i.id::text, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main join stock_level l on l.item_id = i.id and l.store_id = $1 and l.quantity >= 2 join item_policy p on p.item_id = i.id where p.level = 'NEVER' limit 1`,
        [S.S001],
      )
    ).rows[0];
    const sale = await newSale();
    expect((await add(sale.id, { code: required.upc })).userErrors[0].code).toBe('SERIAL_REQUIRED');
    const r = await add(sale.id, { code: optional.upc });
    expect(r.userErrors).toEqual([]);
    expect(r.sale.lines[0].serialStatus).toBe('NOT_REQUIRED');
    expect((await add(sale.id, { code: cable.upc, serial: 'X' })).userErrors[0].code).toBe('NOT_SERIALIZED');
    const q = await add(sale.id, { code: cable.upc, quantity: 2 });
    expect(q.sale.lines[1]).toMatchObject({ quantity: 2, serial: null, serialStatus: 'NOT_SERIALIZED' });
    const before = (await t.db.query(`select quantity from stock_level where item_id = $1 and store_id = $2`, [cable.id, S.S001])).rows[0]
      .quantity;
    expect((await complete(sale.id)).userErrors).toEqual([]);
    expect(
      (await t.db.query(`select quantity from stock_level where item_id = $1 and store_id = $2`, [cable.id, S.S001])).rows[0].quantity,
    ).toBe(before - 2);
  });

  it('SAL-2: more to carry out than the store has on hand shows as a blocker naming the line and product, and completing is refused', async () => {
    const cable = await itemOf('AUDCBL-001');
    const onHand = (
      await t.db.query(`select coalesce(sum(quantity), 0)::int as q from stock_level where item_id = $1 and store_id = $2`, [
        cable.id,
        S.S001,
      ])
    ).rows[0].q as number;
    const sale = await newSale();
    const r = await add(sale.id, { code: cable.upc, quantity: onHand + 1 });
    expect(r.userErrors).toEqual([]);
    expect(r.sale.completionBlockers).toEqual([
      { code: 'INSUFFICIENT_STOCK', message: `Line 1 (AUDCBL-001): ${onHand + 1} to carry out, ${onHand} on hand at S001.`, index: 1 },
    ]);
    expect((await complete(sale.id)).userErrors).toMatchObject([{ code: 'INSUFFICIENT_STOCK' }]);
  });

  it('DOC-3 at the register: a product barcode given as the serial is LOOKS_LIKE_UPC; a unit here of another item is WRONG_ITEM naming it', async () => {
    const tv = await itemOf('TVOLED-001');
    const other = await unitOfAnotherItem(t.db, S.S001!, tv.id);
    const sale = await newSale();
    expect((await add(sale.id, { code: tv.upc, serial: tv.upc })).userErrors[0]).toMatchObject({ code: 'LOOKS_LIKE_UPC' });
    const wrong = (await add(sale.id, { code: tv.upc, serial: other.serial })).userErrors[0];
    expect(wrong.code).toBe('WRONG_ITEM');
    expect(wrong.message).toContain(`is a unit of ${other.product_id}`);
    expect((await add(sale.id, { code: tv.upc, serial: 'NEVER-SEEN-SALE-1' })).userErrors[0].code).toBe('NOT_IN_STOCK_HERE');
  });

  it('DOC-2: two registers selling the same serial at the same moment: exactly one wins (30 rounds)', async () => {
    const tv = await itemOf('TVOLED-001');
    for (let round = 0; round < 30; round++) {
      const [s] = await stock('TVOLED-001', 1);
      const a = await newSale(clerk);
      const b = await newSale(manager);
      await add(a.id, { code: tv.upc, serial: s }, clerk);
      await add(b.id, { code: tv.upc, serial: s }, manager);
      const [ra, rb] = await Promise.all([complete(a.id, clerk), complete(b.id, manager)]);
      const wins = [ra, rb].filter((r) => r.userErrors.length === 0);
      expect(wins.length).toBe(1);
      const loser = [ra, rb].find((r) => r.userErrors.length)!;
      expect(loser.userErrors[0]).toMatchObject({ code: 'NOT_IN_STOCK_HERE' });
      expect(loser.sale.status).toBe('OPEN');
      expect((await t.db.query(`select count(*)::int as n from stock_event where serial = $1 and type = 'SALE'`, [s])).rows[0].n).toBe(1);
    }
  });
});

describe('SAL-3 add later', () => {
  it('SAL-3: a line with a pending serial blocks completion, listed; once given the sale completes', async () => {
    const tv = await itemOf('TVOLED-001');
    const [s] = await stock('TVOLED-001', 1);
    const sale = await newSale();
    const r = await add(sale.id, { code: tv.upc, addLater: true });
    const line = r.sale.lines[0];
    expect(line.serialStatus).toBe('PENDING');
    const refused = await complete(sale.id);
    expect(refused.userErrors).toEqual([
      { code: 'SERIAL_REQUIRED', field: 'lines.1', message: 'Line 1 is missing its serial number.', index: 1 },
    ]);
    const given = (await clerk.data(SET, { i: { saleId: sale.id, lineId: line.id, serial: s } })).setSaleLineSerial;
    expect(given.sale.lines[0]).toMatchObject({ serial: s, serialStatus: 'GIVEN' });
    expect((await complete(sale.id)).userErrors).toEqual([]);
  });

  it('SAL-3: a given serial cannot be edited: void the line and add it again', async () => {
    const tv = await itemOf('TVOLED-001');
    const [a, b] = await stock('TVOLED-001', 2);
    const sale = await newSale();
    const r = await add(sale.id, { code: tv.upc, serial: a });
    const line = r.sale.lines[0];
    const edit = (await clerk.data(SET, { i: { saleId: sale.id, lineId: line.id, serial: b } })).setSaleLineSerial;
    expect(edit.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT' });
    expect(edit.userErrors[0].message).toMatch(/void the line/);
    await clerk.data(VOID, { i: { saleId: sale.id, lineId: line.id } });
    const again = await add(sale.id, { code: tv.upc, serial: b });
    expect(again.sale.lines.map((l: any) => [l.serial, l.voided])).toEqual([
      [a, true],
      [b, false],
    ]);
    expect((await complete(sale.id)).userErrors).toEqual([]);
    expect((await unitState(a)).state).toBe('IN_STOCK');
    expect((await unitState(b)).state).toBe('SOLD');
  });
});

describe('SAL-4 customer orders', () => {
  it('SAL-4: a pickup line needs its serial at pickup, not when the order is placed; carry-out lines at completion', async () => {
    const tv = await itemOf('TVOLED-001');
    const [s] = await stock('TVOLED-001', 1);
    const sale = await newSale();
    const r = await add(sale.id, { code: tv.upc, fulfilment: 'PICKUP' });
    expect(r.sale.lines[0]).toMatchObject({ serialStatus: 'PENDING', fulfilment: 'PICKUP' });
    const early = (await clerk.data(FULFIL, { i: { saleId: sale.id, lineId: r.sale.lines[0].id, serial: s } })).fulfilSaleLine;
    expect(early.userErrors[0]).toMatchObject({
      code: 'DOCUMENT_NOT_OPEN',
      message: `Sale ${sale.number} is open; this needs a completed sale.`,
    });
    const done = await complete(sale.id);
    expect(done.userErrors).toEqual([]);
    expect(done.sale.lines[0].fulfilled).toBe(false);
    const noSerial = (await clerk.data(FULFIL, { i: { saleId: sale.id, lineId: r.sale.lines[0].id } })).fulfilSaleLine;
    expect(noSerial.userErrors[0].code).toBe('SERIAL_REQUIRED');
    const picked = (await clerk.data(FULFIL, { i: { saleId: sale.id, lineId: r.sale.lines[0].id, serial: s } })).fulfilSaleLine;
    expect(picked.userErrors).toEqual([]);
    expect(picked.sale.lines[0]).toMatchObject({ fulfilled: true, serial: s });
    expect((await unitState(s)).state).toBe('SOLD');
  });
});

describe('SAL-5 not readable', () => {
  it('SAL-5: "not readable" is allowed only where the policy allows a missing serial; a user with the duty corrects it later', async () => {
    const tv = await itemOf('TVOLED-001');
    const opt = (
      await t.db.query(
        `select i.id::text, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id where p.level = 'SOMETIMES' and not i.serial_required_on_sale order by i.id limit 1`,
      )
    ).rows[0];
    const [s] = await stock(await t.db.query(`select product_id from item where id = $1`, [opt.id]).then((r) => r.rows[0].product_id), 1);
    const sale = await newSale();
    expect((await add(sale.id, { code: tv.upc, notReadable: true })).userErrors[0].code).toBe('SERIAL_REQUIRED');
    const r = await add(sale.id, { code: opt.upc, notReadable: true });
    expect(r.sale.lines[0].serialStatus).toBe('NOT_READABLE');
    expect((await complete(sale.id)).userErrors).toEqual([]);
    const line = r.sale.lines[0].id;
    // The clerk lacks the serial-corrections duty; the manager has it.
    const denied = await clerk.request(CORRECT, { i: { saleId: sale.id, lineId: line, serial: s } });
    expect(denied.errors?.[0]).toMatchObject({
      message: 'Your role does not allow correcting serials without the serial corrections duty.',
      extensions: { code: 'FORBIDDEN' },
    });
    const level = async () =>
      (await t.db.query(`select quantity from stock_level where item_id = $1 and store_id = $2`, [opt.id, S.S001])).rows[0].quantity;
    const before = await level();
    const fixed = (await manager.data(CORRECT, { i: { saleId: sale.id, lineId: line, serial: s } })).correctSaleLineSerial;
    expect(fixed.userErrors).toEqual([]);
    expect(fixed.sale.lines[0]).toMatchObject({ serial: s, serialStatus: 'GIVEN' });
    expect((await unitState(s)).state).toBe('SOLD');
    expect(await level()).toBe(before); // the unit replaces the quantity already sold
  });

  it('SAL-5: a clerk without the not-readable duty cannot register it', async () => {
    const clerk2 = await t.as('clerk2');
    const opt = (
      await t.db.query(
        `select u.upc from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id where p.level = 'SOMETIMES' and not i.serial_required_on_sale limit 1`,
      )
    ).rows[0];
    const sale = await newSale(clerk2, 'S002');
    const denied = await clerk2.request(ADD, { i: { saleId: sale.id, code: opt.upc, notReadable: true } });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(denied.errors?.[0]?.message).toMatch(/not-readable registration duty/);
  });
});

describe('RET-1 returns', () => {
  it('RET-1: a sold serial shows its original sale; returning it puts the unit in stock here with a RETURN event', async () => {
    const tv = await itemOf('TVOLED-001');
    const [s] = await stock('TVOLED-001', 1);
    const sale = await newSale();
    await add(sale.id, { code: tv.upc, serial: s });
    await complete(sale.id);
    const { serialSale } = await clerk.data(
      `query($s: String!) { serialSale(serial: $s) { state soldAt sale { number store { code } register { code } customer { number name } } } }`,
      { s: s.toLowerCase() },
    );
    expect(serialSale[0]).toMatchObject({
      state: 'SOLD',
      sale: { number: sale.number, store: { code: 'S001' }, register: { code: 'R1' }, customer: { number: 'C-1001', name: 'Jordan Lee' } },
    });
    const r = await manager.data(RETURN, { i: { storeId: S.S002, lines: [{ serial: s }] } });
    expect(r.returnItems.userErrors).toEqual([]);
    expect(r.returnItems.number).toMatch(/^RTN-\d{6}$/);
    expect(await unitState(s)).toEqual({ state: 'IN_STOCK', store: 'S002' });
    const ev = await t.db.query(`select type, quantity, customer_id::text from stock_event where serial = $1 order by id desc limit 1`, [
      s,
    ]);
    expect(ev.rows[0]).toEqual({ type: 'RETURN', quantity: 1, customer_id: customer });
    // The return ended the link to the sale: it is no longer reported as sold.
    const after = await clerk.data(`query($s: String!) { serialSale(serial: $s) { state sale { number } } }`, { s });
    expect(after.serialSale[0]).toEqual({ state: 'IN_STOCK', sale: null });
  });

  it("RET-1: a return names a register of its own store; another store's register is NOT_FOUND and nothing is returned", async () => {
    const [s] = await stock('TVOLED-001', 1);
    const other = (await t.db.query(`select r.id::text from register r join store st on st.id = r.store_id where st.code = 'S002' limit 1`))
      .rows[0].id;
    const events = async () => (await t.db.query(`select count(*)::int as n from stock_event where serial = $1`, [s])).rows[0].n;
    const before = await events();
    const r = await clerk.data(RETURN, { i: { storeId: S.S001, registerId: other, lines: [{ serial: s }] } });
    expect(r.returnItems.userErrors).toMatchObject([
      { code: 'NOT_FOUND', field: 'input.registerId', message: `Register ${other} is not in this store.` },
    ]);
    expect(await events()).toBe(before);
  });

  it('RET-1: returning an unsold or already-returned serial is refused with what the system knows', async () => {
    const [s] = await stock('TVOLED-001', 1);
    const r = await clerk.data(RETURN, { i: { storeId: S.S001, lines: [{ serial: s }, { serial: 'NEVER-SEEN-Q' }] } });
    expect(r.returnItems.userErrors.map((e: any) => e.message)).toEqual([
      `Serial ${s} is in stock at S001: only a sold unit can be returned.`,
      'Serial NEVER-SEEN-Q was never received or sold here.',
    ]);
  });

  it('RET-1: an ALWAYS item, or SOMETIMES with "required when returning", cannot be returned without its serial', async () => {
    const tv = await itemOf('TVOLED-001');
    const r = await clerk.data(RETURN, { i: { storeId: S.S001, lines: [{ code: tv.upc, quantity: 1 }] } });
    expect(r.returnItems.userErrors[0]).toMatchObject({ code: 'SERIAL_REQUIRED', field: 'input.lines.0.serial' });
    const cable = (
      await t.db.query(
        `select u.upc from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id where p.level = 'NEVER' limit 1`,
      )
    ).rows[0];
    expect(
      (await clerk.data(RETURN, { i: { storeId: S.S001, lines: [{ code: cable.upc, quantity: 3 }] } })).returnItems.userErrors,
    ).toEqual([]);
  });

  it('SEC-2: selling at a store you are not assigned to is refused', async () => {
    expect(await clerk.errorCode(CREATE, { i: { storeId: S.S002 } })).toBe('STORE_OUT_OF_SCOPE');
  });
});

describe('SEC-3 bad input', () => {
  it('SEC-3: selling at a store that does not exist is NOT_FOUND for a user of every store, and no sale is saved', async () => {
    const admin = await t.as('admin');
    const before = Number((await t.db.query(`select count(*) from sale`)).rows[0].count);
    expect((await admin.request(CREATE, { i: { storeId: '999' } })).errors?.[0]).toMatchObject({
      message: 'Store 999 does not exist.',
      extensions: { code: 'NOT_FOUND', field: 'input.storeId' },
    });
    expect(Number((await t.db.query(`select count(*) from sale`)).rows[0].count)).toBe(before);
  });

  it('SEC-3: an empty code asks for the item rather than naming an empty code', async () => {
    const sale = await newSale();
    expect((await add(sale.id, { code: '' })).userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', message: "Give the item's UPC or product id." }),
    ]);
  });

  it('SEC-3: a NUL character in a customer search is BAD_USER_INPUT', async () => {
    const res = await clerk.request(`query($s: String) { customers(search: $s) { id } }`, { s: 'a\u0000b' });
    expect(res.errors?.[0]).toMatchObject({
      message: 'Text cannot contain the NUL character (\\0).',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
