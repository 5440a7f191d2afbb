import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, signIn, type BrowserPage } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The console shell through a real browser against the real server (serving web/dist).

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

/** Each test in its own browser context: its own cookies, so its own session. */
function newPage(): Promise<BrowserPage> {
  return openPage(browser);
}

describe.skipIf(!browserAvailable())('console shell', () => {
  it('SEC-3: a wrong password shows the error and keeps the sign-in page', async () => {
    const { page } = await newPage();
    await page.goto(`${t.url}/`);
    // Without a session the console sends you to sign in, and back afterwards.
    await page.waitForURL(/\/sign-in\?redirect=/);
    await page.getByTestId('signin-username').fill('manager');
    await page.getByTestId('signin-password').fill('not-the-password');
    await page.getByTestId('signin-submit').click();
    await expect.poll(() => page.getByTestId('signin-error').textContent()).toMatch(/wrong password/i);
    expect(page.url()).toContain('/sign-in');
    expect(await page.getByTestId('current-user').count()).toBe(0);
    // The password field is emptied for the next try.
    expect(await page.getByTestId('signin-password').inputValue()).toBe('');
  });

  it('SEC-1, SEC-2: the right password shows the user, their stores and the modules of their role', async () => {
    const { page, errors } = await newPage();
    await signIn(page, t.url, 'admin');
    expect(await page.getByTestId('current-user').textContent()).toMatch(/\(Admin\)/);
    expect(await page.getByTestId('current-stores').textContent()).toMatch(/All stores/);
    for (const id of ['settings', 'receiving', 'transfers', 'adjustments', 'counts', 'reports']) {
      expect(await page.getByTestId(`nav-${id}`).isVisible(), `nav-${id}`).toBe(true);
    }
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('page-settings').waitFor();
    expect(page.url()).toMatch(/\/settings$/);
    expect(errors).toEqual([]);
  });

  it('SEC-2: a clerk sees only store S001 and no settings', async () => {
    const { page } = await newPage();
    await signIn(page, t.url, 'clerk');
    expect(await page.getByTestId('current-user').textContent()).toMatch(/\(Clerk\)/);
    const stores = (await page.getByTestId('current-stores').textContent()) ?? '';
    expect(stores).toMatch(/S001/);
    expect(stores).not.toMatch(/S00[2-4]|W001|All stores/);
    expect(await page.getByTestId('nav-receiving').isVisible()).toBe(true);
    expect(await page.getByTestId('nav-settings').count()).toBe(0);
    expect(await page.getByTestId('nav-adjustments').count()).toBe(0);
    // The home page lists the same single store.
    await page.getByTestId('home-stores').waitFor();
    expect(await page.getByTestId('home-stores').locator('tbody tr').allTextContents()).toEqual([expect.stringContaining('S001')]);
  });

  it('the connection indicator reaches connected', async () => {
    const { page } = await newPage();
    await signIn(page, t.url, 'manager');
    await expect.poll(() => page.getByTestId('connection-status').getAttribute('data-state'), { timeout: 15_000 }).toBe('connected');
  });

  it('SEC-3: signing out returns to sign-in, and a reload stays signed out', async () => {
    const { page } = await newPage();
    await signIn(page, t.url, 'viewer');
    await page.getByTestId('signout').click();
    await page.waitForURL(/\/sign-in/);
    await page.getByTestId('signin-username').waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
    await page.reload();
    await page.getByTestId('signin-username').waitFor();
    expect(await page.getByTestId('current-user').count()).toBe(0);
    // Going to a console page directly asks for sign-in again.
    await page.goto(`${t.url}/reports`);
    await page.waitForURL(/\/sign-in\?redirect=(%2F|\/)reports$/);
  });
});
