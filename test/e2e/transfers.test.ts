import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, signIn, type BrowserPage } from '../support/browser.js';
import type { ApiClient } from '../support/client.js';
import { invariantViolations } from '../support/invariants.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The transfers console through real browsers against the real server (serving web/dist): a
// manager watches the board while the destination's clerk scans what arrived (TRF-4), and the
// board catches up on what it missed while its connection was down (RT-3).

let t: TestServer;
let browser: Browser;
let manager: ApiClient;
let S: Record<string, string>;
const opened: BrowserPage[] = [];

beforeAll(async () => {
  if (!browserAvailable()) return;
  [t, browser] = await Promise.all([startTestServer({ web: true }), launchBrowser()]);
  manager = await t.as('manager');
  S = Object.fromEntries((await t.db.query(`select code, id::text from store`)).rows.map((r) => [r.code, r.id]));
});
afterEach(async () => {
  for (const p of opened.splice(0)) await p.context.close();
  if (t) expect(await invariantViolations(t.db)).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

const TRANSFER = `transfer { id number status } userErrors { code message }`;

/** Two units of one always-serialized item (no serial pattern) in stock at a store, with the item's main UPC. */
async function twoSerials(storeCode: string): Promise<{ upc: string; serials: [string, string] }> {
  const { rows } = await t.db.query(
    `select i.id, up.upc, u.serial
     from serial_unit u join store s on s.id = u.store_id join item i on i.id = u.item_id
     join item_policy p on p.item_id = i.id join item_upc up on up.item_id = i.id and up.is_main
     where s.code = $1 and u.state = 'IN_STOCK' and p.level = 'ALWAYS' and p.serial_pattern is null
     order by i.id, u.serial`,
    [storeCode],
  );
  const byItem = new Map<number, { upc: string; serials: string[] }>();
  for (const r of rows) {
    const entry = byItem.get(r.id) ?? { upc: r.upc as string, serials: [] as string[] };
    entry.serials.push(r.serial);
    byItem.set(r.id, entry);
  }
  const found = [...byItem.values()].find((e) => e.serials.length >= 2);
  if (!found) throw new Error(`no always-serialized item with two units in stock at ${storeCode}`);
  return { upc: found.upc, serials: [found.serials[0]!, found.serials[1]!] };
}

/** A draft from S001 to S002 with two serials registered to ship, through the API. */
async function draftWithTwoSerials(): Promise<{ id: string; number: string; serials: [string, string] }> {
  const { upc, serials } = await twoSerials('S001');
  const created = await manager.data(`mutation($i: CreateTransferInput!) { createTransfer(input: $i) { ${TRANSFER} } }`, {
    i: { fromStoreId: S.S001, toStoreId: S.S002, clientKey: crypto.randomUUID() },
  });
  expect(created.createTransfer.userErrors).toEqual([]);
  const { id, number } = created.createTransfer.transfer;
  const scanned = await manager.data(
    `mutation($i: ScanTransferInput!) { scanTransfer(input: $i) { results { outcome } userErrors { code } } }`,
    { i: { transferId: id, side: 'SHIP', input: [upc, ...serials].join('\n'), clientKey: crypto.randomUUID() } },
  );
  expect(scanned.scanTransfer.results.map((r: { outcome: string }) => r.outcome)).toEqual(['ITEM_SELECTED', 'ACCEPTED', 'ACCEPTED']);
  return { id, number, serials };
}

async function shipTransfer(id: string): Promise<void> {
  const shipped = await manager.data(`mutation($i: TransferActionInput!) { shipTransfer(input: $i) { ${TRANSFER} } }`, {
    i: { transferId: id, clientKey: crypto.randomUUID() },
  });
  expect(shipped.shipTransfer.userErrors).toEqual([]);
  expect(shipped.shipTransfer.transfer.status).toBe('SHIPPED');
}

async function open(username: string): Promise<BrowserPage> {
  const p = await openPage(browser);
  opened.push(p);
  await signIn(p.page, t.url, username);
  return p;
}

/** The manager's board, reached through the top bar; marked so a reload would show. */
async function openBoard(p: BrowserPage): Promise<void> {
  await p.page.getByTestId('nav-transfers').click();
  await p.page.getByTestId('transfer-board').waitFor();
  await p.page.evaluate(() => ((window as unknown as { __boardNotReloaded: boolean }).__boardNotReloaded = true));
}

const notReloaded = (page: Page) =>
  page.evaluate(() => (window as unknown as { __boardNotReloaded?: boolean }).__boardNotReloaded === true);
const cardStatus = (page: Page, number: string) => page.getByTestId(`transfer-status-${number}`).getAttribute('data-status');
const cardProgress = (page: Page, number: string) => page.getByTestId(`transfer-progress-${number}`).innerText();
const liveState = (page: Page) => page.getByTestId('board-live-state').getAttribute('data-state');
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);
const answers = (page: Page) => page.getByTestId('transfer-answer');

/** What a scanner does: type the code into the focused element, then Enter. */
async function scan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

async function expectAnswer(page: Page, count: number, outcome: string, text: RegExp): Promise<void> {
  await poll(() => answers(page).count()).toBe(count);
  expect(await answers(page).first().getAttribute('data-outcome')).toBe(outcome);
  expect(await answers(page).first().innerText()).toMatch(text);
  await poll(() => focused(page)).toBe('transfer-scan-input');
}

describe.skipIf(!browserAvailable())('transfers console', () => {
  it('TRF-4: the manager board moves as the receiving clerk scans', async () => {
    // Given a transfer of two TV serials from S001 to S002, created and shipped through the API
    const transfer = await draftWithTwoSerials();
    await shipTransfer(transfer.id);
    const [first, second] = transfer.serials;

    // and the manager watching the board, live
    const board = await open('manager');
    await openBoard(board);
    const card = board.page.getByTestId(`transfer-card-${transfer.number}`);
    await card.waitFor();
    expect(await cardStatus(board.page, transfer.number)).toBe('SHIPPED');
    expect(await cardProgress(board.page, transfer.number)).toBe('0 of 2 received');
    await poll(() => liveState(board.page)).toBe('live');

    // and the receiving clerk of S002 on the transfer's page, the scan field focused
    const desk = await open('clerk2');
    await desk.page.goto(`${t.url}/transfers/${transfer.id}`);
    await desk.page.getByTestId('transfer-scan-input').waitFor();
    expect(await desk.page.getByTestId('transfer-status').getAttribute('data-status')).toBe('SHIPPED');
    await poll(() => focused(desk.page)).toBe('transfer-scan-input');

    // When the clerk scans the first serial
    await scan(desk.page, first);
    await expectAnswer(desk.page, 1, 'ACCEPTED', /1 of 2/);
    await poll(() => desk.page.getByTestId('transfer-status').getAttribute('data-status')).toBe('RECEIVING');

    // Then the board, without a reload, shows it received and the transfer receiving
    await poll(() => cardProgress(board.page, transfer.number)).toBe('1 of 2 received');
    await poll(() => cardStatus(board.page, transfer.number)).toBe('RECEIVING');
    expect(await board.page.getByTestId('transfer-column-in-transit').getByTestId(`transfer-card-${transfer.number}`).count()).toBe(1);

    // When the clerk scans the second serial and posts what arrived
    await scan(desk.page, second);
    await expectAnswer(desk.page, 2, 'ACCEPTED', /2 of 2/);
    await poll(() => cardProgress(board.page, transfer.number)).toBe('2 of 2 received');
    await desk.page.getByTestId('receive-transfer').click();
    await poll(() => desk.page.getByTestId('transfer-status').getAttribute('data-status')).toBe('RECEIVED');

    // Then the board shows the transfer received, in its column, still without a reload
    await poll(() => cardStatus(board.page, transfer.number)).toBe('RECEIVED');
    await poll(() => board.page.getByTestId('transfer-column-received').getByTestId(`transfer-card-${transfer.number}`).count()).toBe(1);
    expect(await cardProgress(board.page, transfer.number)).toBe('2 of 2 received');
    expect(await notReloaded(board.page)).toBe(true);
    const units = await t.db.query(`select s.code from serial_unit u join store s on s.id = u.store_id where u.serial = any($1::text[])`, [
      transfer.serials,
    ]);
    expect(units.rows.map((r) => r.code)).toEqual(['S002', 'S002']);
    expect([...board.errors, ...desk.errors]).toEqual([]);
  });

  it('TRF-2: the Ship panel says what blocks shipping until the serials are scanned, then ships them', async () => {
    // Given a draft from S001 to S002 with nothing on it yet, and two serials in stock at S001
    const { upc, serials } = await twoSerials('S001');
    const created = await manager.data(`mutation($i: CreateTransferInput!) { createTransfer(input: $i) { ${TRANSFER} } }`, {
      i: { fromStoreId: S.S001, toStoreId: S.S002, clientKey: crypto.randomUUID() },
    });
    const { id, number } = created.createTransfer.transfer;

    // When the manager opens it in the console
    const desk = await open('manager');
    await desk.page.goto(`${t.url}/transfers/${id}`);
    await desk.page.getByTestId('transfer-scan-input').waitFor();

    // Then the Ship button is disabled and the panel says why
    const ship = desk.page.getByTestId('ship-transfer');
    const blockers = desk.page.getByTestId('ship-blockers');
    await poll(() => blockers.getAttribute('data-count')).not.toBe('0');
    expect(await ship.isDisabled()).toBe(true);
    expect(await ship.getAttribute('aria-describedby')).toBe('ship-blockers');
    expect(await blockers.innerText()).toMatch(/Shipping waits for:/);

    // When the item and its two serials are scanned
    await poll(() => focused(desk.page)).toBe('transfer-scan-input');
    await scan(desk.page, upc);
    await poll(() => answers(desk.page).count()).toBe(1);
    await scan(desk.page, serials[0]);
    await poll(() => answers(desk.page).count()).toBe(2);
    await scan(desk.page, serials[1]);
    await poll(() => answers(desk.page).count()).toBe(3);

    // Then nothing blocks shipping, and the panel says what shipping will do
    await poll(() => blockers.getAttribute('data-count')).toBe('0');
    await poll(() => blockers.innerText()).toMatch(/shipping takes 2 units out of S001's stock and puts them in transit to S002/);
    expect(await ship.isDisabled()).toBe(false);

    // When the manager ships it
    await ship.click();

    // Then it is shipped, and both units are in transit on it
    await poll(() => desk.page.getByTestId('transfer-status').getAttribute('data-status')).toBe('SHIPPED');
    const units = await t.db.query(
      `select u.state from serial_unit u join transfer tr on tr.id = u.transfer_id where tr.number = $1 and u.serial = any($2::text[])`,
      [number, serials],
    );
    expect(units.rows.map((r) => r.state)).toEqual(['IN_TRANSIT', 'IN_TRANSIT']);
    expect(desk.errors).toEqual([]);
  });

  it("TRF-1: a new transfer's lines are entered by keyboard: a scanned UPC, its quantity, Enter, then Tab past the empty code field to Create", async () => {
    const { upc } = await twoSerials('S001');
    const desk = await open('manager');
    await openBoard(desk);
    await desk.page.getByTestId('new-transfer').click();
    await desk.page.getByTestId('new-transfer-to').selectOption(S.S002!);
    const code = desk.page.getByTestId('new-transfer-code');
    await code.focus();
    // A scanner types the UPC and sends Tab: the quantity field takes over.
    await desk.page.keyboard.type(upc);
    await desk.page.keyboard.press('Tab');
    await poll(() => focused(desk.page)).toBe('new-transfer-quantity');
    await desk.page.keyboard.type('2');
    await desk.page.keyboard.press('Enter');
    await poll(() => desk.page.getByTestId('new-transfer-lines').locator('tbody tr').count()).toBe(1);
    // Back in the empty code field, Tab moves on instead of trapping the keyboard there.
    await poll(() => focused(desk.page)).toBe('new-transfer-code');
    for (let i = 0; i < 10 && (await focused(desk.page)) !== 'new-transfer-submit'; i++) await desk.page.keyboard.press('Tab');
    expect(await focused(desk.page)).toBe('new-transfer-submit');
    await desk.page.keyboard.press('Enter');
    await poll(() => desk.page.url()).toMatch(/\/transfers\/\d+$/);
  });

  it('RT-3: the board catches up on what it missed while its connection was down', async () => {
    const transfer = await draftWithTwoSerials();

    // Given the manager's board, its WebSocket going through a switch the test controls
    let online = true;
    const sockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    const held: WebSocketRoute[] = [];
    const resumedAfter: (string | null)[] = [];
    const board = await openPage(browser);
    opened.push(board);
    await board.page.routeWebSocket(/\/graphql$/, (ws) => {
      if (!online) {
        // Offline: the socket opens but the server never answers, so the console keeps retrying.
        held.push(ws);
        return;
      }
      const server = ws.connectToServer();
      sockets.push({ page: ws, server });
      ws.onMessage((message) => {
        const text = String(message);
        const parsed = JSON.parse(text) as { type?: string; payload?: { query?: string; variables?: { after?: string | null } } };
        if (parsed.type === 'subscribe' && parsed.payload?.query?.includes('documentEvents')) {
          resumedAfter.push(parsed.payload.variables?.after ?? null);
        }
        server.send(message);
      });
    });
    await signIn(board.page, t.url, 'manager');
    await openBoard(board);
    await board.page.getByTestId(`transfer-card-${transfer.number}`).waitFor();
    await poll(() => liveState(board.page)).toBe('live');

    // and a first live event seen: the transfer ships while the board watches
    await shipTransfer(transfer.id);
    await poll(() => cardStatus(board.page, transfer.number)).toBe('SHIPPED');
    expect(await cardProgress(board.page, transfer.number)).toBe('0 of 2 received');

    // When the connection drops
    online = false;
    for (const socket of sockets.splice(0)) {
      await socket.server.close();
      await socket.page.close({ code: 1001, reason: 'network down' });
    }
    await poll(() => liveState(board.page)).toBe('paused');

    // and meanwhile the destination's clerk checks a serial off
    const clerk2 = await t.as('clerk2');
    const r = await clerk2.data(
      `mutation($i: ScanTransferInput!) { scanTransfer(input: $i) { results { outcome } transfer { status } } }`,
      { i: { transferId: transfer.id, side: 'RECEIVE', input: transfer.serials[0], clientKey: crypto.randomUUID() } },
    );
    expect(r.scanTransfer.results[0].outcome).toBe('ACCEPTED');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await cardProgress(board.page, transfer.number)).toBe('0 of 2 received');
    expect(await liveState(board.page)).toBe('paused');

    // Then, when the connection is back, the board resubscribes after the last event it saw and catches up
    online = true;
    for (const ws of held.splice(0)) await ws.close({ code: 1001, reason: 'network back' });
    await poll(() => cardProgress(board.page, transfer.number)).toBe('1 of 2 received');
    await poll(() => cardStatus(board.page, transfer.number)).toBe('RECEIVING');
    await poll(() => liveState(board.page)).toBe('live');
    expect(resumedAfter[0]).toBeNull();
    expect(resumedAfter.some((after) => after !== null)).toBe(true);
    expect(await notReloaded(board.page)).toBe(true);
    expect(board.errors.filter((e) => !/WebSocket/i.test(e))).toEqual([]);
  });
  it('RT-3: a connection that silently stops answering is noticed (no answer to a ping), shown, and resumed with what was missed', async () => {
    const transfer = await draftWithTwoSerials();
    // Given the board's WebSocket through a switch that can drop every message both ways, without closing anything
    let silent = false;
    const board = await openPage(browser);
    opened.push(board);
    await board.page.routeWebSocket(/\/graphql$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        if (!silent) server.send(message);
      });
      server.onMessage((message) => {
        if (!silent) ws.send(message);
      });
    });
    await signIn(board.page, t.url, 'manager');
    await openBoard(board);
    await board.page.getByTestId(`transfer-card-${transfer.number}`).waitFor();
    await poll(() => liveState(board.page)).toBe('live');

    // When the line goes silent and the transfer ships meanwhile
    silent = true;
    await shipTransfer(transfer.id);
    // Then within a ping and its wait (10 s + 5 s) the board stops claiming to be live
    await expect.poll(() => liveState(board.page), { timeout: 25_000 }).not.toBe('live');
    // and when the line answers again it reconnects and catches up
    silent = false;
    await expect.poll(() => cardStatus(board.page, transfer.number), { timeout: 25_000 }).toBe('SHIPPED');
    await poll(() => liveState(board.page)).toBe('live');
  });
});
