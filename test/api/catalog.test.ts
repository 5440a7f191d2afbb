import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import type { ApiClient } from '../support/client.js';
import { patternRisk } from '../../server/src/modules/stock/serial-pattern.js';

let t: TestServer;
let merch: ApiClient;
beforeAll(async () => {
  t = await startTestServer();
  merch = await t.as('merch');
});
afterAll(async () => {
  await t?.close();
});

const nodeId = async (code: string) => String((await t.db.query(`select id from classification where code = $1`, [code])).rows[0].id);
const POLICY = `policy { level source sourceName explanation serialRequiredWhenSelling serialRequiredWhenReturning serialPattern }`;
const SET_LEVEL = `mutation($input: SetSerialLevelInput!) { setSerialLevel(input: $input) {
  change { id targetKind targetName oldLevel newLevel itemsAffected changedBy { username } }
  impact { itemsAffected transitions { from to items } sampleItems { productId } }
  userErrors { code field message } } }`;
const CREATE_ITEM = `mutation($input: ItemInput!) { createItem(input: $input) { item { id productId mainUpc additionalUpcs unitCost retailPrice ${POLICY} } userErrors { code field message index } } }`;

async function newItem(fields: Record<string, unknown> = {}) {
  const n = Math.floor(Math.random() * 1e9);
  const res = await merch.data(CREATE_ITEM, {
    input: {
      productId: `T-${n}`,
      name: `Test item ${n}`,
      subcategoryId: await nodeId('SPRT-TEAM-BAL'),
      mainUpc: String(700000000000 + n),
      unitCost: '10.00',
      retailPrice: '19.99',
      ...fields,
    },
  });
  expect(res.createItem.userErrors).toEqual([]);
  return res.createItem.item;
}
const setLevel = (target: Record<string, string>, level: string | null, client = merch) =>
  client.data(SET_LEVEL, { input: { target, level } }).then((r) => r.setSerialLevel);
const policyOf = async (itemId: string) =>
  (await merch.data(`query($id: ID!) { item(id: $id) { ${POLICY} } }`, { id: itemId })).item.policy;

// SER-3: patterns whose matching time explodes on a failing serial, and patterns real catalogs use.
const CATASTROPHIC_PATTERNS = ['(a+)+$', '(a|a)*b', '(\\w+)\\1', '(x+x+)+y'];
const REAL_WORLD_PATTERNS = [
  '[A-Z]{2}\\d{6}',
  'SN\\d{8}',
  '(ABC|XYZ)-\\d{4}',
  '[0-9A-F]{12}',
  '\\d{3}-\\d{2}-[A-Z]+',
  '(?:SN)?\\d+',
  '[A-Z0-9]{5,20}',
];

describe('SER-3 pattern analysis', () => {
  const safe = [
    ...REAL_WORLD_PATTERNS,
    '[A-Z]{2,3}[0-9]{5,7}', // the demo handgun pattern
    '(\\d{3}-){2}\\d{4}', // a fixed-length group repeated a fixed number of times
    '(?:[A-Z]\\d)+', // a fixed-length group repeated: one way to split
    '((a))+',
    '[(+*)]+', // quantifier characters inside a class are plain characters
    '[\\]+*]+x', // so is an escaped ] inside a class
    '\\(\\d+\\)\\*', // escaped parentheses and star
    '\\d+?-\\w*?-[A-Z]+', // lazy quantifiers
    '\\p{Lu}{2}\\d{4}', // \p{…} is no quantifier; {2} after it is
    '\\u{1F600}\\u0041{2}',
    '(?<prefix>[A-Z]{2})-\\d+',
    '(?:SN|S\\/N)?\\d+-\\d+-\\d+', // an optional group with alternatives; three open-ended repeats
    '^SN\\d+$',
  ];
  const risky: [string, RegExp][] = [
    ['(a+)+$', /nested repetition/],
    ['(a|a)*b', /nested repetition/],
    ['(x+x+)+y', /nested repetition/],
    ['(a*)*', /nested repetition/],
    ['(?:a|b)+', /nested repetition/],
    ['(a+?)+?', /nested repetition/],
    ['(a?){20}', /nested repetition/],
    ['(a+){2}', /nested repetition/],
    ['(?:a+){1,}', /nested repetition/],
    ['(.*a){3}', /nested repetition/],
    ['((ab)+)+', /nested repetition/],
    ['(?<n>[a-z]+)*', /nested repetition/],
    ['(?:(?=a+)a)*', /looks ahead or behind/],
    ['(?=SN)[A-Z]{2}\\d{6}', /looks ahead or behind/],
    ['(?<!X)\\d+', /looks ahead or behind/],
    // Found by review: 2^19 optional letters, each path re-reading the serial in five lookaheads (200 ms a serial).
    ['\\p{L}?'.repeat(19) + '(?=\\p{L}{44})'.repeat(5), /looks ahead or behind/],
    ['(\\w+)\\1', /refers back/],
    ['(?<n>a)\\k<n>', /refers back/],
    ['\\d+\\d+\\d+\\d+', /more than 3 open-ended/],
    ['A\\d*|B\\d*|C\\d*|D\\d{2,}', /more than 3 open-ended/],
    ['(ab){100}', /more than 64 times/],
    ['((ab){10}){10}', /more than 64 times/],
    ['(?:ab){65,}', /more than 64 times/],
    ['a?'.repeat(21), /too many variable-length/],
    ['\\d{0,60}'.repeat(4), /too many variable-length/],
    ['(a|a)'.repeat(20), /too many variable-length/],
  ];
  it.each(safe)('SER-3: %s can be checked directly', (pattern) => {
    expect(new RegExp(pattern, 'u')).toBeInstanceOf(RegExp);
    expect(patternRisk(pattern)).toBeNull();
  });
  it.each(risky)('SER-3: %s is refused', (pattern, reason) => {
    expect(new RegExp(pattern, 'u')).toBeInstanceOf(RegExp);
    expect(patternRisk(pattern)).toMatch(reason);
  });
  it('SER-3: a { that starts no quantifier is a plain character (without the u flag)', () => {
    expect(patternRisk('a{,5}b{')).toBeNull();
    expect(patternRisk('(a{x})+')).toBeNull();
  });
});

describe('POL-2 effective level', () => {
  // Every combination of an own level at item / subcategory / category / department / none.
  const levels = ['ALWAYS', 'SOMETIMES', 'NEVER'];
  const cases: [string, (string | null)[]][] = [];
  for (let mask = 0; mask < 16; mask++) {
    const own = [0, 1, 2, 3].map((bit) => ((mask >> bit) & 1 ? levels[(mask + bit) % 3]! : null)); // [item, sub, cat, dept]
    cases.push([own.map((l, i) => `${['item', 'subcategory', 'category', 'department'][i]}=${l ?? '-'}`).join(' '), own]);
  }
  it.each(cases)('POL-2: nearest explicit level wins, default NEVER (%s)', async (_name, [itemL, subL, catL, depL]) => {
    const suffix = Math.floor(Math.random() * 1e9);
    const mk = async (parentId: string | null, level: string | null) => {
      const r = await merch.data(
        `mutation($input: ClassificationInput!) { createClassification(input: $input) { classification { id name level } userErrors { code } } }`,
        {
          input: { parentId, code: `N${suffix}-${Math.random().toString(36).slice(2, 8)}`, name: `Node ${suffix}`, serialLevel: level },
        },
      );
      expect(r.createClassification.userErrors).toEqual([]);
      return r.createClassification.classification;
    };
    const dep = await mk(null, depL);
    const cat = await mk(dep.id, catL);
    const sub = await mk(cat.id, subL);
    expect([dep.level, cat.level, sub.level]).toEqual(['DEPARTMENT', 'CATEGORY', 'SUBCATEGORY']);
    const item = await newItem({ subcategoryId: sub.id, serialLevel: itemL });
    const [expectedLevel, expectedSource] = itemL
      ? [itemL, 'ITEM']
      : subL
        ? [subL, 'SUBCATEGORY']
        : catL
          ? [catL, 'CATEGORY']
          : depL
            ? [depL, 'DEPARTMENT']
            : ['NEVER', 'DEFAULT'];
    expect(item.policy.level).toBe(expectedLevel);
    expect(item.policy.source).toBe(expectedSource);
    if (expectedSource === 'DEFAULT') expect(item.policy.explanation).toMatch(/^default/);
    else if (expectedSource === 'ITEM') expect(item.policy.explanation).toBe('set on this item');
    else expect(item.policy.explanation).toBe(`inherited from ${expectedSource[0]}${expectedSource.slice(1).toLowerCase()} Node ${suffix}`);
  });

  it('POL-2: the demo catalog shows inheritance from the department, the category and an item override', async () => {
    const items = async (productId: string) =>
      (await merch.data(`query($s: String) { items(filter: { search: $s }) { nodes { productId ${POLICY} } } }`, { s: productId })).items
        .nodes[0];
    expect((await items('TVOLED-001')).policy).toMatchObject({
      level: 'ALWAYS',
      source: 'DEPARTMENT',
      explanation: 'inherited from Department Electronics',
    });
    expect((await items('FARIF-001')).policy).toMatchObject({ level: 'ALWAYS', source: 'CATEGORY', sourceName: 'Firearms' });
    expect((await items('AUDCBL-001')).policy).toMatchObject({ level: 'NEVER', source: 'SUBCATEGORY' });
    expect((await items('TEAMJER-001')).policy).toMatchObject({ level: 'ALWAYS', source: 'ITEM' });
    expect((await items('TEAMBAL-001')).policy).toMatchObject({ level: 'NEVER', source: 'DEFAULT' });
  });

  it("POL-2: the tree reports each node's own and effective level", async () => {
    const { classificationTree } = await merch.data(
      `{ classificationTree { code serialLevel effectivePolicy { level explanation } children { code serialLevel effectivePolicy { level source sourceName explanation } itemCount } } }`,
    );
    const sprt = classificationTree.find((d: any) => d.code === 'SPRT');
    expect(sprt).toMatchObject({ serialLevel: null, effectivePolicy: { level: 'NEVER' } });
    expect(sprt.children.find((c: any) => c.code === 'SPRT-FIT')).toMatchObject({
      serialLevel: 'SOMETIMES',
      effectivePolicy: { level: 'SOMETIMES', explanation: 'set here' },
      itemCount: 32,
    });
    const elec = classificationTree.find((d: any) => d.code === 'ELEC');
    expect(elec.children.find((c: any) => c.code === 'ELEC-TV')).toMatchObject({
      serialLevel: null,
      effectivePolicy: { level: 'ALWAYS', source: 'DEPARTMENT', sourceName: 'Electronics' },
    });
  });
});

describe('POL-1 levels and flags', () => {
  it('POL-1: ALWAYS requires serials for sale and return whatever the flags; NEVER never; SOMETIMES follows the flags', async () => {
    const a = await newItem({ serialLevel: 'ALWAYS', serialRequiredWhenSelling: false });
    expect(a.policy).toMatchObject({ level: 'ALWAYS', serialRequiredWhenSelling: true, serialRequiredWhenReturning: true });
    const n = await newItem({ serialLevel: 'NEVER', serialRequiredWhenSelling: true, serialRequiredWhenReturning: true });
    expect(n.policy).toMatchObject({ level: 'NEVER', serialRequiredWhenSelling: false, serialRequiredWhenReturning: false });
    const s = await newItem({ serialLevel: 'SOMETIMES', serialRequiredWhenSelling: true, serialRequiredWhenReturning: false });
    expect(s.policy).toMatchObject({ level: 'SOMETIMES', serialRequiredWhenSelling: true, serialRequiredWhenReturning: false });
    const upd = await merch.data(
      `mutation($input: UpdateItemInput!) { updateItem(input: $input) { item { ${POLICY} } userErrors { code } } }`,
      {
        input: { id: s.id, serialRequiredWhenSelling: false, serialRequiredWhenReturning: true },
      },
    );
    expect(upd.updateItem.item.policy).toMatchObject({ serialRequiredWhenSelling: false, serialRequiredWhenReturning: true });
  });
});

describe('POL-3 changes: preview, audit', () => {
  it('POL-3: the preview counts exactly the items whose effective level changes, and saving writes an audit row', async () => {
    const app = await nodeId('APP');
    const { rows } = await t.db.query(
      `select count(*)::int as n from item i join classification s on s.id = i.subcategory_id join classification c on c.id = s.parent_id
       where i.department_id = $1 and i.active and i.serial_level is null and s.serial_level is null and c.serial_level is null`,
      [app],
    );
    expect(rows[0].n).toBeGreaterThan(0);
    const preview = await merch.data(
      `query($t: PolicyTargetInput!, $l: SerialLevel) { policyImpact(target: $t, level: $l) { itemsAffected transitions { from to items } sampleItems { productId } } }`,
      {
        t: { classificationId: app },
        l: 'SOMETIMES',
      },
    );
    expect(preview.policyImpact).toMatchObject({
      itemsAffected: rows[0].n,
      transitions: [{ from: 'NEVER', to: 'SOMETIMES', items: rows[0].n }],
    });
    expect(preview.policyImpact.sampleItems.length).toBe(Math.min(20, rows[0].n));
    // The preview saved nothing.
    expect((await t.db.query(`select serial_level from classification where id = $1`, [app])).rows[0].serial_level).toBe('NEVER');

    const saved = await setLevel({ classificationId: app }, 'SOMETIMES');
    expect(saved.userErrors).toEqual([]);
    expect(saved.change).toMatchObject({
      targetKind: 'CLASSIFICATION',
      targetName: 'Apparel',
      oldLevel: 'NEVER',
      newLevel: 'SOMETIMES',
      itemsAffected: rows[0].n,
      changedBy: { username: 'merch' },
    });
    const audit = await t.db.query(`select * from policy_change where id = $1`, [saved.change.id]);
    expect(audit.rows[0]).toMatchObject({ target_kind: 'CLASSIFICATION', old_level: 'NEVER', new_level: 'SOMETIMES' });
    const { policyChanges } = await merch.data(`{ policyChanges(first: 5) { id targetName oldLevel newLevel changedBy { username } } }`);
    expect(policyChanges[0]).toMatchObject({ id: saved.change.id, targetName: 'Apparel', oldLevel: 'NEVER', newLevel: 'SOMETIMES' });
  });

  it('POL-3: clearing an item override (level null) falls back to the inherited level, audited old → null', async () => {
    const item = await newItem({ serialLevel: 'ALWAYS' });
    const r = await setLevel({ itemId: item.id }, null);
    expect(r.change).toMatchObject({ targetKind: 'ITEM', oldLevel: 'ALWAYS', newLevel: null, itemsAffected: 1 });
    expect(r.impact.transitions).toEqual([{ from: 'ALWAYS', to: 'NEVER', items: 1 }]);
    expect(await policyOf(item.id)).toMatchObject({ level: 'NEVER', source: 'DEFAULT' });
  });

  it('POL-3: setting the level it already has changes nothing and writes no audit row', async () => {
    const before = (await t.db.query(`select count(*)::int as n from policy_change`)).rows[0].n;
    const r = await setLevel({ classificationId: await nodeId('ELEC') }, 'ALWAYS');
    expect(r).toMatchObject({ change: null, userErrors: [] });
    expect((await t.db.query(`select count(*)::int as n from policy_change`)).rows[0].n).toBe(before);
  });

  it('POL-3: a level on an unknown node is a NOT_FOUND userError and nothing is saved', async () => {
    const r = await setLevel({ classificationId: '987654' }, 'ALWAYS');
    expect(r.userErrors).toEqual([
      { code: 'NOT_FOUND', field: 'input.target.classificationId', message: 'Classification 987654 does not exist.' },
    ]);
    const both = await setLevel({ classificationId: '1', itemId: '1' }, 'ALWAYS');
    expect(both.userErrors[0].code).toBe('INVALID_INPUT');
  });

  it('SEC-1: only merchandisers and admins change levels', async () => {
    const clerk = await t.as('clerk');
    expect(await clerk.errorCode(SET_LEVEL, { input: { target: { classificationId: await nodeId('ELEC') }, level: 'NEVER' } })).toBe(
      'FORBIDDEN',
    );
    expect((await t.db.query(`select serial_level from classification where code = 'ELEC'`)).rows[0].serial_level).toBe('ALWAYS');
  });
});

describe('POL-2 tree shape', () => {
  const CREATE = `mutation($input: ClassificationInput!) { createClassification(input: $input) { classification { id } userErrors { code field message } } }`;
  const UPDATE = `mutation($input: UpdateClassificationInput!) { updateClassification(input: $input) { classification { id } userErrors { code field message } } }`;

  it('POL-2: a fourth tree level is refused', async () => {
    const r = await merch.data(CREATE, { input: { parentId: await nodeId('APP-MEN-SHI'), code: 'X4', name: 'Too deep' } });
    expect(r.createClassification.userErrors).toEqual([
      { code: 'FOURTH_LEVEL', field: 'input.parentId', message: 'The tree has three levels: a subcategory cannot have children.' },
    ]);
  });

  it('POL-2: a cycle is refused (moving a category under itself or a department under its descendant)', async () => {
    const cat = await nodeId('APP-MEN');
    expect((await merch.data(UPDATE, { input: { id: cat, parentId: cat } })).updateClassification.userErrors[0].code).toBe('CYCLE');
    const sub = await nodeId('APP-MEN-SHI');
    expect((await merch.data(UPDATE, { input: { id: await nodeId('APP'), parentId: sub } })).updateClassification.userErrors[0].code).toBe(
      'CYCLE',
    );
    expect((await merch.data(UPDATE, { input: { id: cat, parentId: sub } })).updateClassification.userErrors[0].code).toBe('CYCLE');
  });

  it('POL-2: the database itself refuses a fourth level, whatever the code does', async () => {
    const sub = await t.db.query(`select id from classification where code = 'APP-MEN-SHI'`);
    await expect(
      t.db.query(
        `insert into classification (level, parent_id, parent_level, code, name) values ('SUBCATEGORY', $1, 'SUBCATEGORY', 'BAD', 'Bad')`,
        [sub.rows[0].id],
      ),
    ).rejects.toThrow(/check constraint/);
  });

  it("POL-2: moving a subcategory to another category keeps items' classification path in step", async () => {
    const sub = await nodeId('APP-WOM-OUT');
    const r = await merch.data(UPDATE, { input: { id: sub, parentId: await nodeId('APP-MEN') } });
    expect(r.updateClassification.userErrors).toEqual([]);
    const { rows } = await t.db.query(
      `select distinct c.code from item i join classification c on c.id = i.category_id where i.subcategory_id = $1`,
      [sub],
    );
    expect(rows).toEqual([{ code: 'APP-MEN' }]);
    // A subcategory cannot move directly under a department.
    const bad = await merch.data(UPDATE, { input: { id: sub, parentId: await nodeId('APP') } });
    expect(bad.updateClassification.userErrors[0].code).toBe('INVALID_PARENT');
  });
});

describe('POL-4 items and UPCs', () => {
  it('POL-4: decimals are exact strings, never floats', async () => {
    const item = await newItem({ unitCost: '1234567.1', retailPrice: '0.10' });
    expect(item).toMatchObject({ unitCost: '1234567.10', retailPrice: '0.10' });
    expect((await t.db.query(`select unit_cost::text from item where id = $1`, [item.id])).rows[0].unit_cost).toBe('1234567.1000');
  });

  it('POL-4: a negative price or a non-decimal cost is a typed error naming the field, nothing saved', async () => {
    const res = await merch.data(CREATE_ITEM, {
      input: {
        productId: 'BAD-1',
        name: 'Bad',
        subcategoryId: await nodeId('APP-MEN-SHI'),
        mainUpc: '123456789012',
        unitCost: 'abc',
        retailPrice: '-3',
      },
    });
    expect(res.createItem.item).toBeNull();
    expect(res.createItem.userErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'INVALID_DECIMAL', field: 'input.unitCost' }),
        expect.objectContaining({ code: 'NEGATIVE_AMOUNT', field: 'input.retailPrice' }),
      ]),
    );
    expect((await t.db.query(`select 1 from item where product_id = 'BAD-1'`)).rowCount).toBe(0);
  });

  it('POL-4: a UPC already used by another item (main or additional) is refused, naming that item', async () => {
    const { rows } = await t.db.query(
      `select u.upc, i.product_id, i.name from item_upc u join item i on i.id = u.item_id where not u.is_main limit 1`,
    );
    const res = await merch.data(CREATE_ITEM, {
      input: { productId: 'DUP-1', name: 'Dup', subcategoryId: await nodeId('APP-MEN-SHI'), mainUpc: rows[0].upc },
    });
    expect(res.createItem.userErrors).toEqual([
      {
        code: 'UPC_TAKEN',
        field: 'input.mainUpc',
        message: `UPC ${rows[0].upc} is already used by item ${rows[0].product_id} ${rows[0].name}.`,
        index: null,
      },
    ]);
    const main = await t.db.query(`select upc from item_upc where is_main limit 1`);
    const res2 = await merch.data(CREATE_ITEM, {
      input: {
        productId: 'DUP-2',
        name: 'Dup',
        subcategoryId: await nodeId('APP-MEN-SHI'),
        mainUpc: '555000111222',
        additionalUpcs: [main.rows[0].upc],
      },
    });
    expect(res2.createItem.userErrors[0]).toMatchObject({ code: 'UPC_TAKEN', field: 'input.additionalUpcs.0' });
    expect((await t.db.query(`select 1 from item where product_id in ('DUP-1', 'DUP-2')`)).rowCount).toBe(0);
  });

  it('POL-4: an 11th additional UPC is refused', async () => {
    const upcs = Array.from({ length: 11 }, (_, i) => String(880000000000 + i));
    const res = await merch.data(CREATE_ITEM, {
      input: {
        productId: 'UPC-11',
        name: 'Many',
        subcategoryId: await nodeId('APP-MEN-SHI'),
        mainUpc: '881000000000',
        additionalUpcs: upcs,
      },
    });
    expect(res.createItem.userErrors).toEqual([expect.objectContaining({ code: 'TOO_MANY_UPCS', field: 'input.additionalUpcs' })]);
    const ten = await merch.data(CREATE_ITEM, {
      input: {
        productId: 'UPC-10',
        name: 'Ten',
        subcategoryId: await nodeId('APP-MEN-SHI'),
        mainUpc: '881000000000',
        additionalUpcs: upcs.slice(0, 10),
      },
    });
    expect(ten.createItem.item.additionalUpcs).toEqual(upcs.slice(0, 10));
  });

  it('POL-4: the database refuses a duplicate UPC even if validation is bypassed', async () => {
    const { rows } = await t.db.query(`select upc, item_id from item_upc limit 1`);
    const other = await t.db.query(`select id from item where id <> $1 limit 1`, [rows[0].item_id]);
    await expect(
      t.db.query(`insert into item_upc (upc, item_id, is_main) values ($1, $2, false)`, [rows[0].upc, other.rows[0].id]),
    ).rejects.toThrow(/duplicate key/);
  });

  it('POL-4: scanning resolves a main UPC, an additional UPC and a product id to the item', async () => {
    const { rows } = await t.db.query(
      `select i.id::text, i.product_id, m.upc as main, a.upc as extra from item i join item_upc m on m.item_id = i.id and m.is_main join item_upc a on a.item_id = i.id and not a.is_main limit 1`,
    );
    const r = rows[0];
    const q = `query($c: String!) { resolveCode(code: $c) { matchedBy item { id ${POLICY} } } }`;
    expect((await merch.data(q, { c: r.main })).resolveCode).toMatchObject({ matchedBy: 'MAIN_UPC', item: { id: r.id } });
    expect((await merch.data(q, { c: ` ${r.extra}\n` })).resolveCode).toMatchObject({ matchedBy: 'ADDITIONAL_UPC', item: { id: r.id } });
    expect((await merch.data(q, { c: r.product_id.toLowerCase() })).resolveCode).toMatchObject({
      matchedBy: 'PRODUCT_ID',
      item: { id: r.id },
    });
    expect((await merch.data(q, { c: '000000000000' })).resolveCode).toBeNull();
    // Search by any UPC finds the item too.
    const s = await merch.data(`query($s: String) { items(filter: { search: $s }) { totalCount nodes { id } } }`, { s: r.extra });
    expect(s.items).toEqual({ totalCount: 1, nodes: [{ id: r.id }] });
  });

  it('POL-4: a scanned code answers with the whole item, field for field as the item itself reads', async () => {
    // Items with a vendor, prices with cents, an override with a pattern and additional UPCs.
    const { rows } = await t.db.query(
      `select i.id::text, m.upc from item i join item_upc m on m.item_id = i.id and m.is_main
       where i.vendor_id is not null and exists (select 1 from item_upc a where a.item_id = i.id and not a.is_main) order by i.id limit 3`,
    );
    expect(rows.length).toBe(3);
    await t.db.query(
      `update item set unit_cost = 12.3450, retail_price = 1299.99, serial_level = 'SOMETIMES', serial_pattern = '^[A-Z0-9]+$' where id = $1`,
      [rows[0].id],
    );
    const ITEM = `id productId name description style size color brand season team unitCost retailPrice serialLevel serialPattern
      serialRequiredWhenSelling serialRequiredWhenReturning active mainUpc additionalUpcs vendor { id name }
      classification { id name } category { id } department { id } ${POLICY}`;
    for (const r of rows) {
      const { resolveCode } = await merch.data(`query($c: String!) { resolveCode(code: $c) { item { ${ITEM} } } }`, { c: r.upc });
      const { item } = await merch.data(`query($id: ID!) { item(id: $id) { ${ITEM} } }`, { id: r.id });
      expect(resolveCode.item).toEqual(item);
    }
    const { item } = await merch.data(`query($id: ID!) { item(id: $id) { unitCost retailPrice policy { source } } }`, { id: rows[0].id });
    expect(item).toEqual({ unitCost: '12.345', retailPrice: '1299.99', policy: { source: 'ITEM' } });
  });

  it('SER-3: an invalid serial pattern is refused; a valid one is kept', async () => {
    const res = await merch.data(CREATE_ITEM, {
      input: {
        productId: 'PAT-1',
        name: 'Pat',
        subcategoryId: await nodeId('APP-MEN-SHI'),
        mainUpc: '882000000000',
        serialPattern: '[A-Z',
      },
    });
    expect(res.createItem.userErrors[0]).toMatchObject({ code: 'INVALID_PATTERN', field: 'input.serialPattern' });
    const ok = await newItem({ serialPattern: 'SN[0-9]{6}' });
    expect(ok.policy.serialPattern).toBe('SN[0-9]{6}');
  });

  it.each(CATASTROPHIC_PATTERNS)(
    'SER-3: a pattern whose checking time can blow up is refused with INVALID_PATTERN, nothing saved (%s)',
    async (pattern) => {
      const productId = `PAT-${Math.floor(Math.random() * 1e9)}`;
      const res = await merch.data(CREATE_ITEM, {
        input: {
          productId,
          name: 'Pat',
          subcategoryId: await nodeId('APP-MEN-SHI'),
          mainUpc: String(883000000000 + Math.floor(Math.random() * 1e9)),
          serialPattern: pattern,
        },
      });
      expect(res.createItem.item).toBeNull();
      expect(res.createItem.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_PATTERN', field: 'input.serialPattern' })]);
      expect(res.createItem.userErrors[0].message).toMatch(/could take too long to check/);
      expect((await t.db.query(`select 1 from item where product_id = $1`, [productId])).rowCount).toBe(0);
    },
  );

  it('SER-3: editing an item to a pattern whose checking time can blow up is refused; the old pattern stays', async () => {
    const item = await newItem({ serialPattern: 'SN\\d{8}' });
    const res = await merch.data(`mutation($input: UpdateItemInput!) { updateItem(input: $input) { userErrors { code field message } } }`, {
      input: { id: item.id, serialPattern: '(a+)+$' },
    });
    expect(res.updateItem.userErrors).toEqual([
      {
        code: 'INVALID_PATTERN',
        field: 'input.serialPattern',
        message:
          'This pattern repeats a group that itself repeats or has alternatives, such as (a+)+ or (a|b)*: it could take too long to check. Write it without nested repetition.',
      },
    ]);
    expect((await policyOf(item.id)).serialPattern).toBe('SN\\d{8}');
  });

  it.each(REAL_WORLD_PATTERNS)('SER-3: a real-world serial pattern is accepted (%s)', async (pattern) => {
    const item = await newItem({ serialPattern: pattern });
    expect(item.policy.serialPattern).toBe(pattern);
  });

  it('POL-4: items are keyset-paged without duplicates or gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const r: any = await merch.data(
        `query($a: String) { items(first: 97, after: $a) { totalCount nodes { productId } pageInfo { endCursor hasNextPage } } }`,
        { a: after },
      );
      total = r.items.totalCount;
      seen.push(...r.items.nodes.map((n: any) => n.productId));
      if (!r.items.pageInfo.hasNextPage) break;
      after = r.items.pageInfo.endCursor;
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(total).toBeGreaterThanOrEqual(320);
    expect(await merch.errorCode(`{ items(first: 10001) { totalCount } }`)).toBe('BAD_USER_INPUT');
  });

  it('POL-4: effective policies of many items come back in one call', async () => {
    const { rows } = await t.db.query(`select id::text from item order by id`);
    const { itemPolicies } = await merch.data(`query($ids: [ID!]!) { itemPolicies(itemIds: $ids) { itemId level source } }`, {
      ids: rows.map((r) => r.id),
    });
    expect(itemPolicies.length).toBe(rows.length);
    const sql = await t.db.query(`select item_id::text, level, source from item_policy order by item_id`);
    expect(itemPolicies.map((p: any) => [p.itemId, p.level, p.source])).toEqual(sql.rows.map((r) => [r.item_id, r.level, r.source]));
  });

  it('POL-2: the column-shaped itemPolicyTable carries exactly what itemPolicies does, row for row', async () => {
    const { rows } = await t.db.query(`select id::text from item order by id`);
    // Some overrides, so item sources and patterns appear too; an unknown id is left out by both.
    await t.db.query(
      `update item set serial_level = 'SOMETIMES', serial_pattern = '^[A-Z]{2}\\d+$' where id in (select id from item order by id limit 3)`,
    );
    const ids = [...rows.map((r) => r.id), '999999', 'abc', '-1'];
    const fields =
      'itemId level source sourceId sourceName explanation serialRequiredWhenSelling serialRequiredWhenReturning serialPattern';
    const { itemPolicies, itemPolicyTable: tb } = await merch.data(
      `query($ids: [ID!]!) {
        itemPolicies(itemIds: $ids) { ${fields} }
        itemPolicyTable(itemIds: $ids) { itemIds levels sources sourceIds sourceNames explanations serialRequiredWhenSelling serialRequiredWhenReturning serialPatterns }
      }`,
      { ids },
    );
    expect(tb.itemIds.length).toBe(rows.length);
    const asRows = tb.itemIds.map((itemId: string, i: number) => ({
      itemId,
      level: tb.levels[i],
      source: tb.sources[i],
      sourceId: tb.sourceIds[i],
      sourceName: tb.sourceNames[i],
      explanation: tb.explanations[i],
      serialRequiredWhenSelling: tb.serialRequiredWhenSelling[i],
      serialRequiredWhenReturning: tb.serialRequiredWhenReturning[i],
      serialPattern: tb.serialPatterns[i],
    }));
    expect(asRows).toEqual(itemPolicies);
    expect(asRows.filter((r: any) => r.source === 'ITEM' && r.serialPattern).length).toBe(3);
    expect(
      await merch.errorCode(`query($ids: [ID!]!) { itemPolicyTable(itemIds: $ids) { itemIds } }`, {
        ids: Array.from({ length: 10_001 }, (_, i) => String(i + 1)),
      }),
    ).toBe('BAD_USER_INPUT');
  });
});

describe('POL-4 CSV import', () => {
  const waitForJob = async (id: string) => {
    for (let i = 0; i < 1200; i++) {
      const { itemImport } = await merch.data(
        `query($id: ID!) { itemImport(id: $id) { status total processed imported failed errors { line code field message } } }`,
        { id },
      );
      if (itemImport.status !== 'RUNNING') return itemImport;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('import did not finish');
  };

  it('POL-4: valid rows are imported and bad rows are listed with line and reason', async () => {
    const csv = [
      'product_id,name,subcategory,vendor,main_upc,additional_upcs,unit_cost,retail_price,serial_level',
      'IMP-1,Imported one,APP-MEN-SHI,UTH,990000000001,990000000101|990000000102,5.00,9.99,',
      'IMP-2,Bad cost,APP-MEN-SHI,UTH,990000000002,,-5,9.99,',
      'IMP-3,Unknown subcategory,NOPE,UTH,990000000003,,1,2,',
      'IMP-4,Duplicate UPC in file,APP-MEN-SHI,,990000000001,,1,2,',
      'IMP-5,"Quoted, with comma",ELEC-TV-OLED,NWE,990000000005,,100,200,SOMETIMES',
    ].join('\n');
    const res = await merch.data(`mutation($csv: String!) { importItems(csv: $csv) { job { id total } userErrors { code message } } }`, {
      csv,
    });
    expect(res.importItems.userErrors).toEqual([]);
    expect(res.importItems.job.total).toBe(5);
    const job = await waitForJob(res.importItems.job.id);
    expect(job).toMatchObject({ status: 'DONE', total: 5, processed: 5, imported: 2, failed: 3 });
    expect(job.errors.map((e: any) => [e.line, e.code, e.field])).toEqual([
      [3, 'NEGATIVE_AMOUNT', 'unit_cost'],
      [4, 'NOT_FOUND', 'subcategory'],
      [5, 'UPC_TAKEN', 'main_upc'],
    ]);
    const { rows } = await t.db.query(`select product_id, name, serial_level from item where product_id like 'IMP-%' order by product_id`);
    expect(rows).toEqual([
      { product_id: 'IMP-1', name: 'Imported one', serial_level: null },
      { product_id: 'IMP-5', name: 'Quoted, with comma', serial_level: 'SOMETIMES' },
    ]);
    expect(
      (
        await t.db.query(`select upc from item_upc u join item i on i.id = u.item_id where i.product_id = 'IMP-1' order by position`)
      ).rows.map((r) => r.upc),
    ).toEqual(['990000000001', '990000000101', '990000000102']);
  });

  it('SER-3: an imported row whose pattern could take too long to check is refused with INVALID_PATTERN', async () => {
    const csv = [
      'product_id,name,subcategory,main_upc,serial_pattern',
      'PATIMP-1,Safe pattern,APP-MEN-SHI,992000000001,SN\\d{8}',
      'PATIMP-2,Nested repeat,APP-MEN-SHI,992000000002,(a+)+$',
    ].join('\n');
    const res = await merch.data(`mutation($csv: String!) { importItems(csv: $csv) { job { id } userErrors { code message } } }`, { csv });
    expect(res.importItems.userErrors).toEqual([]);
    const job = await waitForJob(res.importItems.job.id);
    expect(job).toMatchObject({ status: 'DONE', imported: 1, failed: 1 });
    expect(job.errors.map((e: any) => [e.line, e.code, e.field])).toEqual([[3, 'INVALID_PATTERN', 'serial_pattern']]);
    const { rows } = await t.db.query(`select product_id, serial_pattern from item where product_id like 'PATIMP-%'`);
    expect(rows).toEqual([{ product_id: 'PATIMP-1', serial_pattern: 'SN\\d{8}' }]);
  });

  it('POL-4: a malformed file is refused with the line and reason, nothing imported', async () => {
    const csv = 'product_id,name,subcategory,main_upc\nX-1,"unclosed,APP-MEN-SHI,991000000001\n';
    const res = await merch.data(`mutation($csv: String!) { importItems(csv: $csv) { job { id } userErrors { code field message } } }`, {
      csv,
    });
    expect(res.importItems.job).toBeNull();
    expect(res.importItems.userErrors[0]).toMatchObject({ code: 'MALFORMED_FILE', field: 'csv' });
    const missing = await merch.data(`mutation($csv: String!) { importItems(csv: $csv) { job { id } userErrors { code message } } }`, {
      csv: 'name\nfoo\n',
    });
    expect(missing.importItems.userErrors[0].message).toMatch(/Missing column\(s\): product_id, subcategory, main_upc/);
  });
  const IMPORT = `mutation($csv: String!) { importItems(csv: $csv) { job { id total } userErrors { code field message } } }`;
  const importFile = async (csv: string) => {
    const res = await merch.data(IMPORT, { csv });
    expect(res.importItems.userErrors).toEqual([]);
    return res.importItems.job.id as string;
  };

  it('POL-4: two imports of the same new file at once save each row once; the other job lists it as a DUPLICATE row', async () => {
    const tag = `CC${Date.now().toString(36).toUpperCase()}`;
    const base = 930_000_000_000 + (Date.now() % 1_000_000) * 10_000;
    const csv = [
      'product_id,name,subcategory,main_upc',
      ...Array.from({ length: 3000 }, (_, i) => `${tag}-${i},Concurrent ${i},APP-MEN-SHI,${base + i}`),
    ].join('\n');
    const ids = await Promise.all([importFile(csv), importFile(csv)]);
    const jobs = await Promise.all(ids.map(waitForJob));
    for (const job of jobs) {
      expect(job).toMatchObject({ status: 'DONE', total: 3000, processed: 3000 });
      expect(job.imported + job.failed).toBe(3000);
      // A row saved by the other job is a taken product id (and its UPC a taken one), nothing else.
      const productErrors = job.errors.filter((e: any) => e.field === 'product_id');
      expect(productErrors.length).toBe(job.failed);
      expect(new Set(productErrors.map((e: any) => e.code))).toEqual(new Set(job.failed ? ['DUPLICATE'] : []));
      expect(job.errors.filter((e: any) => e.field !== 'product_id').every((e: any) => e.code === 'UPC_TAKEN')).toBe(true);
    }
    expect(jobs[0].imported + jobs[1].imported).toBe(3000);
    // Each line is imported by exactly one of the two jobs.
    const failedLines = [...jobs[0].errors, ...jobs[1].errors]
      .filter((e: any) => e.field === 'product_id')
      .map((e: any) => e.line)
      .sort((a: number, b: number) => a - b);
    expect(failedLines).toEqual(Array.from({ length: 3000 }, (_, i) => i + 2));
    const { rows } = await t.db.query(`select count(*)::int as n from item where product_id like $1`, [`${tag}-%`]);
    expect(rows[0].n).toBe(3000);
  });

  it('POL-4: a product id or UPC another user saves while the import runs is reported on its row; the row is not half-saved', async () => {
    const tag = `RC${Date.now().toString(36).toUpperCase()}`;
    const base = 940_000_000_000 + (Date.now() % 1_000_000) * 10;
    // Given another transaction that has saved (not yet committed) an item with the file's
    // product id of line 3 and one with the additional UPC of line 4,
    const other = await t.db.connect();
    let jobId: string;
    try {
      await other.query('begin');
      const sub = `(select id from classification where code = 'APP-MEN-SHI')`;
      const cat = `(select parent_id from classification where code = 'APP-MEN-SHI')`;
      const { rows } = await other.query(
        `insert into item (product_id, name, subcategory_id, category_id, department_id)
         select p, 'Saved meanwhile', ${sub}, ${cat}, (select parent_id from classification where id = ${cat})
         from unnest($1::text[]) p returning id`,
        [[`${tag}-2`, `${tag}-OTHER`]],
      );
      await other.query(`insert into item_upc (upc, item_id, is_main) values ($1, $2, true), ($3, $4, true)`, [
        String(base + 8),
        rows[0].id,
        String(base + 9),
        rows[1].id,
      ]);
      // when the import reaches its insert and waits for that transaction, which then commits,
      jobId = await importFile(
        [
          'product_id,name,subcategory,main_upc,additional_upcs',
          `${tag}-1,One,APP-MEN-SHI,${base + 1},`,
          `${tag}-2,Two,APP-MEN-SHI,${base + 2},`,
          `${tag}-3,Three,APP-MEN-SHI,${base + 3},${base + 9}`,
          `${tag}-4,Four,APP-MEN-SHI,${base + 4},`,
        ].join('\n'),
      );
      for (let i = 0; ; i++) {
        const { rows: waiting } = await t.db.query(
          `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into item %'`,
        );
        if (waiting.length) break;
        if (i > 200) throw new Error('the import did not wait for the other transaction');
        await new Promise((r) => setTimeout(r, 25));
      }
      await other.query('commit');
    } finally {
      other.release();
    }
    // then those rows are reported as taken, and the others imported whole.
    const job = await waitForJob(jobId);
    expect(job).toMatchObject({ status: 'DONE', total: 4, processed: 4, imported: 2, failed: 2 });
    expect(job.errors.map((e: any) => [e.line, e.code, e.field])).toEqual([
      [3, 'DUPLICATE', 'product_id'],
      [4, 'UPC_TAKEN', 'additional_upcs'],
    ]);
    const { rows } = await t.db.query(
      `select i.product_id, array_agg(u.upc order by u.position) as upcs from item i left join item_upc u on u.item_id = i.id
       where i.product_id like $1 group by i.product_id order by i.product_id`,
      [`${tag}-%`],
    );
    expect(rows).toEqual([
      { product_id: `${tag}-1`, upcs: [String(base + 1)] },
      { product_id: `${tag}-2`, upcs: [String(base + 8)] },
      { product_id: `${tag}-4`, upcs: [String(base + 4)] },
      { product_id: `${tag}-OTHER`, upcs: [String(base + 9)] },
    ]);
  });

  it('POL-4: row errors name the file line the row starts on, counting blank lines and line breaks inside quotes', async () => {
    const jobId = await importFile(
      [
        'product_id,name,description,subcategory,main_upc',
        '',
        `LN-${Date.now()},Fine,"two',
        'lines",APP-MEN-SHI,${950_000_000_000 + (Date.now() % 1_000_000)}`,
        '',
        'LN-BAD,Bad subcategory,,NOPE,950000000001',
        'LN-BAD2,"Also',
        'bad",,NOPE,950000000002',
      ].join('\r\n'),
    );
    const job = await waitForJob(jobId);
    expect(job).toMatchObject({ status: 'DONE', total: 3, imported: 1, failed: 2 });
    expect(job.errors.map((e: any) => [e.line, e.code, e.field])).toEqual([
      [6, 'NOT_FOUND', 'subcategory'],
      [7, 'NOT_FOUND', 'subcategory'],
    ]);
  });

  it('POL-4: a header that names a column twice is refused, nothing imported', async () => {
    const res = await merch.data(IMPORT, { csv: 'product_id,name,name,subcategory,main_upc\nDUP-COL-1,A,B,APP-MEN-SHI,951000000001\n' });
    expect(res.importItems.job).toBeNull();
    expect(res.importItems.userErrors).toEqual([
      { code: 'MALFORMED_FILE', field: 'csv', message: expect.stringMatching(/^Repeated column\(s\): name\./) },
    ]);
    expect((await t.db.query(`select 1 from item where product_id = 'DUP-COL-1'`)).rowCount).toBe(0);
  });
});

describe('SEC-3 bad input', () => {
  it('SEC-3: a NUL character in a scanned code or an item search is BAD_USER_INPUT in our words', async () => {
    const NUL = { message: 'Text cannot contain the NUL character (\\0).', extensions: { code: 'BAD_USER_INPUT' } };
    expect(
      (await merch.request(`query($c: String!) { resolveCode(code: $c) { matchedBy } }`, { c: 'a\u0000b' })).errors?.[0],
    ).toMatchObject(NUL);
    expect(
      (await merch.request(`query($s: String) { items(filter: { search: $s }) { totalCount } }`, { s: 'a\u0000b' })).errors?.[0],
    ).toMatchObject(NUL);
  });
});
