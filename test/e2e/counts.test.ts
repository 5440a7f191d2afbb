import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, signIn } from '../support/browser.js';
import { invariantViolations } from '../support/invariants.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A cycle count through two real browsers (a clerk and a manager) against the real server:
// each scans into a batch of their own, sees the other's scans live, and the manager posts.

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
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);

/** What a scanner does: the code into the focused field, then Enter; waits for the answer and returns it. */
async function scan(page: Page, code: string): Promise<{ outcome: string | null; text: string }> {
  const answers = page.getByTestId('count-answer');
  const before = await answers.count();
  await poll(() => focused(page)).toBe('count-scan-input');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await poll(() => answers.count()).toBe(before + 1);
  return { outcome: await answers.first().getAttribute('data-outcome'), text: await answers.first().innerText() };
}

const unitState = async (serial: string) =>
  (
    await t.db.query(
      `select u.state, s.code as store from serial_unit u left join store s on s.id = u.store_id where u.serial_key = serial_key_of($1)`,
      [serial],
    )
  ).rows[0] as { state: string; store: string | null };

describe.skipIf(!browserAvailable())('cycle counts console', () => {
  it('CNT-1: two users count in their own batches, see each other live, a repeat is answered with its batch, and the manager posts', async () => {
    const classification = (await t.db.query(`select id::text from classification where code = 'ELEC-TV-OLED'`)).rows[0].id as string;
    const units = (
      await t.db.query(
        `select u.serial, u.item_id::text, m.upc from serial_unit u join item i on i.id = u.item_id join store s on s.id = u.store_id
         join item_upc m on m.item_id = i.id and m.is_main join classification c on c.id = i.subcategory_id
         join item_policy p on p.item_id = i.id
         where c.code = 'ELEC-TV-OLED' and s.code = 'S001' and u.state = 'IN_STOCK' and p.level = 'ALWAYS' and p.serial_pattern is null
         order by u.serial_key`,
      )
    ).rows as { serial: string; item_id: string; upc: string }[];
    expect(units.length).toBeGreaterThanOrEqual(4);
    const [a, b, kept] = units as [(typeof units)[0], (typeof units)[0], (typeof units)[0]];
    const missing = units.slice(3).map((u) => u.serial);
    const found = `E2E-CNT-${Date.now().toString(36).toUpperCase()}`;

    // Given a count of the OLED subcategory at S001, opened by the manager
    const mgr = await openPage(browser);
    await signIn(mgr.page, t.url, 'manager');
    await mgr.page.getByTestId('nav-counts').click();
    await mgr.page.getByTestId('page-counts').waitFor();
    const s001 = (await t.db.query(`select id::text from store where code = 'S001'`)).rows[0].id as string;
    await mgr.page.getByTestId('open-count-store').selectOption(s001);
    await mgr.page.getByTestId('open-count-classification').selectOption(classification);
    await mgr.page.getByTestId('open-count').click();
    await mgr.page.waitForURL(/\/counts\/\d+$/);
    const url = mgr.page.url();
    await poll(() => mgr.page.getByTestId('count-status').getAttribute('data-status')).toBe('OPEN');

    // and the clerk on the same count (its link shared)
    const clk = await openPage(browser);
    await signIn(clk.page, t.url, 'clerk');
    await clk.page.goto(url);
    await clk.page.getByTestId('count-scan-input').waitFor();
    expect(await clk.page.getByTestId('count-batch').getAttribute('data-batch-no')).toBe('');
    // Both pages listen before anyone scans
    for (const page of [mgr.page, clk.page]) {
      await poll(() => page.getByTestId('connection-status').getAttribute('data-state')).toBe('connected');
    }

    // When each scans a unit, each gets a batch of their own
    expect((await scan(clk.page, a.serial)).outcome).toBe('ACCEPTED');
    expect((await scan(mgr.page, b.serial)).outcome).toBe('ACCEPTED');
    const clerkBatch = await clk.page.getByTestId('count-batch').getAttribute('data-batch-no');
    const managerBatch = await mgr.page.getByTestId('count-batch').getAttribute('data-batch-no');
    expect(clerkBatch).toMatch(/^\d+$/);
    expect(managerBatch).toMatch(/^\d+$/);
    expect(clerkBatch).not.toBe(managerBatch);

    // and each sees the other's progress live
    await poll(() => clk.page.getByTestId('count-live-counted').innerText()).toBe('2');
    await poll(() => mgr.page.getByTestId('count-live-counted').innerText()).toBe('2');
    await poll(() => clk.page.getByTestId('count-live-feed').innerText()).toMatch(/Manny Manager scanned 1/);

    // A unit counted in the clerk's batch is answered with where, and counts once
    const repeat = await scan(mgr.page, a.serial.toLowerCase());
    expect(repeat.outcome).toBe('DUPLICATE');
    expect(repeat.text).toContain(`already counted in batch ${clerkBatch} by Cleo Clerk`);
    // An item outside the count's scope is refused as not expected
    const outside = (
      await t.db.query(
        `select m.upc from item i join item_upc m on m.item_id = i.id and m.is_main join classification c on c.id = i.subcategory_id
         where c.code <> 'ELEC-TV-OLED' limit 1`,
      )
    ).rows[0].upc as string;
    expect((await scan(clk.page, outside)).outcome).toBe('NOT_EXPECTED');
    // A unit the system does not know, after its item's barcode, is counted (it will show as unexpected)
    expect((await scan(clk.page, kept.upc)).outcome).toBe('ITEM_SELECTED');
    expect((await scan(clk.page, kept.serial)).outcome).toBe('ACCEPTED');
    expect((await scan(clk.page, found)).outcome).toBe('ACCEPTED');
    await poll(() => mgr.page.getByTestId('count-live-counted').innerText()).toBe('4');

    // Then the manager closes the count (a second click confirms) and sees the variances
    await mgr.page.getByTestId('close-count').click();
    await mgr.page.getByTestId('close-count').click();
    await poll(() => mgr.page.getByTestId('count-status').getAttribute('data-status')).toBe('CLOSED');
    await mgr.page.getByTestId('count-variances').waitFor();
    const rows = mgr.page.getByTestId('count-missing').locator('tbody tr');
    expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-serial')))).sort()).toEqual([...missing].sort());
    const unexpected = mgr.page.getByTestId('count-unexpected').locator('tbody tr');
    expect(await unexpected.count()).toBe(1);
    expect(await unexpected.first().getAttribute('data-serial')).toBe(found);
    expect(await unexpected.first().innerText()).toMatch(/Unknown unit/);
    // The clerk's page follows: scanning stops, and posting is the manager's
    await poll(() => clk.page.getByTestId('count-status').getAttribute('data-status')).toBe('CLOSED');
    await clk.page.getByTestId('count-variances').waitFor();
    expect(await clk.page.getByTestId('count-scan-input').count()).toBe(0);
    expect(await clk.page.getByTestId('post-count').count()).toBe(0);

    // The manager does not accept the first missing unit, and posts the rest
    await mgr.page.getByTestId(`exclude-serial-${missing[0]}`).check();
    await mgr.page.getByTestId('post-count').click();
    await poll(() => mgr.page.getByTestId('count-status').getAttribute('data-status')).toBe('POSTED');

    // Counted units stay, the found unit is in stock here, missing units are removed except the one not accepted
    for (const serial of [a.serial, b.serial, kept.serial, found])
      expect(await unitState(serial)).toEqual({ state: 'IN_STOCK', store: 'S001' });
    expect(await unitState(missing[0]!)).toEqual({ state: 'IN_STOCK', store: 'S001' });
    for (const serial of missing.slice(1)) expect(await unitState(serial)).toEqual({ state: 'REMOVED', store: null });
    // The count list shows it, posted
    await mgr.page.getByRole('link', { name: '← Cycle counts' }).click();
    const countId = url.split('/').pop()!;
    await poll(() => mgr.page.getByTestId(`count-row-${countId}`).getAttribute('data-status')).toBe('POSTED');
    expect(mgr.errors).toEqual([]);
    expect(clk.errors).toEqual([]);
  });
});
