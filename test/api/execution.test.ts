import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/app.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';

// The API executes operations with graphql-jit (compiled); GRAPHQL_EXECUTOR=graphql-js switches
// to graphql-js's interpreter. Both servers here share one database and one session, so every
// answer — data, errors, their codes and paths, the HTTP status — must be byte for byte the same.

let t: TestServer;
let interpreted: RunningServer;
let compiledAdmin: ApiClient;
let interpretedAdmin: ApiClient;
let compiledClerk: ApiClient;
let interpretedClerk: ApiClient;

beforeAll(async () => {
  t = await startTestServer();
  interpreted = await startServer(
    { databaseUrl: t.databaseUrl, port: 0, sessionHours: 12, secureCookies: false, executor: 'graphql-js' },
    { migrate: false },
  );
  compiledAdmin = await t.as('admin');
  interpretedAdmin = new ApiClient(interpreted.url);
  interpretedAdmin.token = compiledAdmin.token;
  compiledClerk = await t.as('clerk');
  interpretedClerk = new ApiClient(interpreted.url);
  interpretedClerk.token = compiledClerk.token;
});
afterAll(async () => {
  await interpreted?.close();
  await t?.close();
});

async function raw(client: ApiClient, query: string, variables: Record<string, unknown>) {
  const res = await fetch(`${client.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.text() };
}

/**
 * Asks both servers. The compiling server runs an operation on graphql-js the first time it sees
 * it and compiled from the second, so it is asked three times: every answer must be the same.
 */
async function sameAnswer(query: string, variables: Record<string, unknown> = {}, as: 'admin' | 'clerk' = 'admin') {
  const compiledClient = as === 'admin' ? compiledAdmin : compiledClerk;
  const expected = await raw(as === 'admin' ? interpretedAdmin : interpretedClerk, query, variables);
  for (let i = 0; i < 3; i++) expect(await raw(compiledClient, query, variables)).toEqual(expected);
  return JSON.parse(expected.body) as {
    data?: Record<string, any> | null;
    errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[];
  };
}

const id = async (sql: string) => String((await t.db.query(sql)).rows[0].id);

describe('compiled execution answers exactly as graphql-js', () => {
  it('nested objects and lists, aliases, fragments, __typename and enums', async () => {
    const res = await sameAnswer(`
      fragment S on Store { id code name kind timeZone venue { id name } registers { code } }
      query { me { __typename expiresAt user { username role } stores { code } } stores { ...S __typename } first: stores { code } }`);
    expect(res.data!.stores.length).toBeGreaterThan(1);
  });

  it('@include and @skip driven by variables, both ways', async () => {
    const q = `query($a: Boolean!, $b: Boolean!) { stores { code name @include(if: $a) timeZone @skip(if: $b) } }`;
    for (const [a, b] of [
      [true, false],
      [false, true],
    ])
      await sameAnswer(q, { a, b });
  });

  it('items with policy, UPCs, classification and custom scalars (decimals, dates)', async () => {
    const res = await sameAnswer(`query { items(first: 25) { totalCount pageInfo { hasNextPage endCursor }
      nodes { id productId name mainUpc additionalUpcs unitCost retailPrice active
        classification { id name level serialLevel path effectivePolicy { level source } } department { name }
        policy { level source sourceId sourceName explanation serialRequiredWhenSelling serialRequiredWhenReturning serialPattern } } } }`);
    expect(res.data!.items.nodes).toHaveLength(25);
  });

  it('bulk policies and the policy table, including ids that name no item', async () => {
    const { rows } = await t.db.query(`select id from item order by id limit 200`);
    const ids = [...rows.map((r) => String(r.id)), '999999999', 'not-a-number'];
    const res = await sameAnswer(
      `query($ids: [ID!]!) { itemPolicies(itemIds: $ids) { itemId level source sourceId sourceName explanation serialRequiredWhenSelling serialRequiredWhenReturning serialPattern }
        itemPolicyTable(itemIds: $ids) { itemIds levels sources sourceIds sourceNames explanations serialRequiredWhenSelling serialRequiredWhenReturning serialPatterns } }`,
      { ids },
    );
    expect(res.data!.itemPolicies).toHaveLength(200);
  });

  it('a scanned code, a receipt list with lines, and a report page with totals', async () => {
    const upc = (await t.db.query(`select upc from item_upc where not is_main limit 1`)).rows[0].upc as string;
    const res = await sameAnswer(
      `query($upc: String!) { resolveCode(code: $upc) { matchedBy item { id productId policy { level source } } }
      receipts(first: 5) { hasNextPage nodes { id number kind status store { code } createdBy { username } createdAt postedAt
        lines { item { productId } expectedQuantity receivedQuantity } } }
      serialHistory(first: 20) { rows { eventId serial type occurredAt localTime storeCode department documentNumber cursor } pageInfo { hasNextPage endCursor } }
      serialHistoryTotals { total byType { type count } } }`,
      { upc },
    );
    expect(res.data!.resolveCode.matchedBy).toBe('ADDITIONAL_UPC');
    expect(res.data!.serialHistory.rows.length).toBeGreaterThan(0);
  });

  it('errors: a resolver refusal with its code and path, beside data that still resolves', async () => {
    const outside = await id(`select id from store where code = 'S002'`);
    const res = await sameAnswer(`query($id: ID!) { stores { code } store(id: $id) { code } }`, { id: outside }, 'clerk');
    expect(res.errors?.[0]?.extensions?.code).toBe('STORE_OUT_OF_SCOPE');
  });

  it('errors: a variable of the wrong type is BAD_USER_INPUT, and an unknown id NOT_FOUND', async () => {
    const bad = await sameAnswer(`query($n: Int!) { items(first: $n) { totalCount } }`, { n: 'many' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await sameAnswer(`query { item(id: "999999999") { id } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('errors: a failing statement is an internal error with its path, logged, its cause not shown', async () => {
    await t.db.query(`alter table vendor rename to vendor_gone`);
    try {
      const res = await sameAnswer(`query { stores { code } vendors { id name } }`);
      expect(res.errors?.[0]).toMatchObject({
        message: 'Internal server error; it has been logged.',
        path: ['vendors'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    } finally {
      await t.db.query(`alter table vendor_gone rename to vendor`);
    }
  });

  it('errors: a null where the schema promises a value nulls the parent, as graphql-js does', async () => {
    await t.db.query(`alter table store alter column time_zone drop not null`);
    await t.db.query(`update store set time_zone = null where code = 'S003'`);
    try {
      const res = await sameAnswer(`query { me { expiresAt } stores { code timeZone } }`);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.path).toEqual(['stores', 2, 'timeZone']);
    } finally {
      await t.db.query(`update store set time_zone = 'America/New_York' where code = 'S003'`);
      await t.db.query(`alter table store alter column time_zone set not null`);
    }
  });

  it('a mutation refused with user errors saves nothing and answers the same', async () => {
    const res = await sameAnswer(
      `mutation($input: ItemInput!) { createItem(input: $input) { item { id } userErrors { code field message } } }`,
      {
        input: { productId: '', name: 'x', subcategoryId: '1', mainUpc: '1', unitCost: '-1', retailPrice: '1' },
      },
    );
    expect(res.data!.createItem.userErrors.length).toBeGreaterThan(0);
  });
});
