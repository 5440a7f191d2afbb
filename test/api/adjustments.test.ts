import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import type { ApiClient } from '../support/client.js';
import { invariantViolations } from '../support/invariants.js';

let t: TestServer;
let clerk: ApiClient; // S001
let manager: ApiClient; // S001, S002
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

const PAYLOAD = `number lines { index itemId level onHand resultingQuantity delta serialsAdded serialsRemoved quantityDelta } userErrors { code field message index } replayed`;
const PREVIEW = `query($i: AdjustmentInput!) { previewAdjustment(input: $i) { ${PAYLOAD} } }`;
const POST = `mutation($i: AdjustmentInput!) { postAdjustment(input: $i) { ${PAYLOAD} } }`;
const RTV = `mutation($i: VendorReturnInput!) { returnToVendor(input: $i) { ${PAYLOAD} } }`;
let n = 0;
const uniq = () => `AD-${Date.now().toString(36)}-${++n}`.toUpperCase();
const item = async (level: string, store = 'S001') =>
  (
    await t.db.query(
      `select i.id::text, i.product_id, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id
     where p.level = $1 and p.serial_pattern is null and exists (select 1 from stock_level l where l.item_id = i.id and l.store_id = $2 and l.quantity > 0) order by i.id limit 1`,
      [level, S[store]],
    )
  ).rows[0] as { id: string; product_id: string; upc: string };
const unitsHere = async (itemId: string, store = 'S001') =>
  (
    await t.db.query(`select serial from serial_unit where item_id = $1 and store_id = $2 and state = 'IN_STOCK' order by serial_key`, [
      itemId,
      S[store],
    ])
  ).rows.map((r) => r.serial);
const level = async (itemId: string, store = 'S001') =>
  (await t.db.query(`select coalesce((select quantity from stock_level where item_id = $1 and store_id = $2), 0) as q`, [itemId, S[store]]))
    .rows[0].q;
const adjust = (input: Record<string, unknown>, client = manager) =>
  client.data(POST, { i: { storeId: S.S001, reason: 'CORRECTION', ...input } }).then((r) => r.postAdjustment);

describe('ADJ-1 ADD', () => {
  it('ADJ-1: ADD n units of an ALWAYS item needs exactly n serials; they come in IN_STOCK', async () => {
    const it = await item('ALWAYS');
    const [a, b] = [uniq(), uniq()];
    const short = await adjust({ mode: 'ADD', lines: [{ code: it.upc, quantity: 2, serials: [a] }] }, clerk);
    expect(short.userErrors[0]).toMatchObject({ code: 'SERIAL_COUNT_MISMATCH', field: 'input.lines.0.serials', index: 0 });
    const before = await level(it.id);
    const ok = await adjust({ mode: 'ADD', reason: 'FOUND', lines: [{ code: it.upc, quantity: 2, serials: [a, b] }] }, clerk);
    expect(ok.userErrors).toEqual([]);
    expect(ok.number).toMatch(/^ADJ-\d{6}$/);
    expect(ok.lines[0]).toMatchObject({ delta: 2, serialsAdded: [a, b], resultingQuantity: before + 2 });
    expect(await level(it.id)).toBe(before + 2);
    const ev = await t.db.query(`select type, reason from stock_event where serial = $1`, [a]);
    expect(ev.rows).toEqual([{ type: 'ADJUSTMENT', reason: 'FOUND' }]);
  });

  it('ADJ-1: ADD of a serial in stock at another store is refused (transfer it); SOMETIMES takes up to n serials; NEVER none', async () => {
    const it = await item('ALWAYS', 'S002');
    const [elsewhere] = await unitsHere(it.id, 'S002');
    const r = await adjust({ mode: 'ADD', lines: [{ code: it.upc, quantity: 1, serials: [elsewhere] }] });
    expect(r.userErrors[0].message).toMatch(/in stock at S002, not here: transfer it instead/);
    const some = await item('SOMETIMES');
    const s = await adjust({ mode: 'ADD', lines: [{ code: some.upc, quantity: 3, serials: [uniq()] }] });
    expect(s.lines[0]).toMatchObject({ delta: 3, quantityDelta: 2, serialsAdded: [expect.any(String)] });
    const never = await item('NEVER');
    expect((await adjust({ mode: 'ADD', lines: [{ code: never.upc, quantity: 1, serials: ['X'] }] })).userErrors[0].code).toBe(
      'SERIALS_NOT_ALLOWED',
    );
    expect((await adjust({ mode: 'ADD', lines: [{ code: never.upc, quantity: 4 }] })).lines[0]).toMatchObject({
      delta: 4,
      quantityDelta: 4,
    });
  });
});

describe('ADJ-1 SUBTRACT', () => {
  it('ADJ-1: SUBTRACT names units IN_STOCK at the store; a serial at another store is refused and nothing is applied', async () => {
    const it = await item('ALWAYS');
    const [here] = await unitsHere(it.id);
    const other = (
      await t.db.query(
        `select i.id::text, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id
       where p.level = 'ALWAYS' and i.id <> $1 and exists (select 1 from serial_unit x where x.item_id = i.id and x.store_id = $2 and x.state = 'IN_STOCK') limit 1`,
        [it.id, S.S002],
      )
    ).rows[0];
    const [there] = await unitsHere(other.id, 'S002');
    const before = await level(it.id);
    const bad = await adjust({
      mode: 'SUBTRACT',
      reason: 'DAMAGED',
      lines: [
        { code: it.upc, quantity: 1, serials: [here] },
        { code: other.upc, quantity: 1, serials: [there] },
      ],
    });
    expect(bad.userErrors).toEqual([expect.objectContaining({ code: 'NOT_IN_STOCK_HERE', index: 1 })]);
    expect(bad.userErrors[0].message).toMatch(/in stock at S002, not here/);
    expect(await level(it.id)).toBe(before);
    const ok = await adjust({ mode: 'SUBTRACT', reason: 'DAMAGED', lines: [{ code: it.upc, quantity: 1, serials: [here] }] });
    expect(ok.userErrors).toEqual([]);
    expect((await t.db.query(`select state from serial_unit where item_id = $1 and serial = $2`, [it.id, here])).rows[0].state).toBe(
      'REMOVED',
    );
  });

  it('ADJ-1: SUBTRACT of a NEVER item below zero is refused', async () => {
    const never = await item('NEVER');
    const q = await level(never.id);
    expect((await adjust({ mode: 'SUBTRACT', lines: [{ code: never.upc, quantity: q + 1 }] })).userErrors[0].code).toBe(
      'INSUFFICIENT_STOCK',
    );
    expect((await adjust({ mode: 'SUBTRACT', lines: [{ code: never.upc, quantity: 1 }] })).userErrors).toEqual([]);
    expect(await level(never.id)).toBe(q - 1);
  });
});

describe('ADJ-1 FINAL QUANTITY', () => {
  it('ADJ-1: FINAL QUANTITY previews which units are removed and added, and posting applies exactly that', async () => {
    const it = await item('ALWAYS');
    const current = await unitsHere(it.id);
    expect(current.length).toBeGreaterThanOrEqual(2);
    const keep = current.slice(1);
    const fresh = uniq();
    const input = {
      storeId: S.S001,
      mode: 'FINAL_QUANTITY',
      reason: 'CORRECTION',
      lines: [{ code: it.upc, quantity: keep.length + 1, serials: [...keep, fresh] }],
    };
    const preview = (await manager.data(PREVIEW, { i: input })).previewAdjustment;
    expect(preview.userErrors).toEqual([]);
    expect(preview.lines[0]).toMatchObject({
      serialsRemoved: [current[0]],
      serialsAdded: [fresh],
      delta: 0,
      resultingQuantity: current.length,
    });
    expect(await unitsHere(it.id)).toEqual(current); // the preview changed nothing
    const posted = await adjust(input);
    expect(posted.userErrors).toEqual([]);
    expect((await unitsHere(it.id)).sort()).toEqual([...keep, fresh].sort());
  });

  it('ADJ-1: FINAL QUANTITY listing a unit in stock elsewhere is refused with "transfer it"', async () => {
    const it = await item('ALWAYS');
    const other = await t.db.query(
      `select serial from serial_unit u join store s on s.id = u.store_id where u.item_id = $1 and s.code <> 'S001' and u.state = 'IN_STOCK' limit 1`,
      [it.id],
    );
    const current = await unitsHere(it.id);
    if (!other.rows[0]) {
      // Put one of this item's units at S002 first, through the engine.
      const s = uniq();
      await manager.data(POST, {
        i: { storeId: S.S002, mode: 'ADD', reason: 'FOUND', lines: [{ code: it.upc, quantity: 1, serials: [s] }] },
      });
      other.rows.push({ serial: s });
    }
    const r = await adjust({
      mode: 'FINAL_QUANTITY',
      lines: [{ code: it.upc, quantity: current.length + 1, serials: [...current, other.rows[0].serial] }],
    });
    expect(r.userErrors[0]).toMatchObject({ code: 'IN_STOCK_ELSEWHERE' });
    expect(r.userErrors[0].message).toMatch(/: transfer it\.$/);
  });

  it('ADJ-1: FINAL QUANTITY sets a NEVER item to the counted quantity', async () => {
    const never = await item('NEVER');
    const r = await adjust({ mode: 'FINAL_QUANTITY', lines: [{ code: never.upc, quantity: 42 }] });
    expect(r.userErrors).toEqual([]);
    expect(await level(never.id)).toBe(42);
  });

  it('ADJ-1: a clerk may not post a final-quantity adjustment or a write-off', async () => {
    const never = await item('NEVER');
    expect(
      await clerk.errorCode(POST, {
        i: { storeId: S.S001, mode: 'FINAL_QUANTITY', reason: 'CORRECTION', lines: [{ code: never.upc, quantity: 1 }] },
      }),
    ).toBe('FORBIDDEN');
    expect(
      await clerk.errorCode(POST, {
        i: { storeId: S.S001, mode: 'SUBTRACT', reason: 'WRITE_OFF', lines: [{ code: never.upc, quantity: 1 }] },
      }),
    ).toBe('FORBIDDEN');
  });
});

describe('RTV-1 returns to vendor', () => {
  it('RTV-1: units IN_STOCK here go RETURNED_TO_VENDOR under an RMA, and the return exports like a receipt', async () => {
    const it = await item('ALWAYS');
    const [s] = await unitsHere(it.id);
    const vendor = (await t.db.query(`select id::text from vendor where code = 'NWE'`)).rows[0].id;
    const r = (
      await clerk.data(RTV, {
        i: { storeId: S.S001, vendorId: vendor, rma: 'RMA-777', lines: [{ code: it.upc, quantity: 1, serials: [s] }] },
      })
    ).returnToVendor;
    expect(r.userErrors).toEqual([]);
    expect(r.number).toMatch(/^RTV-\d{6}$/);
    expect((await t.db.query(`select state from serial_unit where item_id = $1 and serial = $2`, [it.id, s])).rows[0].state).toBe(
      'RETURNED_TO_VENDOR',
    );
    const id = (await t.db.query(`select id from vendor_return where number = $1`, [r.number])).rows[0].id;
    const csv = (
      await (await fetch(`${t.url}/export/vendor-returns/${id}.csv`, { headers: { authorization: `Bearer ${clerk.token}` } })).text()
    ).replace(/^\uFEFF/, '');
    expect(csv.split(/\r?\n/)[0]).toBe('number,rma,vendor,store,returned_at,product_id,upc,name,quantity,serials');
    expect(csv).toContain(`,${it.product_id},${it.upc},`);
    expect(csv.trim().endsWith(`,1,${s}`)).toBe(true);
  });

  it('RTV-1: a sold unit cannot be returned to the vendor', async () => {
    const it = await item('ALWAYS');
    const [s] = await unitsHere(it.id);
    const sale = await clerk.data(`mutation($i: CreateSaleInput!) { createSale(input: $i) { sale { id } } }`, { i: { storeId: S.S001 } });
    await clerk.data(`mutation($i: AddSaleLineInput!) { addSaleLine(input: $i) { userErrors { code } } }`, {
      i: { saleId: sale.createSale.sale.id, code: it.upc, serial: s },
    });
    await clerk.data(`mutation($i: SaleActionInput!) { completeSale(input: $i) { userErrors { code } } }`, {
      i: { saleId: sale.createSale.sale.id },
    });
    const vendor = (await t.db.query(`select id::text from vendor limit 1`)).rows[0].id;
    const r = (
      await clerk.data(RTV, {
        i: { storeId: S.S001, vendorId: vendor, rma: 'RMA-1', lines: [{ code: it.upc, quantity: 1, serials: [s] }] },
      })
    ).returnToVendor;
    expect(r.userErrors[0]).toMatchObject({ code: 'NOT_IN_STOCK_HERE' });
    expect(r.userErrors[0].message).toMatch(/is sold/);
  });
});

describe('SEC-3 bad input', () => {
  const count = async (table: string) => Number((await t.db.query(`select count(*) from ${table}`)).rows[0].count);

  it('SEC-3: a NUL character in an RMA is BAD_USER_INPUT, and nothing is returned or saved', async () => {
    const it = await item('ALWAYS');
    const [s] = await unitsHere(it.id);
    const vendor = (await t.db.query(`select id::text from vendor where code = 'NWE'`)).rows[0].id;
    const [returns, events] = [await count('vendor_return'), await count('stock_event')];
    const res = await clerk.request(RTV, {
      i: { storeId: S.S001, vendorId: vendor, rma: 'RMA\u00001', lines: [{ code: it.upc, quantity: 1, serials: [s] }] },
    });
    expect(res.errors?.[0]).toMatchObject({
      message: 'Text cannot contain the NUL character (\\0).',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect([await count('vendor_return'), await count('stock_event')]).toEqual([returns, events]);
    expect(await unitsHere(it.id)).toContain(s);
  });

  it('SEC-3: an RMA over 100 characters is TOO_LONG, and nothing is returned or saved', async () => {
    const it = await item('ALWAYS');
    const [s] = await unitsHere(it.id);
    const vendor = (await t.db.query(`select id::text from vendor where code = 'NWE'`)).rows[0].id;
    const [returns, events] = [await count('vendor_return'), await count('stock_event')];
    const res = await clerk.data(RTV, {
      i: { storeId: S.S001, vendorId: vendor, rma: 'R'.repeat(101), lines: [{ code: it.upc, quantity: 1, serials: [s] }] },
    });
    expect(res.returnToVendor.userErrors).toMatchObject([{ code: 'TOO_LONG', field: 'input.rma' }]);
    expect([await count('vendor_return'), await count('stock_event')]).toEqual([returns, events]);
  });

  it('SEC-3: adjusting at a store that does not exist is NOT_FOUND for a user of every store, and nothing is saved', async () => {
    const admin = await t.as('admin');
    const it = await item('NEVER');
    const before = await count('adjustment');
    const res = await admin.request(POST, { i: { storeId: '999', reason: 'FOUND', mode: 'ADD', lines: [{ code: it.upc, quantity: 1 }] } });
    expect(res.errors?.[0]).toMatchObject({
      message: 'Store 999 does not exist.',
      extensions: { code: 'NOT_FOUND', field: 'input.storeId' },
    });
    expect(await count('adjustment')).toBe(before);
  });

  it('SEC-3: a line with a blank code asks for the item rather than naming an empty code', async () => {
    const r = await adjust({ mode: 'ADD', reason: 'FOUND', lines: [{ code: '  ', quantity: 1 }] });
    expect(r.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', message: "Give the item's UPC or product id.", index: 0 });
  });

  it('SEC-3: a return file URL with an id beyond the range of ids answers JSON, not an HTML error page', async () => {
    const res = await fetch(`${t.url}/export/vendor-returns/99999999999999999999.csv`, {
      headers: { authorization: `Bearer ${clerk.token}` },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await res.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
