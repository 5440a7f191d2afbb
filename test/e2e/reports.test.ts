import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, signIn, type BrowserPage } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The reports console through a real browser against the real server (serving web/dist): a
// filtered history is a URL (bookmark, share, reload), its export holds the rows shown, and
// any serial opens its trace (REP-1, REP-3).

let t: TestServer;
let browser: Browser;
let S: Record<string, string>;
const opened: BrowserPage[] = [];

beforeAll(async () => {
  if (!browserAvailable()) return;
  [t, browser] = await Promise.all([startTestServer({ web: true }), launchBrowser()]);
  S = Object.fromEntries((await t.db.query(`select code, id::text from store`)).rows.map((r) => [r.code, r.id]));
});
afterEach(async () => {
  for (const p of opened.splice(0)) await p.context.close();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

async function open(username: string): Promise<BrowserPage> {
  const p = await openPage(browser);
  opened.push(p);
  await signIn(p.page, t.url, username);
  return p;
}

/** Ticks options of a multi-select filter by their visible label. */
async function choose(page: Page, testid: string, ...labels: RegExp[]): Promise<void> {
  const control = page.getByTestId(testid);
  await control.locator('summary').click();
  for (const label of labels) await control.getByRole('checkbox', { name: label }).check();
  await control.locator('summary').click();
}

/** The serials of the history rows in the DOM (the table renders the rows in view). */
const shownSerials = (page: Page) =>
  page.$$eval('[data-testid="history-row"] [data-testid="serial-link"]', (links) =>
    links.map((a) => (a as HTMLElement).dataset.serial ?? ''),
  );

/** Serialized receipts at S001 of Electronics items, from the ledger. */
async function electronicsReceivedAtS001(): Promise<string[]> {
  const { rows } = await t.db.query(
    `select e.serial from stock_event e join store s on s.id = e.store_id join item i on i.id = e.item_id
     join classification d on d.id = i.department_id
     where s.code = 'S001' and e.type = 'RECEIVING' and d.name = 'Electronics' and e.serial is not null`,
  );
  return rows.map((r) => r.serial as string);
}

describe.skipIf(!browserAvailable())('reports console', () => {
  it('REP-1: filters live in the URL: a reload gives the same rows, and the export contains them', async () => {
    const expected = await electronicsReceivedAtS001();
    expect(expected.length).toBeGreaterThan(0);
    const { page, errors } = await open('viewer');

    // Given the history report, filtered to store S001, receiving, department Electronics
    await page.getByTestId('nav-reports').click();
    await page.getByTestId('report-history').waitFor();
    await choose(page, 'filter-stores', /^S001 /);
    await choose(page, 'filter-types', /^Receiving$/);
    await choose(page, 'filter-departments', /^Electronics$/);
    await page.getByTestId('apply-filters').click();

    // Then the URL holds the filter and the rows are exactly those receipts
    await page.waitForURL((url) => url.searchParams.get('types') === 'RECEIVING');
    const url = new URL(page.url());
    expect(url.pathname).toBe('/reports/history');
    expect(url.searchParams.get('stores')).toBe(S.S001);
    expect(url.searchParams.get('departments')).toMatch(/^\d+$/);
    await poll(() => page.getByTestId('history-totals').innerText()).toContain(`${expected.length} event`);
    await poll(() => shownSerials(page).then((s) => s.length)).toBeGreaterThan(0);
    const shown = await shownSerials(page);
    expect(new Set(shown).size).toBe(shown.length);
    expect(expected).toEqual(expect.arrayContaining(shown));
    const types = await page.$$eval('[data-testid="history-row"] .event-type', (cells) =>
      cells.map((c) => (c as HTMLElement).dataset.type),
    );
    expect(new Set(types)).toEqual(new Set(['RECEIVING']));

    // When the page is reloaded from its URL
    await page.reload();
    await page.getByTestId('report-history').waitFor();
    await poll(() => shownSerials(page)).toEqual(shown);
    // Then the panel shows the same filter
    expect(await page.getByTestId('filter-stores').locator('summary').innerText()).toMatch(/S001/);
    expect(await page.getByTestId('filter-types').locator('summary').innerText()).toMatch(/Receiving/);
    expect(await page.getByTestId('filter-departments').locator('summary').innerText()).toMatch(/Electronics/);

    // When the full result is exported
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = (await fs.readFile(await download.path())).toString('utf8').replace(/^\uFEFF/, '');
    // Then the CSV has a header and every row of the filter, among them those shown
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^serial,description,product_id,product_name,/);
    expect(lines.length - 1).toBe(expected.length);
    for (const serial of shown) expect(csv).toContain(serial);
    await poll(() => page.getByTestId('export-progress').getAttribute('data-state')).toBe('done');
    expect(await page.getByTestId('export-progress').innerText()).toMatch(new RegExp(`${expected.length} rows / [\\d.,]+ (KB|MB)`));
    expect(errors).toEqual([]);
  });

  it('REP-1: a refused filter (from after to) is explained next to the filter panel', async () => {
    const { page } = await open('viewer');
    await page.goto(`${t.url}/reports/history`);
    await page.getByTestId('filter-from').fill('2026-03-10');
    await page.getByTestId('filter-to').fill('2026-03-01');
    expect(await page.getByTestId('filter-preset').inputValue()).toBe('CUSTOM');
    await page.getByTestId('apply-filters').click();
    await poll(() => page.getByTestId('report-error').innerText()).toMatch(/starts \(2026-03-10\) after it ends \(2026-03-01\)/);
    expect(await page.getByTestId('history-row').count()).toBe(0);
  });

  it('REP-1: "Load more" continues after the last row until the whole result is loaded', async () => {
    const { page } = await open('viewer');
    const { rows } = await t.db.query(`select count(*)::int as n from stock_event where serial is not null`);
    const total = rows[0].n as number;
    expect(total).toBeGreaterThan(200);
    await page.goto(`${t.url}/reports/history`);
    await poll(() => page.getByTestId('history-table').getAttribute('data-rows')).toBe('200');
    // Only the rows in view are in the DOM, however many are loaded.
    expect(await page.getByTestId('history-row').count()).toBeLessThan(100);
    while (await page.getByTestId('load-more').isVisible()) {
      const before = Number(await page.getByTestId('history-table').getAttribute('data-rows'));
      await page.getByTestId('load-more').click();
      await poll(() => page.getByTestId('history-table').getAttribute('data-rows').then(Number)).toBeGreaterThan(before);
    }
    expect(Number(await page.getByTestId('history-table').getAttribute('data-rows'))).toBe(total);
    expect(await page.getByTestId('history-totals').innerText()).toContain(`${total.toLocaleString('en-US')} events`);
  });

  it('REP-2: serials on hand at a store, with the summary by department as a chart', async () => {
    const { rows } = await t.db.query(
      `select d.name, count(*)::int as n from serial_unit u join store s on s.id = u.store_id join item i on i.id = u.item_id
       join classification d on d.id = i.department_id where s.code = 'S001' and u.state = 'IN_STOCK' group by d.name order by d.name`,
    );
    const { page, errors } = await open('viewer');
    await page.goto(`${t.url}/reports/on-hand?stores=${S.S001}`);
    await page.getByTestId('on-hand-table').waitFor();
    await poll(() => page.getByTestId('department-chart').getByTestId('department-bar').count()).toBe(rows.length);
    const bars = await page.getByTestId('department-bar').evaluateAll((gs) => gs.map((g) => (g as SVGGElement).dataset.department));
    expect(bars).toEqual(rows.map((r) => r.name));
    const summary = await page.getByTestId('department-summary').innerText();
    for (const r of rows) expect(summary).toContain(`${r.name}\t${r.n}`);
    const units = rows.reduce((sum, r) => sum + (r.n as number), 0);
    await poll(() => page.getByTestId('on-hand-table').getAttribute('data-rows')).toBe(String(Math.min(units, 200)));
    expect(errors).toEqual([]);
  });

  it('REP-3: clicking a serial opens its trace with the RECEIVING event', async () => {
    const { page, errors } = await open('viewer');
    await page.goto(`${t.url}/reports/history?stores=${S.S001}&types=RECEIVING`);
    const link = page.getByTestId('history-row').first().getByTestId('serial-link');
    await link.waitFor();
    const serial = (await link.getAttribute('data-serial'))!;

    await link.click();
    await page.waitForURL(/\/reports\/trace\?serial=/);
    expect(new URL(page.url()).searchParams.get('serial')).toBe(serial);
    await page.getByTestId('trace-events').waitFor();
    expect(await page.getByTestId('trace-current').innerText()).toMatch(/^Now: /);
    const events = page.getByTestId('trace-events').getByTestId('trace-event');
    expect(await events.first().getAttribute('data-type')).toBe('RECEIVING');
    expect(await events.first().innerText()).toMatch(/RCV-\d{6}/);
    expect(await events.first().innerText()).toMatch(/at S001/);
    expect(await page.getByRole('heading', { level: 2 }).first().innerText()).toContain(serial);
    expect(errors).toEqual([]);
  });
});
