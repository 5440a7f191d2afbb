import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, signIn } from '../support/browser.js';
import { invariantViolations } from '../support/invariants.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The register and returns pages through a real browser against the real server (serving
// web/dist), driven the way a scanner drives them: characters, then Enter, into the focus.

let t: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!browserAvailable()) return;
  [t, browser] = await Promise.all([startTestServer({ web: true }), launchBrowser()]);
});
afterEach(async () => {
  if (t) expect(await invariantViolations(t.db)).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000 });

async function scan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);

/** An ALWAYS unit in stock at the store, with the main UPC of its item (no serial pattern to trip over). */
async function unitInStock(storeCode: string): Promise<{ serial: string; upc: string; productId: string }> {
  const { rows } = await t.db.query(
    `select u.serial, up.upc, i.product_id as "productId"
     from serial_unit u join store s on s.id = u.store_id join item i on i.id = u.item_id
     join item_policy p on p.item_id = u.item_id join item_upc up on up.item_id = u.item_id and up.is_main
     where s.code = $1 and u.state = 'IN_STOCK' and p.level = 'ALWAYS' and p.serial_pattern is null
     order by u.serial limit 1`,
    [storeCode],
  );
  return rows[0];
}

async function registerIds(storeCode: string, registerCode: string): Promise<{ storeId: string; registerId: string }> {
  const { rows } = await t.db.query(
    `select s.id::text as "storeId", r.id::text as "registerId" from store s join register r on r.store_id = s.id where s.code = $1 and r.code = $2`,
    [storeCode, registerCode],
  );
  return rows[0];
}

async function unitState(serial: string): Promise<{ state: string; store: string | null }> {
  const { rows } = await t.db.query(
    `select u.state, s.code as store from serial_unit u left join store s on s.id = u.store_id where u.serial = $1`,
    [serial],
  );
  return rows[0];
}

describe.skipIf(!browserAvailable())('register and returns', () => {
  it('SAL-3: a sale with "add later" is refused at completion until the serial is given', async () => {
    const unit = await unitInStock('S001');
    const { storeId, registerId } = await registerIds('S001', 'R1');
    const { page, errors } = await openPage(browser);
    await signIn(page, t.url, 'clerk');

    // Given the register page at S001, register R1
    await page.getByTestId('nav-sales').click();
    await page.getByTestId('page-sales').waitFor();
    await page.getByTestId('sale-store').selectOption(storeId);
    await page.getByTestId('sale-register').selectOption(registerId);
    await poll(() => focused(page)).toBe('sale-scan-input');

    // When the clerk scans the UPC of an ALWAYS item, the page asks for its serial under the line
    await scan(page, unit.upc);
    const prompt = page.getByTestId('serial-prompt');
    await prompt.waitFor();
    expect(await prompt.innerText()).toContain(unit.productId);
    // SAL-5: "not readable" is not offered for an item that requires its serial
    expect(await page.getByTestId('not-readable').count()).toBe(0);

    // and chooses "Add later": the line is added, marked as missing its serial
    await page.getByTestId('add-later').click();
    await page.getByTestId('sale-line-1').waitFor();
    await poll(() => page.getByTestId('serial-prompt').count()).toBe(0);
    expect(await page.getByTestId('sale-line-missing-1').innerText()).toMatch(/Serial needed before completing/);
    expect(await page.getByTestId('sale-line-1').getAttribute('data-serial-status')).toBe('PENDING');
    expect(await page.getByTestId('sale-status').getAttribute('data-status')).toBe('OPEN');
    const number = await page.getByTestId('sale-number').innerText();
    expect(number).toMatch(/^SAL-\d{6}$/);

    // Then completing is refused, naming the line
    await page.getByTestId('complete-sale').click();
    await poll(() => page.getByTestId('sale-blockers').innerText()).toMatch(/Line 1 is missing its serial number/);
    expect(await page.getByTestId('sale-blockers').locator('li[data-code="SERIAL_REQUIRED"]').count()).toBe(1);
    expect(await page.getByTestId('sale-status').getAttribute('data-status')).toBe('OPEN');
    expect((await unitState(unit.serial)).state).toBe('IN_STOCK');

    // When the serial is scanned into the scan field, it fills the pending line, locked
    await poll(() => focused(page)).toBe('sale-scan-input');
    await scan(page, unit.serial);
    await poll(() => page.getByTestId('sale-line-serial-1').innerText()).toContain(unit.serial);
    expect(await page.getByTestId('sale-line-serial-1').innerText()).toMatch(/locked/);
    expect(await page.getByTestId('sale-line-missing-1').count()).toBe(0);
    expect(await page.getByTestId('sale-line-void-1').isVisible()).toBe(true);
    await poll(() => page.getByTestId('sale-blockers').getAttribute('data-count')).toBe('0');

    // Then the sale completes and the unit is sold
    await page.getByTestId('complete-sale').click();
    await poll(() => page.getByTestId('sale-status').getAttribute('data-status')).toBe('COMPLETED');
    expect(await page.getByTestId('sale-number').innerText()).toBe(number);
    expect(await page.getByTestId('sale-completed').innerText()).toContain(number);
    expect(await unitState(unit.serial)).toEqual({ state: 'SOLD', store: null });
    const sale = await t.db.query(`select status from sale where number = $1`, [number]);
    expect(sale.rows[0].status).toBe('COMPLETED');

    expect(errors).toEqual([]);
  });

  it('RET-1: a returned serial shows its original sale', async () => {
    // Given a unit sold at S001 R1 to customer C-1001
    const unit = await unitInStock('S001');
    const { storeId, registerId } = await registerIds('S001', 'R1');
    const customerId = (await t.db.query(`select id::text from customer where number = 'C-1001'`)).rows[0].id as string;
    const api = await t.as('clerk');
    const created = await api.data<{ createSale: { sale: { id: string; number: string } } }>(
      `mutation($input: CreateSaleInput!) { createSale(input: $input) { sale { id number } userErrors { message } } }`,
      { input: { storeId, registerId, customerId } },
    );
    const sale = created.createSale.sale;
    const added = await api.data<{ addSaleLine: { userErrors: unknown[] } }>(
      `mutation($input: AddSaleLineInput!) { addSaleLine(input: $input) { userErrors { message } } }`,
      { input: { saleId: sale.id, code: unit.upc, serial: unit.serial } },
    );
    expect(added.addSaleLine.userErrors).toEqual([]);
    const completed = await api.data<{ completeSale: { sale: { status: string }; userErrors: unknown[] } }>(
      `mutation($input: SaleActionInput!) { completeSale(input: $input) { sale { status } userErrors { message } } }`,
      { input: { saleId: sale.id } },
    );
    expect(completed.completeSale.userErrors).toEqual([]);
    const unsold = await unitInStock('S002');

    const { page, errors } = await openPage(browser);
    await signIn(page, t.url, 'clerk');
    await page.getByTestId('nav-sales').click();
    await page.getByTestId('tab-returns').click();
    await page.getByTestId('page-returns').waitFor();
    await page.getByTestId('sale-store').selectOption(storeId);
    await page.getByTestId('sale-register').selectOption(registerId);
    await poll(() => focused(page)).toBe('return-scan-input');

    // When a serial that was never sold is scanned, the page says where it is and takes nothing
    await scan(page, unsold.serial);
    await poll(() => page.getByTestId('return-lookup').getAttribute('data-added')).toBe('false');
    expect(await page.getByTestId('return-not-sold').innerText()).toMatch(/Not sold: in stock at S002/);
    expect(await page.getByTestId('return-empty').isVisible()).toBe(true);

    // When the sold serial is scanned, its original sale is shown for the warranty check
    await poll(() => focused(page)).toBe('return-scan-input');
    await scan(page, unit.serial);
    await poll(() => page.getByTestId('return-lookup').getAttribute('data-added')).toBe('true');
    const original = await page.getByTestId('return-lookup').getByTestId('return-original-sale').innerText();
    expect(original).toContain(sale.number);
    expect(original).toContain('S001');
    expect(original).toContain('R1');
    expect(original).toContain('C-1001 Jordan Lee');
    expect(await page.getByTestId('return-line-1').innerText()).toContain(unit.serial);

    // Then "Return to this store" takes it back into S001's stock
    await page.getByTestId('return-submit').click();
    await poll(() => page.getByTestId('return-result').innerText()).toMatch(/RTN-\d{6}/);
    expect(await unitState(unit.serial)).toEqual({ state: 'IN_STOCK', store: 'S001' });
    const events = await t.db.query(
      `select e.type, e.quantity, c.number as customer from stock_event e join serial_unit u on u.id = e.unit_id
       left join customer c on c.id = e.customer_id where u.serial = $1 order by e.id`,
      [unit.serial],
    );
    expect(events.rows.slice(-2)).toEqual([
      { type: 'SALE', quantity: -1, customer: 'C-1001' },
      { type: 'RETURN', quantity: 1, customer: 'C-1001' },
    ]);
    expect(await unitState(unsold.serial)).toEqual({ state: 'IN_STOCK', store: 'S002' });

    expect(errors).toEqual([]);
  });
});
