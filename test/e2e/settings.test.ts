import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, signIn } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Serialization settings (POL-2..4) through the console, as a merchandiser would use them.

let t: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!browserAvailable()) return;
  [t, browser] = await Promise.all([startTestServer({ web: true }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function openSettings(username = 'merch'): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await openPage(browser);
  await signIn(page, t.url, username);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('tree-node-APP').waitFor();
  return { page, errors };
}

/** Types a code as a barcode scanner does: fast keystrokes, then Enter (or Tab, as some scanners send). */
async function scan(page: Page, code: string, end: 'Enter' | 'Tab' = 'Enter'): Promise<void> {
  const search = page.getByTestId('item-search');
  await search.fill('');
  await search.pressSequentially(code, { delay: 5 });
  await search.press(end);
}

async function ownLevel(code: string): Promise<string | null> {
  const { rows } = await t.db.query<{ serial_level: string | null }>(`select serial_level from classification where code = $1`, [code]);
  return rows[0]!.serial_level;
}

describe.skipIf(!browserAvailable())('serialization settings', () => {
  it('POL-3: changing a department level previews the impact, then the item shows the new effective level and source', async () => {
    // Given an Apparel item, and how many Apparel items take their level from above.
    const { rows: upcs } = await t.db.query<{ upc: string; product_id: string }>(
      `select u.upc, i.product_id from item_upc u join item i on i.id = u.item_id join classification d on d.id = i.department_id
       where d.code = 'APP' and u.is_main and i.serial_level is null limit 1`,
    );
    const { upc, product_id: productId } = upcs[0]!;
    const { rows: counts } = await t.db.query<{ n: number }>(
      `select count(*)::int as n from item i join classification d on d.id = i.department_id where d.code = 'APP' and i.active and i.serial_level is null`,
    );
    const inheriting = counts[0]!.n;
    expect(inheriting).toBeGreaterThan(0);
    const { page, errors } = await openSettings();

    // When the merchandiser scans the item's UPC into the search, the item opens directly.
    await scan(page, upc);
    const detail = page.getByTestId('item-detail');
    await expect.poll(() => detail.textContent()).toContain(productId);
    expect(await page.getByTestId('item-effective-level').textContent()).toBe('NEVER');
    expect(await page.getByTestId('item-policy-source').textContent()).toContain('inherited from Department Apparel');
    expect(await page.getByTestId('node-effective-APP').textContent()).toMatch(/NEVER/);

    // And sets Department Apparel to SOMETIMES: the dialog previews the impact first.
    await page.getByTestId('node-level-APP').selectOption('SOMETIMES');
    const dialog = page.getByTestId('impact-dialog');
    await dialog.waitFor();
    await expect.poll(() => page.getByTestId('impact-items-affected').textContent()).toBe(String(inheriting));
    expect(await dialog.textContent()).toMatch(/NEVER\s*→\s*SOMETIMES/);
    expect(await ownLevel('APP')).toBe('NEVER'); // nothing saved before confirming
    await page.getByTestId('impact-confirm').click();
    await dialog.waitFor({ state: 'detached' });

    // Then the item, the tree and the audit log show the change.
    await expect.poll(() => page.getByTestId('item-effective-level').textContent()).toBe('SOMETIMES');
    expect(await page.getByTestId('item-policy-source').textContent()).toContain('inherited from Department Apparel');
    await expect.poll(() => page.getByTestId('node-effective-APP').textContent()).toMatch(/SOMETIMES/);
    expect(await page.getByTestId('node-level-APP').inputValue()).toBe('SOMETIMES');
    await expect
      .poll(() => page.getByTestId('node-effective-APP-MEN-SHI').textContent())
      .toMatch(/SOMETIMES.*inherited from Department Apparel/);
    const firstChange = page.getByTestId('audit-log').locator('tbody tr').first();
    await expect.poll(() => firstChange.textContent()).toMatch(/Apparel/);
    const row = (await firstChange.textContent()) ?? '';
    expect(row).toMatch(/NEVER\s*→\s*SOMETIMES/);
    expect(row).toContain('Mona Merchandiser');
    expect(row).toContain(String(inheriting));
    expect(await ownLevel('APP')).toBe('SOMETIMES');
    expect(errors).toEqual([]);
  });

  it('POL-3: by keyboard alone, Escape cancels without saving and Enter on Save confirms', async () => {
    const { page } = await openSettings();
    const select = page.getByTestId('node-level-SPRT-TEAM');
    expect(await select.inputValue()).toBe(''); // inherits (nothing set on Team Sports)

    // Type-ahead on the focused selector: "S" chooses SOMETIMES and opens the dialog.
    await select.focus();
    await page.keyboard.press('s');
    const dialog = page.getByTestId('impact-dialog');
    await dialog.waitFor();
    await page.getByTestId('impact-items-affected').waitFor();
    // Focus is inside the dialog, and Tab keeps it there.
    for (let i = 0; i < 6; i++) {
      expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="impact-dialog"]'))).toBe(true);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await select.inputValue()).toBe('');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('node-level-SPRT-TEAM');
    expect(await ownLevel('SPRT-TEAM')).toBeNull();

    await page.keyboard.press('s');
    await dialog.waitFor();
    await page.getByTestId('impact-items-affected').waitFor();
    await page.getByTestId('impact-confirm').focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('node-effective-SPRT-TEAM').textContent()).toMatch(/SOMETIMES\s*set here/);
    expect(await ownLevel('SPRT-TEAM')).toBe('SOMETIMES');
  });

  it('SER-2: a scan ending in Tab opens the item as Enter does, and the next scan replaces it', async () => {
    const { rows } = await t.db.query<{ upc: string; product_id: string }>(
      `select u.upc, i.product_id from item_upc u join item i on i.id = u.item_id where u.is_main order by i.id limit 2`,
    );
    const { page, errors } = await openSettings();
    const detail = page.getByTestId('item-detail');
    await scan(page, rows[0]!.upc, 'Enter');
    await expect.poll(() => detail.textContent()).toContain(rows[0]!.product_id);
    await scan(page, rows[1]!.upc, 'Tab');
    await expect.poll(() => detail.textContent()).toContain(rows[1]!.product_id);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('item-search');
    expect(errors).toEqual([]);
  });

  it('POL-3: a level change is pushed live to another open console', async () => {
    // Given an admin with the settings open, live.
    const { page: watcher } = await openSettings('admin');
    await expect.poll(() => watcher.getByTestId('connection-status').getAttribute('data-state')).toBe('connected');
    expect(await watcher.getByTestId('node-effective-HOME-ANT').textContent()).toMatch(
      /SOMETIMES.*inherited from Department Home & Antiques/,
    );

    // When the merchandiser sets Category Antiques to NEVER in their own console.
    const { page } = await openSettings();
    await page.getByTestId('node-level-HOME-ANT').selectOption('NEVER');
    await page.getByTestId('impact-items-affected').waitFor();
    await page.getByTestId('impact-confirm').click();
    await page.getByTestId('impact-dialog').waitFor({ state: 'detached' });

    // Then the admin's page shows it without a reload: tree, announcement and audit log.
    await expect.poll(() => watcher.getByTestId('node-effective-HOME-ANT').textContent()).toMatch(/NEVER\s*set here/);
    expect(await watcher.getByTestId('node-effective-HOME-ANT-FUR').textContent()).toMatch(/NEVER.*inherited from Category Antiques/);
    expect(await watcher.getByTestId('settings-status').textContent()).toMatch(
      /Mona Merchandiser changed the level of Antiques from Inherit to NEVER/,
    );
    await expect
      .poll(() => watcher.getByTestId('audit-log').locator('tbody tr').first().textContent())
      .toMatch(/Antiques.*Inherit\s*→\s*NEVER/);
  });

  it('POL-4: CSV import reports a bad row and imports the good ones', async () => {
    const csv = [
      'product_id,name,subcategory,main_upc,unit_cost',
      'E2E-GOOD-1,E2E imported shirt,APP-MEN-SHI,987650000011,12.50',
      'E2E-BAD-1,E2E shirt with a negative cost,APP-MEN-SHI,987650000028,-5',
    ].join('\n');
    const { page, errors } = await openSettings();

    await page.getByTestId('import-file').setInputFiles({ name: 'items.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

    const report = page.getByTestId('import-errors');
    await report.waitFor();
    const progress = page.getByTestId('import-progress');
    expect(await progress.getAttribute('value')).toBe('2');
    expect(await progress.getAttribute('max')).toBe('2');
    expect(await page.getByTestId('import-summary').textContent()).toMatch(/1 item imported, 1 row refused/);
    const rows = await report.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^3/); // the header is line 1
    expect(rows[0]).toContain('unit_cost');
    expect(rows[0]).toMatch(/negative/i);

    // The good row is an item now, findable by its product id; the bad one is not.
    await page.getByTestId('item-search').fill('E2E-');
    await page.getByTestId('item-result-E2E-GOOD-1').waitFor();
    expect(await page.getByTestId('item-result-E2E-BAD-1').count()).toBe(0);
    await page.getByTestId('item-result-E2E-GOOD-1').click();
    await expect.poll(() => page.getByTestId('item-detail').textContent()).toContain('987650000011');
    const { rows: imported } = await t.db.query(`select product_id, unit_cost::text from item where product_id like 'E2E-%'`);
    expect(imported).toEqual([{ product_id: 'E2E-GOOD-1', unit_cost: '12.5000' }]);
    expect(errors).toEqual([]);
  });
});
