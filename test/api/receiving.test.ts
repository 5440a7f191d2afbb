import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/server.js';
import type { ApiClient } from '../support/client.js';
import { invariantViolations } from '../support/invariants.js';

let t: TestServer;
let clerk: ApiClient;
let S001: string;
let S002: string;
beforeAll(async () => {
  t = await startTestServer();
  clerk = await t.as('clerk');
  const { rows } = await t.db.query(`select id::text, code from store`);
  S001 = rows.find((r) => r.code === 'S001')!.id;
  S002 = rows.find((r) => r.code === 'S002')!.id;
});
afterEach(async () => {
  expect(await invariantViolations(t.db)).toEqual([]);
});
afterAll(async () => {
  await t?.close();
});

const RECEIPT = `id number status kind lines { id lineNo item { id productId } expectedQuantity receivedQuantity scannedCount variance serials { serial } } postBlockers { code message }`;
const CREATE = `mutation($input: CreateReceiptInput!) { createReceipt(input: $input) { receipt { ${RECEIPT} } userErrors { code field message index } replayed } }`;
const SCAN = `mutation($input: ScanReceiptInput!) { scanReceipt(input: $input) {
  results { index input outcome accepted message itemId lineId serial storeCode lineScanned lineExpected } currentItemId userErrors { code message } replayed } }`;
const POST = `mutation($input: ReceiptActionInput!) { postReceipt(input: $input) { receipt { id status } userErrors { code field message index } replayed } }`;

let seq = 0;
const uniq = (p = 'SN') => `${p}-${Date.now().toString(36)}-${++seq}`.toUpperCase();
async function item(productId: string) {
  const { rows } = await t.db.query(
    `select i.id::text, u.upc, p.level, p.serial_pattern from item i join item_upc u on u.item_id = i.id and u.is_main join item_policy p on p.item_id = i.id where i.product_id = $1`,
    [productId],
  );
  return rows[0] as { id: string; upc: string; level: string; serial_pattern: string | null };
}
const TV = () => item('TVOLED-001'); // ALWAYS (department)
const CABLE = () => item('AUDCBL-001'); // NEVER (subcategory)
const TREADMILL = () => item('FITTRD-001'); // SOMETIMES (category)
const HANDGUN = () => item('FAHG-001'); // ALWAYS with pattern

async function createReceipt(input: Record<string, unknown>, client = clerk) {
  const r = await client.data(CREATE, { input: { storeId: S001, kind: 'BLIND', ...input } });
  return r.createReceipt;
}
async function scan(receiptId: string, input: string, extra: Record<string, unknown> = {}, client = clerk) {
  return (await client.data(SCAN, { input: { receiptId, input, ...extra } })).scanReceipt;
}
const post = async (receiptId: string, clientKey?: string, client = clerk) =>
  (await client.data(POST, { input: { receiptId, clientKey } })).postReceipt;
const unit = async (itemId: string, serial: string) =>
  (
    await t.db.query(
      `select u.state, s.code as store, u.serial from serial_unit u left join store s on s.id = u.store_id where u.item_id = $1 and u.serial_key = serial_key_of($2)`,
      [itemId, serial],
    )
  ).rows[0];

describe('SER-1 / SER-2 serial entry', () => {
  it('SER-2: a paste separated by new lines, commas, tabs and semicolons gives one answer per entry, and one bad entry drops nothing', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const a = uniq(),
      b = uniq(),
      c = uniq(),
      d = uniq();
    const long = 'X'.repeat(65);
    const r = await scan(receipt.id, `${tv.upc}\n  ${a} ,${b}\t${long};${c}\r\n${d}  `);
    expect(r.results.map((x: any) => [x.input, x.outcome])).toEqual([
      [tv.upc, 'ITEM_SELECTED'],
      [a, 'ACCEPTED'],
      [b, 'ACCEPTED'],
      [long, 'INVALID_SERIAL'],
      [c, 'ACCEPTED'],
      [d, 'ACCEPTED'],
    ]);
    expect(r.results[3].message).toMatch(/at most 64 characters; this one has 65/);
    expect(r.results[5]).toMatchObject({ lineScanned: 4, lineExpected: null, accepted: true });
  });

  it('SER-1: serials compare case-insensitively after trimming and are stored as entered', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const s = `Ab-${uniq()}`;
    const r = await scan(receipt.id, `${tv.upc}\n${s}\n  ${s.toUpperCase()} \n${s.toLowerCase()}`);
    expect(r.results.map((x: any) => x.outcome)).toEqual(['ITEM_SELECTED', 'ACCEPTED', 'DUPLICATE', 'DUPLICATE']);
    expect((await post(receipt.id)).userErrors).toEqual([]);
    expect((await unit(tv.id, s)).serial).toBe(s);
  });

  it('SER-1: a serial with letters outside ASCII (ß, é) is received and posted, and one key holds in the server and the database', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const tag = uniq();
    const sharp = `kb-ß-${tag}`;
    const acute = `Café-${tag}`;
    const r = await scan(receipt.id, [sharp, acute, `KB-ß-${tag}`, `CAFé-${tag}`, `kb-SS-${tag}`].join('\n'), { currentItemId: tv.id });
    // a–z fold; ß and é are compared as they are (JavaScript would make ß "SS", PostgreSQL's C locale leaves é alone).
    expect(r.results.map((x: any) => x.outcome)).toEqual(['ACCEPTED', 'ACCEPTED', 'DUPLICATE', 'DUPLICATE', 'ACCEPTED']);
    expect((await post(receipt.id)).userErrors).toEqual([]);
    expect((await unit(tv.id, sharp)).serial).toBe(sharp);
    expect((await unit(tv.id, acute)).state).toBe('IN_STOCK');
    const { rows } = await t.db.query(`select serial_key from stock_event where serial = any($1::text[]) order by serial`, [
      [sharp, acute],
    ]);
    expect(rows.map((x) => x.serial_key)).toEqual([`CAFé-${tag}`, `KB-ß-${tag}`]);
  });

  it('SER-3: a product id with letters outside a–z, scanned in any case, selects its item (it is not taken for a serial)', async () => {
    const merch = await t.as('merch');
    const tag = uniq('CAFé');
    const sub = (await t.db.query(`select id::text from classification where code = 'ELEC-TV-OLED'`)).rows[0]?.id;
    const created = await merch.data(
      `mutation($input: ItemInput!) { createItem(input: $input) { item { id } userErrors { code message } } }`,
      {
        input: {
          productId: tag,
          name: 'Café table',
          subcategoryId: sub,
          mainUpc: String(Date.now()).slice(-12),
          unitCost: '1.00',
          retailPrice: '2.00',
        },
      },
    );
    expect(created.createItem.userErrors).toEqual([]);
    const { receipt } = await createReceipt({});
    const r = await scan(receipt.id, [tag.toLowerCase(), tag].join('\n'));
    expect(r.results.map((x: any) => [x.outcome, x.itemId])).toEqual([
      ['ITEM_SELECTED', created.createItem.item.id],
      ['LOOKS_LIKE_UPC', created.createItem.item.id],
    ]);
  });

  it("SER-1: the database's serial_key_of() and the server's serialKey() agree on every kind of character", async () => {
    const samples = [
      'abc',
      ' ab c ',
      'ß',
      'straße',
      'é',
      'É',
      'ǆ',
      'ﬁ',
      'İi',
      'ı',
      'ω',
      'я',
      'ǅ',
      'Ⅻ',
      'ⓐ',
      '𝔞',
      'a\u00a0',
      '\u00a0b',
      'Ab-1/2',
    ];
    const { serialKey } = await import('../../server/src/modules/stock/serial-input.js');
    // The database only ever sees serials as stored, trimmed by the server (SER-2; JavaScript's trim
    // also takes no-break spaces, btrim only spaces), so both sides are given the trimmed serial.
    const { rows } = await t.db.query(`select s, serial_key_of(s) as k from unnest($1::text[]) s`, [samples.map((x) => x.trim())]);
    expect(rows.map((x) => x.k)).toEqual(samples.map((x) => serialKey(x)));
    expect(serialKey(' ab-ß ')).toBe('AB-ß');
  });

  it('SER-1: invisible characters inside a serial (zero-width space, BOM, bidi marks, line separator) are refused', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const bad = ['ZW\u200bSP', 'BO\ufeffM', 'RT\u200fL', 'LS\u2028X'];
    const r = await scan(receipt.id, bad.join('\n'), { currentItemId: tv.id });
    expect(r.results.map((x: any) => x.outcome)).toEqual(bad.map(() => 'INVALID_SERIAL'));
    expect(r.results[0].message).toMatch(/control characters \(or invisible ones/);
  });

  it('SER-1: control characters, 65 characters and an empty scan are refused with their reasons', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const r = await scan(receipt.id, `bad\u0007serial`, { currentItemId: tv.id });
    expect(r.results[0]).toMatchObject({ outcome: 'INVALID_SERIAL', accepted: false });
    expect(r.results[0].message).toMatch(/control characters/);
    expect((await scan(receipt.id, '   ', { currentItemId: tv.id })).results).toMatchObject([
      { outcome: 'INVALID_SERIAL', message: 'The scan was empty.' },
    ]);
    expect((await scan(receipt.id, 'Y'.repeat(64), { currentItemId: tv.id })).results[0].outcome).toBe('ACCEPTED');
  });

  it('SER-2: more than 10,000 entries in one paste are refused with a limit message and nothing is registered', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const paste = Array.from({ length: 10_001 }, (_, i) => `BULK-${i}`).join('\n');
    const r = await scan(receipt.id, paste, { currentItemId: tv.id });
    expect(r.userErrors).toEqual([
      { code: 'TOO_MANY_ENTRIES', message: 'At most 10,000 serials at once; this input has 10,001. Split it.' },
    ]);
    expect((await t.db.query(`select count(*)::int as n from receipt_scan where receipt_id = $1`, [receipt.id])).rows[0].n).toBe(0);
  });

  it('SER-2: exactly 10,000 serials in one paste are registered in one call', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const prefix = uniq('TENK');
    const r = await scan(receipt.id, Array.from({ length: 10_000 }, (_, i) => `${prefix}-${i}`).join('\n'), { currentItemId: tv.id });
    expect(r.results.filter((x: any) => x.outcome === 'ACCEPTED').length).toBe(10_000);
    const posted = await post(receipt.id);
    expect(posted.userErrors).toEqual([]);
    expect(
      (await t.db.query(`select count(*)::int as n from serial_unit where serial like $1 and state = 'IN_STOCK'`, [`${prefix}-%`])).rows[0]
        .n,
    ).toBe(10_000);
  });
});

describe('SER-3 wrong barcode', () => {
  it("SER-3: the current item's own UPC is refused as a serial, naming the product", async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const r = await scan(receipt.id, `${tv.upc}\n${tv.upc}`);
    expect(r.results[1]).toMatchObject({ outcome: 'LOOKS_LIKE_UPC', accepted: false });
    expect(r.results[1].message).toMatch(/^That is the product barcode of TVOLED-001 .*: scan the serial number\.$/);
  });

  it("SER-3: a serial that does not fit the item's pattern is refused with the pattern shown", async () => {
    const gun = await HANDGUN();
    const { receipt } = await createReceipt({});
    const r = await scan(receipt.id, `${gun.upc}\nnot-a-gun-serial\nZZ${Date.now().toString().slice(-6)}`);
    expect(r.results[1].outcome).toBe('PATTERN_MISMATCH');
    expect(r.results[1].message).toContain(gun.serial_pattern!);
    expect(r.results[2].outcome).toBe('ACCEPTED');
  });

  it('SER-3: a catastrophic pattern saved before patterns were checked does not hang a scan; the serial is PATTERN_MISMATCH', async () => {
    // Given an always-serialized item whose pattern was written straight into the database.
    const { rows } = await t.db.query(
      `select i.product_id from item i join item_policy p on p.item_id = i.id
       where p.level = 'ALWAYS' and p.serial_pattern is null and i.product_id not in ('TVOLED-001', 'FAHG-001')
       order by i.id desc limit 1`,
    );
    const productId: string = rows[0].product_id;
    await t.db.query(`update item set serial_pattern = '(a+)+$' where product_id = $1`, [productId]);
    const legacy = await item(productId);
    expect(legacy.serial_pattern).toBe('(a+)+$');
    const { receipt } = await createReceipt({});

    // When a clerk scans a serial that sends plain backtracking into 2^40 steps, then one that fits.
    const evil = 'a'.repeat(40) + '!';
    const r = await scan(receipt.id, `${legacy.upc}\n${evil}\n${'a'.repeat(12)}`);

    // Then the first is refused as not fitting, the second is accepted, and the server answers others.
    expect(r.results[1]).toMatchObject({ input: evil, outcome: 'PATTERN_MISMATCH', accepted: false });
    expect(r.results[1].message).toContain('(a+)+$');
    expect(r.results[2]).toMatchObject({ outcome: 'ACCEPTED', accepted: true });
    const tv = await TV();
    const serial = uniq();
    const after = await scan(receipt.id, `${tv.upc}\n${serial}`);
    expect(after.results.map((x: any) => x.outcome)).toEqual(['ITEM_SELECTED', 'ACCEPTED']);
    await t.db.query(`update item set serial_pattern = null where product_id = $1`, [productId]);
  });

  it('DOC-3: a serial for a never-serialized item is NOT_SERIALIZED; its UPC counts a unit instead', async () => {
    const cable = await CABLE();
    const { receipt } = await createReceipt({});
    const r = await scan(receipt.id, `${cable.upc}\nSOME-SERIAL\n${cable.upc}`);
    expect(r.results.map((x: any) => x.outcome)).toEqual(['ITEM_COUNTED', 'NOT_SERIALIZED', 'ITEM_COUNTED']);
    expect(r.results[2]).toMatchObject({ lineScanned: 2 });
  });
  it('DOC-3: counting a never-serialized ASN line past its quantity is OVER_SCAN; more units are entered as a quantity', async () => {
    const cable = await CABLE();
    const { receipt } = await createReceipt({ kind: 'ASN', lines: [{ itemId: cable.id, expectedQuantity: 2 }] });
    const r = await scan(receipt.id, [cable.upc, cable.upc, cable.upc].join('\n'));
    expect(r.results.map((x: any) => [x.outcome, x.lineScanned])).toEqual([
      ['ITEM_COUNTED', 1],
      ['ITEM_COUNTED', 2],
      ['OVER_SCAN', 2],
    ]);
    expect(r.results[2].message).toMatch(/all 2 expected units are already counted; if more arrived, set the received quantity/);
    const q = await clerk.data(`mutation($input: SetReceiptQuantityInput!) { setReceiptQuantity(input: $input) { userErrors { code } } }`, {
      input: { receiptId: receipt.id, itemId: cable.id, quantity: 3 },
    });
    expect(q.setReceiptQuantity.userErrors).toEqual([]);
    expect((await post(receipt.id)).userErrors).toEqual([]);
  });
});

describe('RCV-1 ASN receiving', () => {
  async function asn() {
    const tv = await TV();
    const cable = await CABLE();
    const serials = [uniq('ASN'), uniq('ASN'), uniq('ASN')];
    const r = await createReceipt({
      kind: 'ASN',
      asnReference: uniq('REF'),
      lines: [
        { itemId: tv.id, expectedQuantity: 3, serials },
        { code: cable.upc, expectedQuantity: 5 },
      ],
    });
    expect(r.userErrors).toEqual([]);
    return { receipt: r.receipt, tv, cable, serials };
  }

  it('RCV-1: a preregistered serial finds its own line with no item scanned first', async () => {
    const { receipt, tv, serials } = await asn();
    const r = await scan(receipt.id, serials[1]!);
    expect(r.results[0]).toMatchObject({ outcome: 'ACCEPTED', itemId: tv.id, lineScanned: 1, lineExpected: 3 });
    expect(r.results[0].message).toMatch(/1 of 3 scanned/);
    expect(r.currentItemId).toBe(tv.id);
  });

  it('RCV-1: a serial not on the ASN is refused, and an item not on the ASN too', async () => {
    const { receipt, tv } = await asn();
    expect((await scan(receipt.id, 'NOT-ON-ASN', { currentItemId: tv.id })).results[0].outcome).toBe('NOT_EXPECTED');
    const laptop = await item('CMPLAP-001');
    expect((await scan(receipt.id, laptop.upc)).results[0].outcome).toBe('NOT_EXPECTED');
  });

  it("DOC-3: scanning more than the line quantity is an over-scan; a pinned item refuses another line's serial as WRONG_ITEM", async () => {
    const tv = await TV();
    const cable = await CABLE();
    const lap = await item('CMPLAP-002');
    const lapSerial = uniq('LAP');
    const { receipt } = await createReceipt({
      kind: 'ASN',
      lines: [
        { itemId: tv.id, expectedQuantity: 1 },
        { itemId: lap.id, expectedQuantity: 1, serials: [lapSerial] },
        { itemId: cable.id, expectedQuantity: 1 },
      ],
    });
    const r = await scan(receipt.id, `${tv.upc}\n${uniq()}\n${uniq()}`);
    expect(r.results.map((x: any) => x.outcome)).toEqual(['ITEM_SELECTED', 'ACCEPTED', 'OVER_SCAN']);
    const pinned = await scan(receipt.id, lapSerial, { currentItemId: tv.id, pinItem: true });
    expect(pinned.results[0]).toMatchObject({ outcome: 'WRONG_ITEM', itemId: lap.id });
  });

  it('RCV-1: expected vs received differences are kept as variances after posting', async () => {
    const { receipt, cable, serials } = await asn();
    await scan(receipt.id, serials.slice(0, 2).join('\n'));
    const q = await clerk.data(`mutation($input: SetReceiptQuantityInput!) { setReceiptQuantity(input: $input) { userErrors { code } } }`, {
      input: { receiptId: receipt.id, itemId: cable.id, quantity: 6 },
    });
    expect(q.setReceiptQuantity.userErrors).toEqual([]);
    expect((await post(receipt.id)).userErrors).toEqual([]);
    const { receipt: after } = await clerk.data(
      `query($id: ID!) { receipt(id: $id) { status lines { expectedQuantity receivedQuantity variance } } }`,
      { id: receipt.id },
    );
    expect(after).toEqual({
      status: 'POSTED',
      lines: [
        { expectedQuantity: 3, receivedQuantity: 2, variance: -1 },
        { expectedQuantity: 5, receivedQuantity: 6, variance: 1 },
      ],
    });
  });

  it('RCV-1: an ASN can be imported from CSV; bad lines are named', async () => {
    const tv = await TV();
    const cable = await CABLE();
    const s1 = uniq('CSV');
    const csv = `asn_reference,vendor,item,quantity,serials\nASN-CSV-1,NWE,${tv.upc},2,${s1}|${uniq('CSV')}\nASN-CSV-1,NWE,${cable.upc},4,\n`;
    const r = await clerk.data(
      `mutation($input: ImportAsnInput!) { importAsn(input: $input) { receipt { id kind lines { expectedQuantity expectedSerials } } userErrors { code message } } }`,
      { input: { storeId: S001, csv } },
    );
    expect(r.importAsn.userErrors).toEqual([]);
    expect(r.importAsn.receipt.lines).toEqual([
      { expectedQuantity: 2, expectedSerials: expect.arrayContaining([s1]) },
      { expectedQuantity: 4, expectedSerials: [] },
    ]);
    const bad = await clerk.data(
      `mutation($input: ImportAsnInput!) { importAsn(input: $input) { receipt { id } userErrors { code message } } }`,
      {
        input: { storeId: S001, csv: `asn_reference,vendor,item,quantity,serials\nA,NWE,${tv.upc},1,\nA,NWE,000000000000,2,\n` },
      },
    );
    expect(bad.importAsn.receipt).toBeNull();
    expect(bad.importAsn.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', message: 'Line 3: No item has the code 000000000000.' });
  });
});

describe('RCV-1 ASN file import', () => {
  const IMPORT_ASN = `mutation($input: ImportAsnInput!) { importAsn(input: $input) { receipt { id } userErrors { code field message } } }`;
  const importAsn = async (csv: string) => (await clerk.data(IMPORT_ASN, { input: { storeId: S001, csv } })).importAsn;
  const receiptsOf = async (ref: string) =>
    (await t.db.query(`select count(*)::int as n from receipt where asn_reference = $1`, [ref])).rows[0].n as number;

  it('RCV-1: an ASN file with an unknown, missing or repeated column is refused, naming them; nothing is created', async () => {
    const tv = await TV();
    const ref = uniq('ASN-COLS');
    const misspelt = await importAsn(`asn_reference,vendor,item,quantity,serial\n${ref},NWE,${tv.upc},1,${uniq('CSV')}\n`);
    expect(misspelt.receipt).toBeNull();
    expect(misspelt.userErrors).toEqual([
      { code: 'MALFORMED_FILE', field: 'input.csv', message: expect.stringMatching(/^Unknown column\(s\): serial\. Expected header: /) },
    ]);
    const missing = await importAsn(`asn_reference,item,qty\n${ref},${tv.upc},1\n`);
    expect(missing.userErrors[0].message).toMatch(/^Missing column\(s\): quantity\. Unknown column\(s\): qty\./);
    const repeated = await importAsn(`asn_reference,item,quantity,item\n${ref},${tv.upc},1,${tv.upc}\n`);
    expect(repeated.userErrors[0]).toMatchObject({
      code: 'MALFORMED_FILE',
      message: expect.stringMatching(/^Repeated column\(s\): item\./),
    });
    expect(await receiptsOf(ref)).toBe(0);
  });

  it('RCV-1: lines that name different vendors or ASN references are refused line by line; nothing is created', async () => {
    const tv = await TV();
    const cable = await CABLE();
    const treadmill = await TREADMILL();
    const ref = uniq('ASN-VND');
    const r = await importAsn(
      `asn_reference,vendor,item,quantity\n${ref},NWE,${tv.upc},1\n${ref},UTH,${cable.upc},1\n${ref}-2,,${treadmill.upc},1\n`,
    );
    expect(r.receipt).toBeNull();
    expect(r.userErrors).toEqual([
      { code: 'INVALID_INPUT', field: 'input.csv', message: 'Line 3: vendor "UTH" differs from "NWE" on line 2; a file holds one ASN.' },
      {
        code: 'INVALID_INPUT',
        field: 'input.csv',
        message: `Line 4: ASN reference "${ref}-2" differs from "${ref}" on line 2; a file holds one ASN.`,
      },
      { code: 'INVALID_INPUT', field: 'input.csv', message: 'Line 4: vendor (blank) differs from "NWE" on line 2; a file holds one ASN.' },
    ]);
    expect(await receiptsOf(ref)).toBe(0);
    // The vendor code is compared as the vendor lookup does: case aside.
    const same = await importAsn(`asn_reference,vendor,item,quantity\n${ref},NWE,${tv.upc},1\n${ref},nwe,${cable.upc},1\n`);
    expect(same.userErrors).toEqual([]);
  });

  it('RCV-1: line errors of an ASN file name its file lines, counting blank lines and line breaks inside quotes', async () => {
    const tv = await TV();
    const ref = uniq('ASN-LINES');
    const csv = [
      'asn_reference,vendor,item,quantity,serials',
      '',
      `${ref},NWE,${tv.upc},2,"${uniq('CSV')}|`,
      `${uniq('CSV')}"`,
      `${ref},NWE,000000000000,2,`,
      '',
      `${ref},NWE,${tv.upc},1,`,
    ].join('\n');
    const r = await importAsn(csv);
    expect(r.receipt).toBeNull();
    expect(r.userErrors.map((e: any) => e.message)).toEqual([
      'Line 5: No item has the code 000000000000.',
      'Line 7: The item is already on line 3; one line per item.',
    ]);
    expect(await receiptsOf(ref)).toBe(0);
  });
});

describe('RCV-2 blind receiving', () => {
  it('RCV-2: scan an item UPC, then its serials; a serial with no item first is NEED_ITEM', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    expect((await scan(receipt.id, uniq())).results[0].outcome).toBe('NEED_ITEM');
    const s = uniq();
    const r = await scan(receipt.id, `${tv.upc}\n${s}`);
    expect(r.results.map((x: any) => x.outcome)).toEqual(['ITEM_SELECTED', 'ACCEPTED']);
    expect((await post(receipt.id)).userErrors).toEqual([]);
    expect(await unit(tv.id, s)).toMatchObject({ state: 'IN_STOCK', store: 'S001' });
  });

  it('RCV-2: item, quantity and serials can be entered as lines up front', async () => {
    const cable = await CABLE();
    const r = await createReceipt({ lines: [{ itemId: cable.id }] });
    expect(r.userErrors).toEqual([]);
    await clerk.data(`mutation($input: SetReceiptQuantityInput!) { setReceiptQuantity(input: $input) { userErrors { code } } }`, {
      input: { receiptId: r.receipt.id, itemId: cable.id, quantity: 7 },
    });
    const before = (
      await t.db.query(`select coalesce(sum(quantity), 0)::int as q from stock_level where item_id = $1 and store_id = $2`, [
        cable.id,
        S001,
      ])
    ).rows[0].q;
    expect((await post(r.receipt.id)).userErrors).toEqual([]);
    expect(
      (await t.db.query(`select quantity from stock_level where item_id = $1 and store_id = $2`, [cable.id, S001])).rows[0].quantity,
    ).toBe(before + 7);
  });
});

describe('DOC-3 scan answers', () => {
  it('DOC-3: the receipt in a scan answer is exactly what reading the receipt afterwards shows', async () => {
    const [tv, cable, treadmill] = [await TV(), await CABLE(), await TREADMILL()];
    const { receipt } = await createReceipt({});
    const dup = uniq();
    // New lines, counted units, serials, a duplicate, a refusal and a treadmill with a serial, in one paste.
    const input = [tv.upc, uniq(), dup, dup, cable.upc, cable.upc, treadmill.upc, uniq(), tv.upc, uniq()].join('\n');
    const SCAN_WITH_RECEIPT = `mutation($input: ScanReceiptInput!) { scanReceipt(input: $input) {
      results { outcome } userErrors { code } receipt { ${RECEIPT} store { code } createdBy { username } } } }`;
    const READ = `query($id: ID!) { receipt(id: $id) { ${RECEIPT} store { code } createdBy { username } } }`;
    for (const paste of [input, `${tv.upc}\n${uniq()}`]) {
      const answer = (await clerk.data(SCAN_WITH_RECEIPT, { input: { receiptId: receipt.id, input: paste } })).scanReceipt;
      expect(answer.userErrors).toEqual([]);
      const read = (await clerk.data(READ, { id: receipt.id })).receipt;
      expect(answer.receipt).toEqual(read);
    }
    // The lines' items (read with the lines, or carried by the scan) are the items as they read alone.
    const ITEM = `id productId name unitCost retailPrice mainUpc additionalUpcs vendor { name } policy { level source explanation serialPattern }`;
    const withItems = `query($id: ID!) { receipt(id: $id) { lines { item { ${ITEM} } } } }`;
    const scanned = (
      await clerk.data(`mutation($input: ScanReceiptInput!) { scanReceipt(input: $input) { receipt { lines { item { ${ITEM} } } } } }`, {
        input: { receiptId: receipt.id, input: cable.upc },
      })
    ).scanReceipt.receipt;
    for (const lines of [scanned.lines, (await clerk.data(withItems, { id: receipt.id })).receipt.lines])
      for (const l of lines)
        expect(l.item).toEqual((await clerk.data(`query($id: ID!) { item(id: $id) { ${ITEM} } }`, { id: l.item.id })).item);
    const read = (await clerk.data(READ, { id: receipt.id })).receipt;
    expect(read.lines.map((l: any) => [l.item.productId, l.receivedQuantity, l.scannedCount])).toEqual([
      ['TVOLED-001', 4, 4],
      ['AUDCBL-001', 3, 0],
      ['FITTRD-001', 1, 1],
    ]);
  });
});

describe('RCV-3 posting rule', () => {
  it('RCV-3: ALWAYS needs exactly one serial per received unit; the blocker says which line', async () => {
    const tv = await TV();
    const r = await createReceipt({ kind: 'ASN', lines: [{ itemId: tv.id, expectedQuantity: 2 }] });
    await clerk.data(`mutation($input: SetReceiptQuantityInput!) { setReceiptQuantity(input: $input) { userErrors { code } } }`, {
      input: { receiptId: r.receipt.id, itemId: tv.id, quantity: 2 },
    });
    await scan(r.receipt.id, uniq(), { currentItemId: tv.id });
    const p = await post(r.receipt.id);
    expect(p.userErrors).toEqual([expect.objectContaining({ code: 'SERIAL_COUNT_MISMATCH', index: 0 })]);
    expect(p.userErrors[0].message).toMatch(/^Line 1 \(TVOLED-001 .*\): 2 received but 1 serial\(s\)/);
    expect(p.receipt.status).toBe('OPEN');
  });

  it('RCV-3: SOMETIMES takes at most the quantity in serials; the rest is received without serials', async () => {
    const tm = await TREADMILL();
    const r = await createReceipt({});
    await scan(r.receipt.id, `${tm.upc}\n${uniq()}`);
    await clerk.data(`mutation($input: SetReceiptQuantityInput!) { setReceiptQuantity(input: $input) { userErrors { code } } }`, {
      input: { receiptId: r.receipt.id, itemId: tm.id, quantity: 3 },
    });
    expect((await post(r.receipt.id)).userErrors).toEqual([]);
    const ev = await t.db.query(
      `select count(*) filter (where unit_id is not null)::int as units, sum(quantity)::int as qty from stock_event where document_kind = 'RECEIPT' and document_id = $1`,
      [r.receipt.id],
    );
    expect(ev.rows[0]).toEqual({ units: 1, qty: 3 });
  });

  it('RCV-3: NEVER items take no serials', async () => {
    const cable = await CABLE();
    const r = await createReceipt({ kind: 'ASN', lines: [{ itemId: cable.id, expectedQuantity: 2, serials: ['X1'] }] });
    expect(r.userErrors).toEqual([expect.objectContaining({ code: 'SERIALS_NOT_ALLOWED', field: 'input.lines.0.serials', index: 0 })]);
  });

  it('RCV-3: a serial already in stock is refused at scan, naming where it is', async () => {
    const { rows } = await t.db.query(
      `select u.serial, u.item_id::text from serial_unit u join store s on s.id = u.store_id join item_policy p on p.item_id = u.item_id
       where s.code = 'S003' and u.state = 'IN_STOCK' and p.level = 'ALWAYS' and p.serial_pattern is null limit 1`,
    );
    const { receipt } = await createReceipt({});
    const r = await scan(receipt.id, rows[0].serial, { currentItemId: rows[0].item_id });
    expect(r.results[0]).toMatchObject({ outcome: 'IN_STOCK_ELSEWHERE', storeCode: 'S003' });
  });

  it('RCV-3: a unit that left (removed) may come back in, and keeps its one row', async () => {
    const tv = await TV();
    const s = uniq();
    const first = await createReceipt({});
    await scan(first.receipt.id, s, { currentItemId: tv.id });
    expect((await post(first.receipt.id)).userErrors).toEqual([]);
    // Take it out through the engine, as an adjustment would.
    const { applyMovement } = await import('../../server/src/modules/stock/stock.service.js');
    const c = await t.db.connect();
    try {
      await c.query('begin');
      await applyMovement(c, {
        type: 'ADJUSTMENT',
        document: { kind: 'TEST', id: 1, number: 'TEST-1' },
        userId: 1,
        reason: 'damaged',
        units: {
          moves: [{ index: 0, itemId: Number(tv.id), serial: s, serialKey: s }],
          from: { state: 'IN_STOCK', storeId: Number(S001) },
          to: { state: 'REMOVED' },
        },
      });
      await c.query('commit');
    } finally {
      c.release();
    }
    const again = await createReceipt({});
    expect((await scan(again.receipt.id, s, { currentItemId: tv.id })).results[0].outcome).toBe('ACCEPTED');
    expect((await post(again.receipt.id)).userErrors).toEqual([]);
    expect(
      (
        await t.db.query(`select count(*)::int as n, min(state) as state from serial_unit where item_id = $1 and serial_key = $2`, [
          tv.id,
          s,
        ])
      ).rows[0],
    ).toEqual({ n: 1, state: 'IN_STOCK' });
  });

  it('RCV-3: concurrent posting of two receipts with the same serial: exactly one succeeds (20 rounds)', async () => {
    const tv = await TV();
    const clerk2 = await t.as('manager');
    for (let round = 0; round < 20; round++) {
      const s = uniq('RACE');
      const a = await createReceipt({});
      const b = await createReceipt({}, clerk2);
      await scan(a.receipt.id, s, { currentItemId: tv.id });
      await scan(b.receipt.id, s, { currentItemId: tv.id }, clerk2);
      const [ra, rb] = await Promise.all([post(a.receipt.id), post(b.receipt.id, undefined, clerk2)]);
      const ok = [ra, rb].filter((r) => r.userErrors.length === 0);
      const refused = [ra, rb].filter((r) => r.userErrors.length > 0);
      expect(ok.length).toBe(1);
      expect(refused[0]!.userErrors).toEqual([
        expect.objectContaining({ code: 'IN_STOCK_ELSEWHERE', message: `Serial ${s} is already in stock at S001.` }),
      ]);
      expect(refused[0]!.receipt.status).toBe('OPEN');
      expect((await t.db.query(`select count(*)::int as n from stock_event where serial = $1`, [s])).rows[0].n).toBe(1);
    }
  });
  it('RCV-3: a serial that another receipt has since posted shows in postBlockers before anyone presses Post', async () => {
    const tv = await TV();
    const s = uniq('DUAL');
    const a = await createReceipt({});
    const b = await createReceipt({});
    await scan(a.receipt.id, s, { currentItemId: tv.id });
    const scanned = await scan(b.receipt.id, s, { currentItemId: tv.id });
    expect(scanned.results[0].outcome).toBe('ACCEPTED');
    const blockers = async (id: string) =>
      (await clerk.data(`query($id: ID!) { receipt(id: $id) { postBlockers { code message } } }`, { id })).receipt.postBlockers;
    expect(await blockers(b.receipt.id)).toEqual([]);
    expect((await post(a.receipt.id)).userErrors).toEqual([]);
    expect(await blockers(b.receipt.id)).toEqual([
      { code: 'IN_STOCK_ELSEWHERE', message: `Line 1: serial ${s} is already in stock at S001; remove it from this receipt.` },
    ]);
    expect((await post(b.receipt.id)).userErrors).toMatchObject([{ code: 'IN_STOCK_ELSEWHERE' }]);
  });
});

describe('DOC-1 / DOC-2 documents', () => {
  it('DOC-1: a retry with the same client key returns the first result and changes nothing', async () => {
    const tv = await TV();
    const key = randomUUID();
    const first = await createReceipt({ clientKey: key });
    const again = await createReceipt({ clientKey: key });
    expect(again).toMatchObject({ replayed: true, receipt: { id: first.receipt.id, number: first.receipt.number } });
    const s = uniq();
    await scan(first.receipt.id, s, { currentItemId: tv.id });
    const postKey = randomUUID();
    const p1 = await post(first.receipt.id, postKey);
    const events = (await t.db.query(`select count(*)::int as n from stock_event`)).rows[0].n;
    const p2 = await post(first.receipt.id, postKey);
    expect(p1).toMatchObject({ replayed: false, userErrors: [], receipt: { status: 'POSTED' } });
    expect(p2).toMatchObject({ replayed: true, userErrors: [], receipt: { id: first.receipt.id, status: 'POSTED' } });
    expect((await t.db.query(`select count(*)::int as n from stock_event`)).rows[0].n).toBe(events);
    // The same key for a different request is refused.
    const other = await createReceipt({ clientKey: key, note: 'different' });
    expect(other.userErrors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'clientKey' })]);
  });

  it('DOC-1: a scan retried with its client key is answered as the first time and registers nothing more, whatever the key and input hold', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const good = uniq();
    // Quotes and backslashes in the key and in the stored answer.
    const key = `k'ey\\ "${randomUUID()}" ''\\'`;
    const input = `${good}\nBAD'\\"SERIAL`;
    const first = await scan(receipt.id, input, { currentItemId: tv.id, clientKey: key });
    expect(first.results.map((r: { outcome: string }) => r.outcome)).toEqual(['ACCEPTED', 'ACCEPTED']);
    expect(first.results[1].input).toBe(`BAD'\\"SERIAL`);
    const scans = async () =>
      (await t.db.query(`select serial from receipt_scan where receipt_id = $1 order by id`, [receipt.id])).rows.map((r) => r.serial);
    expect(await scans()).toEqual([good, `BAD'\\"SERIAL`]);
    const again = await scan(receipt.id, input, { currentItemId: tv.id, clientKey: key });
    expect(again).toEqual({ ...first, replayed: true });
    expect(await scans()).toHaveLength(2);
    const other = await scan(receipt.id, uniq(), { currentItemId: tv.id, clientKey: key });
    expect(other.userErrors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' })]);
    expect(await scans()).toHaveLength(2);
    // A receipt id that is not a number, or beyond the range of ids, is bad input.
    for (const receiptId of [`1; drop table receipt`, '99999999999'])
      expect((await clerk.request(SCAN, { input: { receiptId, input: uniq(), currentItemId: tv.id } })).errors?.[0]?.extensions?.code).toBe(
        'BAD_USER_INPUT',
      );
    // A NUL in the scan is refused as that entry's answer; in a client key, as bad input.
    const nul = await scan(receipt.id, `${uniq()}\u0000X`, { currentItemId: tv.id });
    expect(nul.results.map((r: { outcome: string }) => r.outcome)).toEqual(['INVALID_SERIAL']);
    const nulKey = await clerk.request(SCAN, {
      input: { receiptId: receipt.id, input: uniq(), currentItemId: tv.id, clientKey: 'a\u0000b' },
    });
    expect(nulKey.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // None of these leaves a connection that fails the scans after them.
    for (let i = 0; i < 25; i++) {
      const ok = await scan(receipt.id, uniq(), { currentItemId: tv.id, clientKey: randomUUID() });
      expect(ok.results[0].outcome).toBe('ACCEPTED');
    }
  });

  it('DOC-1: the same scan sent at once several times with one client key registers once; the others are replays', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const serial = uniq();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => scan(receipt.id, serial, { currentItemId: tv.id, clientKey: key })));
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
    for (const a of answers) expect(a.results.map((r: { outcome: string }) => r.outcome)).toEqual(['ACCEPTED']);
    expect((await t.db.query(`select count(*)::int as n from receipt_scan where receipt_id = $1`, [receipt.id])).rows[0].n).toBe(1);
  });

  it('DOC-1: concurrent retries with one key create one receipt', async () => {
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 5 }, () => createReceipt({ clientKey: key })));
    expect(new Set(results.map((r) => r.receipt.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed).length).toBe(1);
  });

  it('DOC-3: posting twice, posting a receipt another clerk just posted, and scanning into a posted receipt are refused', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    await scan(receipt.id, uniq(), { currentItemId: tv.id });
    const manager = await t.as('manager');
    expect((await post(receipt.id, undefined, manager)).userErrors).toEqual([]);
    const second = await post(receipt.id);
    expect(second.userErrors).toEqual([expect.objectContaining({ code: 'DOCUMENT_NOT_OPEN' })]);
    expect(second.userErrors[0].message).toMatch(/RCV-\d{6} is posted/);
    const r = await clerk.data(SCAN, { input: { receiptId: receipt.id, input: uniq(), currentItemId: tv.id } });
    expect(r.scanReceipt.userErrors[0].code).toBe('DOCUMENT_NOT_OPEN');
  });

  it('DOC-2: two clerks scanning the same serial into one receipt at once: it is registered once', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const manager = await t.as('manager');
    const s = uniq();
    const [a, b] = await Promise.all([
      scan(receipt.id, s, { currentItemId: tv.id }),
      scan(receipt.id, s, { currentItemId: tv.id }, manager),
    ]);
    expect([a.results[0].outcome, b.results[0].outcome].sort()).toEqual(['ACCEPTED', 'DUPLICATE']);
  });

  it('DOC-3: a registered serial can be cleared and a line re-scanned from zero before posting', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({});
    const [a, b, c] = [uniq(), uniq(), uniq()];
    const r = await scan(receipt.id, [a, b, c].join('\n'), { currentItemId: tv.id });
    const REMOVE = `mutation($input: RemoveReceiptSerialsInput!) { removeReceiptSerials(input: $input) { receipt { lines { id receivedQuantity scannedCount serials { serial } } } userErrors { code } } }`;
    const removed = await clerk.data(REMOVE, { input: { receiptId: receipt.id, serials: [b.toLowerCase()] } });
    expect(removed.removeReceiptSerials.receipt.lines[0]).toMatchObject({
      receivedQuantity: 2,
      scannedCount: 2,
      serials: [{ serial: a }, { serial: c }],
    });
    const cleared = await clerk.data(REMOVE, { input: { receiptId: receipt.id, lineId: r.results[0].lineId } });
    expect(cleared.removeReceiptSerials.receipt.lines[0]).toMatchObject({ receivedQuantity: 0, scannedCount: 0, serials: [] });
    expect((await scan(receipt.id, b, { currentItemId: tv.id })).results[0].outcome).toBe('ACCEPTED');
  });
});

describe('RCV-4 event file, SEC-2 scope', () => {
  it('RCV-4: a posted receipt exports as CSV, one row per line, serials joined with |', async () => {
    const tv = await TV();
    const cable = await CABLE();
    const { receipt } = await createReceipt({});
    const [a, b] = [uniq(), uniq()];
    await scan(receipt.id, `${tv.upc}\n${a}\n${b}\n${cable.upc}`);
    expect(
      (await fetch(`${t.url}/export/receipts/${receipt.id}.csv`, { headers: { authorization: `Bearer ${clerk.token}` } })).status,
    ).toBe(409);
    await post(receipt.id);
    const res = await fetch(`${t.url}/export/receipts/${receipt.id}.csv`, { headers: { authorization: `Bearer ${clerk.token}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = (await res.text()).replace(/^\uFEFF/, '');
    const [header, ...rows] = text.trim().split(/\r?\n/);
    expect(header).toBe(
      'number,asn_reference,store,vendor,posted_at,line_no,product_id,upc,name,expected_quantity,received_quantity,variance,serials',
    );
    expect(rows.length).toBe(2);
    expect(rows[0]).toMatch(new RegExp(`,1,TVOLED-001,${tv.upc},.*,,2,,${a}\\|${b}$`));
    expect(rows[1]).toMatch(new RegExp(`,2,AUDCBL-001,${cable.upc},.*,,1,,$`));
    expect((await fetch(`${t.url}/export/receipts/${receipt.id}.csv`)).status).toBe(401);
    const clerk2 = await t.as('clerk2');
    expect(
      (await fetch(`${t.url}/export/receipts/${receipt.id}.csv`, { headers: { authorization: `Bearer ${clerk2.token}` } })).status,
    ).toBe(403);
  });

  it('RCV-4: a serial that looks like a spreadsheet formula stays text in the event file; negative variances stay numbers', async () => {
    const tv = await TV();
    const { receipt } = await createReceipt({ kind: 'ASN', lines: [{ itemId: tv.id, expectedQuantity: 3 }] });
    const tag = uniq();
    await scan(receipt.id, `=HYPERLINK("x")${tag}`, { currentItemId: tv.id });
    await scan(receipt.id, `@SUM(1)${tag}`, { currentItemId: tv.id });
    expect((await post(receipt.id)).userErrors).toEqual([]);
    const text = await (
      await fetch(`${t.url}/export/receipts/${receipt.id}.csv`, { headers: { authorization: `Bearer ${clerk.token}` } })
    ).text();
    const row = text.trim().split(/\r?\n/)[1]!;
    expect(row).toMatch(new RegExp(`,3,2,-1,"'=HYPERLINK\\(""x""\\)${tag}\\|@SUM\\(1\\)${tag}"$`));
  });

  it('SEC-2: a clerk cannot open or scan into a receipt at a store they are not assigned to', async () => {
    const res = await clerk.request(CREATE, { input: { storeId: S002, kind: 'BLIND' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('STORE_OUT_OF_SCOPE');
    const manager = await t.as('manager');
    const r = await manager.data(CREATE, { input: { storeId: S002, kind: 'BLIND' } });
    const tv = await TV();
    const scanRes = await clerk.request(SCAN, { input: { receiptId: r.createReceipt.receipt.id, input: 'X', currentItemId: tv.id } });
    expect(scanRes.errors?.[0]?.extensions?.code).toBe('STORE_OUT_OF_SCOPE');
    const viewer = await t.as('viewer');
    expect(await viewer.errorCode(CREATE, { input: { storeId: S001, kind: 'BLIND' } })).toBe('FORBIDDEN');
  });
});

describe('SEC-3 bad input', () => {
  const NUL = { message: 'Text cannot contain the NUL character (\\0).', extensions: { code: 'BAD_USER_INPUT' } };
  const receipts = async () => Number((await t.db.query(`select count(*) from receipt`)).rows[0].count);

  it('SEC-3: a NUL character in an ASN reference or a receipt search is BAD_USER_INPUT, and no receipt is created', async () => {
    const before = await receipts();
    expect(
      (await clerk.request(CREATE, { input: { storeId: S001, kind: 'BLIND', asnReference: 'ASN\u00001' } })).errors?.[0],
    ).toMatchObject(NUL);
    expect(await receipts()).toBe(before);
    const search = await clerk.request(`query($s: String) { receipts(filter: { search: $s }) { nodes { id } } }`, { s: 'a\u0000b' });
    expect(search.errors?.[0]).toMatchObject(NUL);
  });

  it('SEC-3: an ASN reference over 100 characters, a note over 2,000 and a client key over 100 are refused, and no receipt is created', async () => {
    const before = await receipts();
    const r = await createReceipt({ asnReference: 'R'.repeat(101), note: 'n'.repeat(2_001) });
    expect(r.userErrors).toEqual([
      {
        code: 'TOO_LONG',
        field: 'input.asnReference',
        message: 'The ASN reference is at most 100 characters; this one has 101.',
        index: null,
      },
      { code: 'TOO_LONG', field: 'input.note', message: 'The note is at most 2,000 characters; this one has 2,001.', index: null },
    ]);
    const keyed = await clerk.request(CREATE, { input: { storeId: S001, kind: 'BLIND', clientKey: 'k'.repeat(101) } });
    expect(keyed.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'clientKey' } });
    expect(await receipts()).toBe(before);
    // At the limits, accepted (characters, not UTF-16 units: 100 × "é" is 100).
    expect((await createReceipt({ asnReference: 'é'.repeat(100), note: '😀'.repeat(2_000) })).userErrors).toEqual([]);
  });

  it('SEC-3: a store id that is not an id is BAD_USER_INPUT in our words; a store that does not exist is NOT_FOUND', async () => {
    const admin = await t.as('admin');
    expect((await admin.request(CREATE, { input: { storeId: 'abc', kind: 'BLIND' } })).errors?.[0]).toMatchObject({
      message: 'input.storeId: "abc" is not a valid id.',
      extensions: { code: 'BAD_USER_INPUT', field: 'input.storeId' },
    });
    const before = await receipts();
    for (const storeId of ['999', '-1'])
      expect((await admin.request(CREATE, { input: { storeId, kind: 'BLIND' } })).errors?.[0]).toMatchObject({
        message: `Store ${storeId} does not exist.`,
        extensions: { code: 'NOT_FOUND', field: 'input.storeId' },
      });
    expect(await receipts()).toBe(before);
  });

  it('SEC-3: any value the database refuses (too long, a NUL, a missing reference…) is a typed error in our words, and nothing is saved', async () => {
    // A trigger stands in for the refusals the API checks before they can happen.
    await t.db.query(`create function refuse_note() returns trigger language plpgsql as $$ begin
      if new.note like 'SQLSTATE %' then raise exception 'PostgreSQL wording' using errcode = substr(new.note, 10); end if;
      return new; end $$;
      create trigger refuse_note before insert on receipt for each row execute function refuse_note()`);
    try {
      const before = await receipts();
      for (const [sqlstate, code] of [
        ['22001', 'BAD_USER_INPUT'],
        ['22021', 'BAD_USER_INPUT'],
        ['23503', 'NOT_FOUND'],
      ]) {
        const error = (await clerk.request(CREATE, { input: { storeId: S001, kind: 'BLIND', note: `SQLSTATE ${sqlstate}` } })).errors?.[0];
        expect(error?.extensions).toEqual({ code });
        expect(error?.message).not.toMatch(/PostgreSQL wording|internal/i);
      }
      // "Not in the form expected" is the caller's only when PostgreSQL was reading a value given
      // to it; raised by our own SQL (here the trigger), it is a fault of ours, masked and logged.
      const ours = (await clerk.request(CREATE, { input: { storeId: S001, kind: 'BLIND', note: 'SQLSTATE 22P02' } })).errors?.[0];
      expect(ours).toMatchObject({ message: 'Internal server error; it has been logged.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      const read = (await clerk.request(`query { receipt(id: "99999999999999999999") { id } }`)).errors?.[0];
      expect(read?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(await receipts()).toBe(before);
    } finally {
      await t.db.query(`drop trigger refuse_note on receipt; drop function refuse_note()`);
    }
  });

  it('SEC-3: an event file URL with an id beyond the range of ids answers JSON, not an HTML error page', async () => {
    const res = await fetch(`${t.url}/export/receipts/99999999999999999999.csv`, { headers: { authorization: `Bearer ${clerk.token}` } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await res.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const nowhere = await fetch(`${t.url}/export/nowhere.csv`, { headers: { authorization: `Bearer ${clerk.token}` } });
    expect(nowhere.status).toBe(404);
    expect((await nowhere.json()).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});
