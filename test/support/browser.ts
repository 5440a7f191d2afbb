import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** The system Chromium; playwright-core brings no browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Headless and quiet: no GPU, no sandbox (containers), and no calls home that could slow a
// test or make it depend on the network.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export const DEMO_PASSWORD = 'serialdesk';

/**
 * Whether the browser tests can run here. Without Chromium they are skipped on a developer's
 * machine, but with CI=true this throws: in CI a missing browser is a failure, never a skip.
 */
export function browserAvailable(): boolean {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH} (set CHROMIUM_PATH); CI=true runs the browser tests, it never skips them.`,
    );
  }
  return false;
}

/** Launches headless Chromium; throws when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!browserAvailable()) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH} (set CHROMIUM_PATH).`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface BrowserPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors of the page so far, for assertions and failure messages. */
  errors: string[];
}

/** A fresh context (own cookies, so one session per page) with a desktop-sized page. */
export async function openPage(browser: Browser): Promise<BrowserPage> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'en-US' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, page, errors };
}

/** Signs in through the sign-in form as a demo user and waits for the console. */
export async function signIn(page: Page, baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByTestId('signin-username').fill(username);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('current-user').waitFor({ state: 'visible' });
}
