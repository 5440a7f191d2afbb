import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, signIn } from '../support/browser.js';
import { invariantViolations } from '../support/invariants.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Adjustments and returns to vendor through a real browser against the real server (serving
// web/dist), lines entered the way a scanner enters them: characters, then Enter, into
// whatever has the focus.

let t: TestServer;
let browser: Browser;
let S: Record<string, string>;

beforeAll(async () => {
  if (!browserAvailable()) return;
  [t, browser] = await Promise.all([startTestServer({ web: true }), launchBrowser()]);
  S = Object.fromEntries((await t.db.query(`select code, id::text from store`)).rows.map((r) => [r.code, r.id]));
});
afterEach(async () => {
  if (t) expect(await invariantViolations(t.db)).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000 });
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);
let serialNo = 0;
const newSerial = () => `E2E-ADJ-${Date.now().toString(36).toUpperCase()}-${++serialNo}`;

/** An always-serialized item without a serial format, with at least `min` units in stock at `store`, and those units. */
async function alwaysItemWithUnits(store: string, min: number, notItem?: string) {
  const item = (
    await t.db.query(
      `select i.id::text, i.product_id, u.upc from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id
       where p.level = 'ALWAYS' and p.serial_pattern is null and i.id::text <> coalesce($3, '')
         and (select count(*) from serial_unit x where x.item_id = i.id and x.store_id = $1 and x.state = 'IN_STOCK') >= $2
       order by i.id limit 1`,
      [S[store], min, notItem ?? null],
    )
  ).rows[0] as { id: string; product_id: string; upc: string };
  const serials = (
    await t.db.query(`select serial from serial_unit where item_id = $1 and store_id = $2 and state = 'IN_STOCK' order by serial_key`, [
      item.id,
      S[store],
    ])
  ).rows.map((r) => r.serial as string);
  return { ...item, serials };
}

const unitState = async (itemId: string, serial: string) =>
  (
    await t.db.query(
      `select u.state, s.code as store from serial_unit u left join store s on s.id = u.store_id where u.item_id = $1 and u.serial_key = serial_key_of($2)`,
      [itemId, serial],
    )
  ).rows[0] as { state: string; store: string | null };

/** What a scanner does: the code into the focused element, then Enter; waits for its answer. */
async function scan(page: Page, testid: string, code: string): Promise<void> {
  const answers = page.getByTestId(testid.replace('-scan-input', '-answer'));
  const before = await answers.count();
  await poll(() => focused(page)).toBe(testid);
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await poll(() => answers.count()).toBe(before + 1);
}

const newestOutcome = (page: Page, testid: string) => page.getByTestId(testid).first().getAttribute('data-outcome');
const chips = (page: Page, testid: string) => page.getByTestId(testid).locator('li').allInnerTexts();

describe.skipIf(!browserAvailable())('adjustments console', () => {
  it('ADJ-1: a manager previews and posts a final-quantity adjustment', async () => {
    const item = await alwaysItemWithUnits('S001', 2);
    const [first, ...kept] = item.serials;
    const fresh = newSerial();

    const { page, errors } = await openPage(browser);
    await signIn(page, t.url, 'manager');
    await page.getByTestId('nav-adjustments').click();
    await page.getByTestId('page-adjustments').waitFor();

    // Given store S001 and the final-quantity mode
    await page.getByTestId('adjustment-store').selectOption(S.S001!);
    await page.getByTestId('adjustment-mode').selectOption('FINAL_QUANTITY');
    await page.getByTestId('adjustment-reason').selectOption('CORRECTION');
    // A click elsewhere gives the scanner's field its focus back
    await page.getByRole('heading', { name: 'Lines' }).click();

    // When the manager scans the item's barcode, then every unit on hand but the first, plus a new one
    await scan(page, 'adjustment-scan-input', item.upc);
    expect(await newestOutcome(page, 'adjustment-answer')).toBe('ITEM_SELECTED');
    for (const serial of [...kept, fresh]) {
      await scan(page, 'adjustment-scan-input', serial);
      expect(await newestOutcome(page, 'adjustment-answer')).toBe('ACCEPTED');
    }
    // A unit scanned twice is answered as a duplicate and listed once
    await scan(page, 'adjustment-scan-input', fresh.toLowerCase());
    expect(await newestOutcome(page, 'adjustment-answer')).toBe('DUPLICATE');
    expect(await page.getByTestId('adjustment-line-1').getAttribute('data-item-id')).toBe(item.id);
    expect(await page.getByTestId('adjustment-line-quantity-1').innerText()).toBe(String(kept.length + 1));
    expect(await page.getByTestId('adjustment-line-2').count()).toBe(0);

    // Post waits for a preview
    expect(await page.getByTestId('post-adjustment').isDisabled()).toBe(true);

    // Then the preview shows the first unit leaving and the new one coming in, on hand unchanged
    await page.getByTestId('preview-adjustment').click();
    const preview = page.getByTestId('adjustment-preview');
    await preview.waitFor();
    expect(await preview.getAttribute('data-errors')).toBe('0');
    expect(await chips(page, 'preview-removed-1')).toEqual([first]);
    expect(await chips(page, 'preview-added-1')).toEqual([fresh]);
    expect(await page.getByTestId('preview-delta-1').getAttribute('data-delta')).toBe('0');
    expect(await page.getByTestId('adjustment-errors').count()).toBe(0);
    // The preview changed nothing yet
    expect(await unitState(item.id, first!)).toEqual({ state: 'IN_STOCK', store: 'S001' });

    // and after a clean preview, Post posts it
    await poll(() => page.getByTestId('post-adjustment').isEnabled()).toBe(true);
    await page.getByTestId('post-adjustment').click();
    await poll(() => page.getByTestId('adjustment-number').count()).toBe(1);
    expect(await page.getByTestId('adjustment-number').innerText()).toMatch(/^ADJ-\d{6}$/);

    // The first unit is removed, the new one is in stock at S001, the others stayed
    expect(await unitState(item.id, first!)).toEqual({ state: 'REMOVED', store: null });
    expect(await unitState(item.id, fresh)).toEqual({ state: 'IN_STOCK', store: 'S001' });
    for (const serial of kept) expect(await unitState(item.id, serial)).toEqual({ state: 'IN_STOCK', store: 'S001' });
    const number = await page.getByTestId('adjustment-number').innerText();
    const events = await t.db.query(
      `select e.serial, e.quantity, e.type, e.reason from stock_event e where e.document_number = $1 order by e.quantity`,
      [number],
    );
    expect(events.rows).toEqual([
      { serial: first, quantity: -1, type: 'ADJUSTMENT', reason: 'CORRECTION' },
      { serial: fresh, quantity: 1, type: 'ADJUSTMENT', reason: 'CORRECTION' },
    ]);
    expect(errors).toEqual([]);
  });

  it('ADJ-1: a unit in stock at another store is refused under its line, and a changed line needs a new preview', async () => {
    const here = await alwaysItemWithUnits('S001', 1);
    const there = await alwaysItemWithUnits('S002', 1);
    const { page, errors } = await openPage(browser);
    await signIn(page, t.url, 'manager');
    await page.goto(`${t.url}/adjustments`);
    await page.getByTestId('page-adjustments').waitFor();
    await page.getByTestId('adjustment-store').selectOption(S.S001!);
    await page.getByTestId('adjustment-mode').selectOption('FINAL_QUANTITY');
    await page.getByRole('heading', { name: 'Lines' }).click();

    // Given line 1 listing S001's units and line 2 listing a unit that is in stock at S002
    await scan(page, 'adjustment-scan-input', here.upc);
    for (const serial of here.serials) await scan(page, 'adjustment-scan-input', serial);
    await scan(page, 'adjustment-scan-input', there.upc);
    await scan(page, 'adjustment-scan-input', there.serials[0]!);

    // When previewed, the error is under line 2 and Post stays disabled
    await page.getByTestId('preview-adjustment').click();
    await page.getByTestId('adjustment-errors').waitFor();
    expect(await page.getByTestId('preview-errors-2').innerText()).toMatch(/in stock at S002: transfer it/);
    expect(await page.getByTestId('preview-errors-1').count()).toBe(0);
    expect(await page.getByTestId('post-adjustment').isDisabled()).toBe(true);

    // Then removing line 2 and previewing again opens Post; an edit after it closes Post again
    await page.getByTestId('adjustment-line-2').getByRole('button', { name: 'Remove line' }).click();
    expect(await page.getByTestId('adjustment-preview').getAttribute('data-stale')).toBe('true');
    await page.getByTestId('preview-adjustment').click();
    await poll(() => page.getByTestId('adjustment-preview').getAttribute('data-stale')).toBe('false');
    await poll(() => page.getByTestId('post-adjustment').isEnabled()).toBe(true);
    await page
      .getByTestId('adjustment-line-1')
      .getByRole('button', { name: `Remove ${here.serials[0]}` })
      .click();
    await poll(() => page.getByTestId('post-adjustment').isDisabled()).toBe(true);
    expect(await page.getByTestId('adjustment-preview').getAttribute('data-stale')).toBe('true');

    // Nothing was posted
    expect(await unitState(there.id, there.serials[0]!)).toEqual({ state: 'IN_STOCK', store: 'S002' });
    expect(await unitState(here.id, here.serials[0]!)).toEqual({ state: 'IN_STOCK', store: 'S001' });
    expect(errors).toEqual([]);
  });

  it('RTV-1: a manager returns a unit to its vendor under an RMA and gets the number and the file', async () => {
    const item = await alwaysItemWithUnits('S001', 1);
    const serial = item.serials[0]!;
    const vendor = (await t.db.query(`select id::text from vendor where active order by code limit 1`)).rows[0].id as string;
    const { page, errors } = await openPage(browser);
    await signIn(page, t.url, 'manager');
    await page.getByTestId('nav-adjustments').click();
    await page.getByTestId('nav-vendor-return').click();
    await page.getByTestId('page-vendor-return').waitFor();

    await page.getByTestId('rtv-store').selectOption(S.S001!);
    await page.getByTestId('rtv-vendor').selectOption(vendor);
    await page.getByTestId('rtv-rma').fill('RMA-E2E-1');
    await page.getByRole('heading', { name: 'Lines' }).click();
    await scan(page, 'rtv-scan-input', item.upc);
    await scan(page, 'rtv-scan-input', serial);
    expect(await newestOutcome(page, 'rtv-answer')).toBe('ACCEPTED');

    await page.getByTestId('post-rtv').click();
    await poll(() => page.getByTestId('rtv-number').count()).toBe(1);
    const number = await page.getByTestId('rtv-number').innerText();
    expect(number).toMatch(/^RTV-\d{6}$/);
    expect(await unitState(item.id, serial)).toEqual({ state: 'RETURNED_TO_VENDOR', store: null });

    // The file is linked once the posting's ledger events name the document
    await page.getByTestId('rtv-export').waitFor();
    const id = (await t.db.query(`select id::text from vendor_return where number = $1`, [number])).rows[0].id;
    const href = await page.getByTestId('rtv-export').getAttribute('href');
    expect(href).toBe(`/export/vendor-returns/${id}.csv`);
    const csv = await (await page.request.get(`${t.url}${href}`)).text();
    expect(csv).toContain('RMA-E2E-1');
    expect(csv).toContain(serial);
    expect(errors).toEqual([]);
  });
});
