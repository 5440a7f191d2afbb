import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, signIn } from '../support/browser.js';
import { invariantViolations } from '../support/invariants.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The receiving console through a real browser against the real server (serving web/dist),
// driven the way a scanner drives it: characters, then Enter or Tab, into whatever has focus.

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

/** Records the frequency of every tone the page plays, to tell the accepted cue from the refused one. */
function recordCues(): void {
  const cues: number[] = [];
  (window as unknown as { __cues: number[] }).__cues = cues;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (this: OscillatorNode, ...args: Parameters<OscillatorNode['start']>) {
    cues.push(this.frequency.value);
    return start.apply(this, args);
  };
}

/** Waits for a value; generous, since a lost scan is retried after a second. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000 });

/** What a scanner does: type the code into the focused element, then Enter or Tab. */
async function scan(page: Page, code: string, end: 'Enter' | 'Tab' = 'Enter'): Promise<void> {
  await page.keyboard.type(code);
  await page.keyboard.press(end);
}

const answers = (page: Page) => page.getByTestId('scan-answer');
const newestOutcome = (page: Page) => answers(page).first().getAttribute('data-outcome');
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);
const progress = (page: Page, lineNo: number) => page.getByTestId(`line-progress-${lineNo}`).innerText();
const cues = (page: Page) => page.evaluate(() => (window as unknown as { __cues: number[] }).__cues.slice());

/** Waits for the n-th answer and checks it, and that the scan field has the focus again. */
async function expectAnswer(page: Page, count: number, outcome: string): Promise<void> {
  await poll(() => answers(page).count()).toBe(count);
  expect(await newestOutcome(page)).toBe(outcome);
  await poll(() => focused(page)).toBe('scan-input');
}

describe.skipIf(!browserAvailable())('receiving console', () => {
  it('RCV-1: a clerk receives an ASN by scanning, sees a duplicate refused, and posts', async () => {
    const { rows } = await t.db.query(`select id::text, number from receipt where asn_reference = 'ASN-DEMO-1001'`);
    const asn = rows[0] as { id: string; number: string };
    const cableUpc = (
      await t.db.query(`select u.upc from item_upc u join item i on i.id = u.item_id where i.product_id = 'AUDCBL-002' and u.is_main`)
    ).rows[0].upc as string;

    const { page, errors } = await openPage(browser);
    await page.addInitScript(recordCues);
    await signIn(page, t.url, 'clerk');

    // Given the open ASN in the clerk's receipt list
    await page.getByTestId('nav-receiving').click();
    await page.getByTestId('receipt-list').waitFor();
    await page.getByTestId('receipt-search').fill('ASN-DEMO-1001');
    await poll(() => page.getByTestId('receipt-list').locator('tbody tr').count()).toBe(1);
    await page.getByTestId(`receipt-row-${asn.number}`).getByRole('link', { name: asn.number }).click();
    await page.waitForURL(`**/receiving/${asn.id}`);
    await page.getByTestId('scan-input').waitFor();
    expect(await page.getByTestId('receipt-status').getAttribute('data-status')).toBe('OPEN');
    expect(await progress(page, 1)).toBe('0 of 3');
    // The scan field has the focus from the start: the scanner needs nothing else.
    await poll(() => focused(page)).toBe('scan-input');

    // When the clerk scans a preregistered serial, it finds its line by itself (RCV-1)
    await scan(page, 'OLED55-A0001');
    await expectAnswer(page, 1, 'ACCEPTED');
    expect(await answers(page).first().innerText()).toMatch(/1 of 3/);
    await poll(() => progress(page, 1)).toBe('1 of 3');
    expect(await page.getByTestId('current-item').innerText()).toMatch(/TVOLED-002/);
    await poll(() => cues(page)).toEqual([1318]);

    // and the same serial again is refused as a duplicate, with a different sound (DOC-3)
    await scan(page, 'OLED55-A0001');
    await expectAnswer(page, 2, 'DUPLICATE');
    expect(await answers(page).first().innerText()).toMatch(/already on this receipt/);
    expect(await answers(page).first().getAttribute('class')).toMatch(/answer--refused/);
    expect(await progress(page, 1)).toBe('1 of 3');
    await poll(async () => (await cues(page)).slice(1)).toEqual([330, 220]);

    // Tab ends a scan too, and leaves the focus where it is (SER-2)
    await scan(page, 'OLED55-A0002', 'Tab');
    await expectAnswer(page, 3, 'ACCEPTED');
    await scan(page, 'OLED55-A0003', 'Tab');
    await expectAnswer(page, 4, 'ACCEPTED');
    await poll(() => progress(page, 1)).toBe('3 of 3');

    // A click elsewhere on the page gives the focus back to the scan field
    await page.getByRole('heading', { name: 'Lines' }).click();
    await poll(() => focused(page)).toBe('scan-input');

    // The never-serialized cables are counted by scanning their UPC, ten times in a burst
    for (let i = 0; i < 10; i++) await scan(page, cableUpc);
    await poll(() => answers(page).count()).toBe(14);
    expect(await answers(page).evaluateAll((rows) => rows.slice(0, 10).map((row) => row.getAttribute('data-outcome')))).toEqual(
      Array(10).fill('ITEM_COUNTED'),
    );
    await poll(() => progress(page, 2)).toBe('10 of 10');
    await poll(() => focused(page)).toBe('scan-input');
    expect(await page.getByTestId('current-item').innerText()).toMatch(/AUDCBL-002/);

    // Then nothing blocks posting, and the clerk posts
    await poll(() => page.getByTestId('post-blockers').getAttribute('data-count')).toBe('0');
    expect(await page.getByTestId('post-blockers').locator('li').count()).toBe(0);
    expect(await page.getByTestId('variance-summary').innerText()).toMatch(/Every line matches/);
    await page.getByTestId('post-receipt').click();
    await poll(() => page.getByTestId('receipt-status').getAttribute('data-status')).toBe('POSTED');
    expect(await page.getByTestId('scan-input').count()).toBe(0);

    // The three TVs are in stock at S001
    const units = await t.db.query(
      `select u.serial, u.state, s.code as store from serial_unit u join item i on i.id = u.item_id left join store s on s.id = u.store_id
       where i.product_id = 'TVOLED-002' and u.serial_key = any($1::text[]) order by u.serial`,
      [['OLED55-A0001', 'OLED55-A0002', 'OLED55-A0003']],
    );
    expect(units.rows).toEqual(
      ['OLED55-A0001', 'OLED55-A0002', 'OLED55-A0003'].map((serial) => ({ serial, state: 'IN_STOCK', store: 'S001' })),
    );

    // RCV-4: the export link gives the event file, the serials of a line joined with "|"
    const href = await page.getByTestId('export-csv').getAttribute('href');
    expect(href).toBe(`/export/receipts/${asn.id}.csv`);
    const csv = await (await page.request.get(`${t.url}${href}`)).text();
    expect(csv).toContain('OLED55-A0001|OLED55-A0002|OLED55-A0003');
    expect(csv).toContain('AUDCBL-002');

    expect(errors).toEqual([]);
  });

  it('SER-2 / RCV-3: a new ASN waits for its units, a pasted list answers entry by entry, and a serial can be removed', async () => {
    const tvUpc = (
      await t.db.query(`select u.upc from item_upc u join item i on i.id = u.item_id where i.product_id = 'TVOLED-001' and u.is_main`)
    ).rows[0].upc as string;
    const { page, errors } = await openPage(browser);
    await signIn(page, t.url, 'clerk');

    // Given a new ASN for two TVs, made in the console by scanning the TV's UPC
    await page.goto(`${t.url}/receiving`);
    await page.getByTestId('new-receipt').click();
    await page.getByTestId('new-receipt-reference').fill('ASN-E2E-PASTE');
    await page.getByTestId('new-line-code').click();
    await scan(page, tvUpc, 'Tab');
    await poll(() => focused(page)).toBe('new-line-quantity');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('new-receipt-lines').locator('tbody tr').count()).toBe(1);
    await page.getByTestId('new-receipt-submit').click();
    await page.waitForURL(/\/receiving\/\d+$/);
    await page.getByTestId('scan-input').waitFor();
    expect(await progress(page, 1)).toBe('0 of 2');

    // Posting waits: nothing has been received yet
    await poll(() => page.getByTestId('post-blockers').getAttribute('data-count')).toBe('1');
    expect(await page.getByTestId('post-blockers').innerText()).toMatch(/Nothing has been received/);
    expect(await page.getByTestId('post-receipt').isDisabled()).toBe(true);

    // When the clerk picks the line and pastes a list with a repeat and the product barcode in it
    await page.getByTestId('line-select-1').click();
    await poll(() => page.getByTestId('current-item').innerText()).toMatch(/TVOLED-001/);
    await page.getByTestId('paste-input').fill(`E2E-P-1\nE2E-P-1; ${tvUpc},  E2E-P-2\t`);
    await page.getByTestId('paste-submit').click();

    // Then each entry has its own answer, and the refused ones stay in the box
    const summary = page.getByTestId('paste-summary');
    await poll(() => summary.innerText()).toMatch(/2 of 4 entries registered/);
    expect(await summary.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome')))).toEqual([
      'DUPLICATE',
      'LOOKS_LIKE_UPC',
    ]);
    expect(await page.getByTestId('paste-input').inputValue()).toBe(`E2E-P-1\n${tvUpc}`);
    await poll(() => progress(page, 1)).toBe('2 of 2');
    await poll(() => page.getByTestId('post-blockers').getAttribute('data-count')).toBe('0');

    // And a serial removed with its × counts down again (DOC-3)
    await page
      .getByTestId('line-1')
      .getByRole('button', { name: /Serials/ })
      .click();
    await page.getByRole('button', { name: 'Remove serial E2E-P-2' }).click();
    await poll(() => progress(page, 1)).toBe('1 of 2');
    await poll(() => page.getByRole('button', { name: 'Remove serial E2E-P-2' }).count()).toBe(0);
    expect(await page.getByTestId('variance-summary').innerText()).toMatch(/1 of 2 received/);
    await poll(() => focused(page)).toBe('scan-input');
    expect(errors).toEqual([]);
  });

  it('DOC-1: a scan whose answer is lost is sent again with the same client key and registered once', async () => {
    // Given a blind receipt with the TV chosen as the current item
    const api = await t.as('clerk');
    const store = (await t.db.query(`select id::text from store where code = 'S001'`)).rows[0].id as string;
    const { createReceipt } = await api.data(
      `mutation($input: CreateReceiptInput!) { createReceipt(input: $input) { receipt { id } userErrors { message } } }`,
      { input: { storeId: store, kind: 'BLIND' } },
    );
    const tvUpc = (
      await t.db.query(`select u.upc from item_upc u join item i on i.id = u.item_id where i.product_id = 'TVOLED-001' and u.is_main`)
    ).rows[0].upc as string;
    const { page, errors } = await openPage(browser);
    await signIn(page, t.url, 'clerk');
    await page.goto(`${t.url}/receiving/${createReceipt.receipt.id}`);
    await page.getByTestId('scan-input').waitFor();
    await poll(() => focused(page)).toBe('scan-input');
    await scan(page, tvUpc);
    await expectAnswer(page, 1, 'ITEM_SELECTED');

    // When the server registers the next scan but its answer never reaches the console
    const keys: string[] = [];
    await page.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON() as { operationName?: string; variables?: { input?: { clientKey?: string } } };
      if (body.operationName !== 'ScanReceipt') return route.continue();
      keys.push(body.variables?.input?.clientKey ?? '');
      if (keys.length > 1) return route.continue();
      await route.fetch();
      return route.abort('failed');
    });
    await scan(page, 'E2E-LOST-1');
    // the console says the scan is kept and will be sent again
    await poll(() => page.getByTestId('scan-offline').count()).toBe(1);

    // Then the console sends it again with the same key, and the answer is the first one: accepted, not a duplicate
    await expectAnswer(page, 2, 'ACCEPTED');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    await poll(() => progress(page, 1)).toBe('1 scanned');
    const scans = await t.db.query(`select count(*)::int as n from receipt_scan where receipt_id = $1`, [createReceipt.receipt.id]);
    expect(scans.rows[0].n).toBe(1);
    expect(await page.getByTestId('scan-offline').count()).toBe(0);
    // The browser logs the failed request itself; nothing else went wrong.
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  it("DOC-2: two clerks scanning into one receipt see each other's scans live", async () => {
    // Given a blind receipt at S001, open in two browsers: the clerk's and the manager's
    const m = await t.as('manager');
    const store = (await t.db.query(`select id::text from store where code = 'S001'`)).rows[0].id as string;
    const { createReceipt } = await m.data(
      `mutation($input: CreateReceiptInput!) { createReceipt(input: $input) { receipt { id } userErrors { message } } }`,
      { input: { storeId: store, kind: 'BLIND' } },
    );
    const receiptId = createReceipt.receipt.id as string;
    const tvUpc = (
      await t.db.query(
        `select u.upc from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id
         where p.level = 'ALWAYS' and p.serial_pattern is null and i.product_id like 'TV%' order by i.product_id limit 1`,
      )
    ).rows[0].upc as string;
    const stamp = Date.now().toString(36).toUpperCase();

    const clerk = await openPage(browser);
    const manager = await openPage(browser);
    await signIn(clerk.page, t.url, 'clerk');
    await signIn(manager.page, t.url, 'manager');
    for (const { page } of [clerk, manager]) {
      await page.goto(`${t.url}/receiving/${receiptId}`);
      await page.getByTestId('scan-input').waitFor();
      await poll(() => focused(page)).toBe('scan-input');
      await poll(() => page.getByTestId('receipt-live-state').getAttribute('data-state')).toBe('live');
    }
    // A mark that a reload of the clerk's page would wipe out
    await clerk.page.evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));
    expect(await clerk.page.getByTestId('receipt-live-note').count()).toBe(0);

    // When the manager scans the TV's barcode and a serial
    await scan(manager.page, tvUpc);
    await expectAnswer(manager.page, 1, 'ITEM_SELECTED');
    await scan(manager.page, `E2E-LIVE-${stamp}-1`);
    await expectAnswer(manager.page, 2, 'ACCEPTED');
    await poll(() => progress(manager.page, 1)).toBe('1 scanned');

    // Then the clerk's page shows the line with 1 scanned, without a reload, and says who scanned it
    await poll(() => progress(clerk.page, 1)).toBe('1 scanned');
    await poll(() => clerk.page.getByTestId('receipt-live-note').innerText()).toMatch(/Manny Manager scanned 1/);
    // not as an answer to the clerk's own scans
    expect(await answers(clerk.page).count()).toBe(0);
    expect(await clerk.page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).toBe(true);
    // and the manager's page tells nothing of the manager's own scans
    expect(await manager.page.getByTestId('receipt-live-note').count()).toBe(0);

    // When the clerk scans another serial for the TV
    await poll(() => focused(clerk.page)).toBe('scan-input');
    await scan(clerk.page, tvUpc);
    await expectAnswer(clerk.page, 1, 'ITEM_SELECTED');
    await scan(clerk.page, `E2E-LIVE-${stamp}-2`);
    await expectAnswer(clerk.page, 2, 'ACCEPTED');
    await poll(() => progress(clerk.page, 1)).toBe('2 scanned');

    // Then the manager's page shows 2, and the clerk as the one who scanned
    await poll(() => progress(manager.page, 1)).toBe('2 scanned');
    await poll(() => manager.page.getByTestId('receipt-live-note').innerText()).toMatch(/Cleo Clerk scanned 1/);
    expect(await answers(manager.page).count()).toBe(2);
    // while the clerk's note still names the manager: the clerk's own scans are answers, not news
    expect(await clerk.page.getByTestId('receipt-live-note').innerText()).toMatch(/Manny Manager scanned 1/);

    const scans = await t.db.query(`select count(*)::int as n from receipt_scan where receipt_id = $1`, [receiptId]);
    expect(scans.rows[0].n).toBe(2);
    expect(clerk.errors).toEqual([]);
    expect(manager.errors).toEqual([]);
    await clerk.context.close();
    await manager.context.close();
    await m.close();
  });
});
