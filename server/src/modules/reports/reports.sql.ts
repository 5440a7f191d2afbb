import { createHash } from 'node:crypto';
import { literal } from '../../common/db.js';
import { fail } from '../../common/errors.js';
import type { Bounds, ResolvedHistory, ResolvedOnHand } from './reports.filter.js';
import { SerialHistorySort } from './reports.types.js';

/**
 * SQL of the reports, as text + parameters, so the service, the CSV export and the benchmark
 * (EXPLAIN) all run the very same statements.
 *
 * Shape of every history statement: an inner query on the ledger alone (plus `item` when a
 * classification, vendor or product sort needs it) that filters, orders along an index and
 * stops at the page size; an outer query that joins the names onto those few rows only.
 * Paging is by keyset — `(occurred_at, id) < (…)` — never OFFSET (ARCHITECTURE §3).
 */

export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * A page query as a named prepared statement: the text depends only on the filter's shape
 * (every value is a parameter), so each pooled connection parses it once and PostgreSQL may
 * keep its plan — planning is a third of a first page's time in the database.
 */
export function prepared(st: Statement): Statement & { name: string } {
  return { ...st, name: `report_${createHash('sha1').update(st.text).digest('hex').slice(0, 20)}` };
}

/**
 * The values of a statement as bind parameters, or, `inline`, as quoted literals in the text
 * (for COPY, which takes no parameters; see `literal`), always followed by the cast, so a
 * literal is read as the type it stands for.
 */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly inline = false) {}
  add(v: unknown, cast: string): string {
    if (this.inline) return `${literal(v)}::${cast}`;
    this.values.push(v);
    return `$${this.values.length}::${cast}`;
  }
}

/**
 * First characters that make a spreadsheet run a cell as a formula (CSV injection, e.g. a
 * customer named "=HYPERLINK(…)"), as csv-stringify's escape_formulas has them: = + - @, tab,
 * carriage return and their full-width forms. Such a cell is exported with a ' in front, so it
 * shows as text.
 */
const FORMULA_STARTS = [...'=+-@\t\r\uFF1D\uFF0B\uFF0D\uFF20'].map((c) => c.codePointAt(0)).join(', ');

/**
 * The select of a CSV export: every column as text, formula-guarded. The columns are computed
 * once in an inner query (aliased c0…) whose order the outer one keeps; the guard reads each twice.
 */
function csvSelect(columns: [string, string][], query: (list: string) => string): string {
  const list = columns.map(([, sql], i) => `${sql} as c${i}`).join(',\n  ');
  const cells = columns.map((_, i) => `case when ascii(q.c${i}) in (${FORMULA_STARTS}) then '''' || q.c${i} else q.c${i} end`);
  return `select ${cells.join(',\n  ')}\nfrom (${query(list)}) q`;
}

// ------------------------------------------------------------------------------------------
// Sorting and cursors

type Dir = 'asc' | 'desc';
interface Key {
  /** Expression in the inner query (aliases e = stock_event, i = item). */
  inner: string;
  /** The same value in the outer query (alias p = inner row). */
  outer: string;
  /** Cursor column of the outer query, and the cast of its value. */
  column: string;
  cast: string;
  dir: Dir;
}

const T = (dir: Dir): Key => ({ inner: 'e.occurred_at', outer: 'p.occurred_at', column: 't_key', cast: 'timestamptz', dir });
const ID = (dir: Dir): Key => ({ inner: 'e.id', outer: 'p.id', column: 'id_key', cast: 'bigint', dir });
const S = (dir: Dir): Key => ({ inner: 'e.serial_key', outer: 'p.serial_key', column: 's_key', cast: 'text', dir });
const P = (dir: Dir): Key => ({ inner: 'lower(i.product_id)', outer: 'p.product_key', column: 'p_key', cast: 'text', dir });

/** Every sort ends in the event id, so the order is total and a keyset never skips or repeats a row. */
export const SORTS: Record<SerialHistorySort, Key[]> = {
  DATE_DESC: [T('desc'), ID('desc')],
  DATE_ASC: [T('asc'), ID('asc')],
  SERIAL_ASC: [S('asc'), T('asc'), ID('asc')],
  SERIAL_DESC: [S('desc'), T('desc'), ID('desc')],
  // Newest first within a product.
  PRODUCT_ASC: [P('asc'), T('desc'), ID('desc')],
  PRODUCT_DESC: [P('desc'), T('desc'), ID('desc')],
};

export function encodeCursor(sort: string, values: string[]): string {
  return Buffer.from(JSON.stringify([sort, ...values])).toString('base64url');
}

/** The keys of a cursor, each checked against the cast of its column (`casts`), so PostgreSQL never refuses one. */
export function decodeCursor(cursor: string, sort: string, casts: string[]): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== casts.length + 1 || !parsed.every((x) => typeof x === 'string')) {
    return fail('BAD_USER_INPUT', 'after is not a cursor of this report.', { field: 'after' });
  }
  if (parsed[0] !== sort)
    fail('BAD_USER_INPUT', `after is a cursor of the ${parsed[0]} order; ask again without it for ${sort}.`, { field: 'after' });
  const keys = parsed.slice(1) as string[];
  if (!keys.every((k, n) => isCursorKey(k, casts[n]!))) fail('BAD_USER_INPUT', 'after is not a cursor of this report.', { field: 'after' });
  return keys;
}

/** A key as encoded from a row: an instant as ISO 8601 in UTC (t_key), a positive id, or text. */
function isCursorKey(value: string, cast: string): boolean {
  if (cast === 'bigint') return /^\d{1,18}$/.test(value);
  if (cast === 'timestamptz') {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,6})?Z$/.exec(value);
    // Round trip: Date reads "February 30" as March 2, PostgreSQL refuses it.
    return !!m && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().slice(0, 19) === m[1];
  }
  return !value.includes('\0');
}

/**
 * `keys > cursor` in the sort's order. Runs of keys with the same direction compare as one row
 * value, which PostgreSQL matches to a multi-column index: `(occurred_at, id) < ($1, $2)`.
 */
function keyset(keys: Key[], values: string[], p: Params, side: 'inner' | 'outer' = 'inner'): string {
  const runs: { keys: Key[]; vals: string[] }[] = [];
  keys.forEach((k, n) => {
    const last = runs.at(-1);
    const v = p.add(values[n], k.cast);
    if (last && last.keys[0]!.dir === k.dir) {
      last.keys.push(k);
      last.vals.push(v);
    } else runs.push({ keys: [k], vals: [v] });
  });
  const row = (xs: string[]) => (xs.length > 1 ? `(${xs.join(', ')})` : xs[0]!);
  const build = (i: number): string => {
    const r = runs[i]!;
    const lhs = row(r.keys.map((k) => k[side]));
    const rhs = row(r.vals);
    const strict = `${lhs} ${r.keys[0]!.dir === 'desc' ? '<' : '>'} ${rhs}`;
    return i === runs.length - 1 ? strict : `(${strict} or (${lhs} = ${rhs} and ${build(i + 1)}))`;
  };
  return build(0);
}

const orderBy = (keys: Key[], side: 'inner' | 'outer') => keys.map((k) => `${k[side]} ${k.dir}`).join(', ');

// ------------------------------------------------------------------------------------------
// Serial history (REP-1)

/** Per-store time bounds as conditions: an overall range the indexes can use, then each store's own. */
function boundsConditions(bounds: Bounds[], p: Params, store: string, time: string): string[] {
  if (!bounds.length) return ['false'];
  const out: string[] = [];
  const los = bounds.map((b) => b.lo);
  const his = bounds.map((b) => b.hi);
  if (los.every(Boolean)) out.push(`${time} >= ${p.add(new Date(Math.min(...los.map((d) => d!.getTime()))), 'timestamptz')}`);
  if (his.every(Boolean)) out.push(`${time} < ${p.add(new Date(Math.max(...his.map((d) => d!.getTime()))), 'timestamptz')}`);
  if (bounds.length > 1) {
    const groups = bounds.map((b) => {
      const parts = [`${store} = any(${p.add(b.storeIds, 'int[]')})`];
      if (b.lo) parts.push(`${time} >= ${p.add(b.lo, 'timestamptz')}`);
      if (b.hi) parts.push(`${time} < ${p.add(b.hi, 'timestamptz')}`);
      return `(${parts.join(' and ')})`;
    });
    out.push(`(${groups.join(' or ')})`);
  }
  return out;
}

function anyOf(column: string, ids: number[], p: Params, cast = 'int'): string {
  return ids.length === 1 ? `${column} = ${p.add(ids[0], cast)}` : `${column} = any(${p.add(ids, `${cast}[]`)})`;
}

/** WHERE conditions of a history filter on the ledger `e` (and `item i` when `needsItem`). */
export function historyConditions(r: ResolvedHistory, p: Params): { where: string[]; needsItem: boolean } {
  const w = ['e.serial_key is not null'];
  let needsItem = false;
  if (r.storeIds) w.push(anyOf('e.report_store_id', r.storeIds, p));
  if (r.bounds) w.push(...boundsConditions(r.bounds, p, 'e.report_store_id', 'e.occurred_at'));
  if (r.registerIds) w.push(anyOf('e.register_id', r.registerIds, p));
  if (r.serialFrom) w.push(`e.serial_key >= ${p.add(r.serialFrom, 'text')}`);
  if (r.serialTo) w.push(`e.serial_key <= ${p.add(r.serialTo, 'text')}`);
  if (r.types) w.push(`e.type = any(${p.add(r.types, 'text[]')})`);
  if (r.itemId != null) w.push(`e.item_id = ${p.add(r.itemId, 'int')}`);
  if (r.customerIds) w.push(anyOf('e.customer_id', r.customerIds, p));
  if (r.customer) {
    const t = p.add(r.customer, 'text');
    w.push(
      `e.customer_id in (select id from customer where lower(number) = lower(${t}) or name ilike '%' || replace(replace(replace(${t}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')`,
    );
  }
  if (r.userIds) w.push(anyOf('e.user_id', r.userIds, p));
  for (const [ids, column] of [
    [r.departmentIds, 'i.department_id'],
    [r.categoryIds, 'i.category_id'],
    [r.subcategoryIds, 'i.subcategory_id'],
    [r.vendorIds, 'i.vendor_id'],
  ] as const) {
    if (!ids) continue;
    w.push(anyOf(column, ids, p));
    needsItem = true;
  }
  return { where: w, needsItem };
}

const LEDGER_COLUMNS = `e.id, e.occurred_at, e.type, e.unit_id, e.serial, e.serial_key, e.quantity, e.item_id, e.report_store_id, e.source_store_id, e.destination_store_id,
  e.register_id, e.customer_id, e.document_kind, e.document_id, e.document_number, e.user_id, e.reason, e.event_label`;

/**
 * Source and destination of an event, in words (REP-1). Incoming events come from the
 * vendor (RECEIVING: the receipt's vendor, else the item's), the customer (RETURN) or the
 * sending store (TRANSFER_IN) and go to the store; outgoing ones leave the store for the
 * customer (SALE), the vendor (RETURN_TO_VENDOR, the RMA's vendor) or the receiving store
 * (TRANSFER_OUT). Adjustments and counts name themselves as the other side: "Adjustment" →
 * store when a unit is added, store → "Adjustment" when removed; a unit written off while in
 * transit (no store) goes from "In transit" to "Adjustment".
 */
const OTHER_SIDE = `case p.type when 'ADJUSTMENT' then 'Adjustment' when 'COUNT' then 'Count' else initcap(replace(p.type, '_', ' ')) end`;

/** Where the names of a row come from: lookups for a page, memoized joins for an export (millions of rows, streamed in order). */
interface Names {
  vendor: string;
  customerNumber: string;
  customerName: string;
  sourceStore: string;
  destinationStore: string;
  receiptVendor: string;
  rtvVendor: string;
  user: string;
  register: string;
  joins: string;
}

/**
 * For a page (or a trace): names are lookups by primary key, except the user, a join: the
 * planner scans the small user table once per row for a lookup (0.5 ms of a page). More joins
 * would make the plan dearer to make — a page with a serial range is planned on every call
 * (custom plans), and four more joined tables cost it ~0.6 ms of planning against ~0.2 ms of
 * lookups saved on the unfiltered page. Source/destination names run in their CASE branch only.
 */
const PAGE: Names = {
  vendor: '(select x.name from vendor x where x.id = i.vendor_id)',
  customerNumber: '(select x.number from customer x where x.id = p.customer_id)',
  customerName: '(select x.name from customer x where x.id = p.customer_id)',
  sourceStore: '(select x.code from store x where x.id = p.source_store_id)',
  destinationStore: '(select x.code from store x where x.id = p.destination_store_id)',
  receiptVendor: `(select x.name from vendor x where x.id = (select r.vendor_id from receipt r where p.document_kind = 'RECEIPT' and r.id = p.document_id))`,
  rtvVendor: `(select x.name from vendor x where x.id = (select r.vendor_id from vendor_return r where p.document_kind = 'RTV' and r.id = p.document_id))`,
  user: 'u.display_name',
  register: '(select x.code from register x where x.id = p.register_id)',
  joins: `
  left join app_user u on u.id = p.user_id`,
};

const source = (n: Names) => `case p.type
    when 'RECEIVING' then coalesce(${n.receiptVendor}, ${n.vendor}, 'Vendor')
    when 'RETURN' then coalesce(${n.customerName}, 'Customer')
    when 'TRANSFER_IN' then coalesce(${n.sourceStore}, 'In transit')
    else case when p.quantity > 0 then ${OTHER_SIDE} when p.quantity = 0 then 'In transit' else st.code end end`;
const destination = (n: Names) => `case p.type
    when 'SALE' then coalesce(${n.customerName}, 'Customer')
    when 'RETURN_TO_VENDOR' then coalesce(${n.rtvVendor}, ${n.vendor}, 'Vendor')
    when 'TRANSFER_OUT' then coalesce(${n.destinationStore}, 'In transit')
    else case when p.quantity > 0 then st.code else ${OTHER_SIDE} end end`;

const ITEM_JOINS = `
  join item i on i.id = p.item_id
  join classification sc on sc.id = i.subcategory_id
  join classification c on c.id = i.category_id
  join classification d on d.id = i.department_id
  join store st on st.id = p.report_store_id${PAGE.joins}`;

/**
 * For an export: every name is a lookup on the row, which the planner memoizes (a cache per
 * item, store, user, customer and document), so rows leave in the order of the ledger index as
 * they are read. Hash joins would be cheaper per row but lose that order, and sorting a million
 * wide rows afterwards took 4–5 s on disk before the first byte. The item with its
 * classification and vendor is one lookup; the vendor of a receipt another (a receipt's units
 * are received together, so it is mostly cached). A return to vendor is rare: its vendor is
 * looked up in its CASE branch only (as a memoized join it cost 6 % of the export's database time).
 */
const STREAMED: Names = {
  vendor: 'i.vendor',
  customerNumber: 'cu.number',
  customerName: 'cu.name',
  sourceStore: 'ss.code',
  destinationStore: 'ds.code',
  receiptVendor: 'rv.name',
  rtvVendor: PAGE.rtvVendor,
  user: 'u.display_name',
  register: '(select x.code from register x where x.id = p.register_id)',
  joins: `
  cross join lateral (select i.description, i.product_id, i.name, i.style, i.size, i.color, i.brand, i.season, i.team,
        sc.name as subcategory, c.name as category, d.name as department, v.name as vendor
      from item i join classification sc on sc.id = i.subcategory_id join classification c on c.id = i.category_id
      join classification d on d.id = i.department_id left join vendor v on v.id = i.vendor_id
      where i.id = p.item_id offset 0) i
  join store st on st.id = p.report_store_id
  left join store ss on ss.id = p.source_store_id
  left join store ds on ds.id = p.destination_store_id
  left join app_user u on u.id = p.user_id
  left join customer cu on cu.id = p.customer_id
  left join lateral (select x.name from receipt r join vendor x on x.id = r.vendor_id
      where p.document_kind = 'RECEIPT' and r.id = p.document_id offset 0) rv on true`,
};

/** The columns of a history row for GraphQL (camelCase, native types) plus the cursor keys. */
const n = PAGE;
const ROW_COLUMNS = `p.id as "eventId", p.unit_id as "unitId", p.serial, p.item_id as "itemId", i.description, i.product_id as "productId", i.name as "productName",
  p.occurred_at as "occurredAt", date_trunc('second', p.occurred_at at time zone st.time_zone)::text as "localTime", st.time_zone as "timeZone",
  ${n.customerNumber} as "customerNumber", ${n.customerName} as "customerName", p.type, p.quantity, ${source(n)} as source, ${destination(n)} as destination,
  d.name as department, c.name as category, sc.name as subcategory, i.style, i.size, i.color, i.brand, i.season, i.team, ${n.vendor} as vendor,
  coalesce(${n.user}, '') as "initiatedBy", p.event_label as event, p.report_store_id as "storeId", st.code as "storeCode", ${n.register} as "registerCode",
  p.document_kind as "documentKind", p.document_id as "documentId", p.document_number as "documentNumber", p.reason,
  to_char(p.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as t_key, p.id::text as id_key, p.serial_key as s_key, lower(i.product_id) as p_key`;

/**
 * CSV columns (REP-1's, plus the store's local time, the store and the document): header
 * names, and the SQL of each as text. Times are ISO 8601 in UTC, local times as
 * "YYYY-MM-DD HH:MM:SS" in the store's time zone (spreadsheets read both).
 */
export const HISTORY_CSV: [string, string][] = [
  ['serial', 'p.serial'],
  ['description', 'i.description'],
  ['product_id', 'i.product_id'],
  ['product_name', 'i.name'],
  ['occurred_at', `to_char(p.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`],
  ['local_time', `date_trunc('second', p.occurred_at at time zone st.time_zone)::text`],
  ['customer_number', STREAMED.customerNumber],
  ['customer_name', STREAMED.customerName],
  ['type', 'p.type'],
  ['source', source(STREAMED)],
  ['destination', destination(STREAMED)],
  ['department', 'i.department'],
  ['category', 'i.category'],
  ['subcategory', 'i.subcategory'],
  ['style', 'i.style'],
  ['size', 'i.size'],
  ['color', 'i.color'],
  ['brand', 'i.brand'],
  ['season', 'i.season'],
  ['team', 'i.team'],
  ['vendor', STREAMED.vendor],
  ['initiated_by', STREAMED.user],
  ['event', 'p.event_label'],
  ['store', 'st.code'],
  ['document_number', 'p.document_number'],
];

/**
 * A page of history (limit = page size + 1, to know whether there is a next page), or, with
 * `csv`, the CSV columns of the whole result for the export (limit null).
 *
 * The limit is written into the text, not passed as a parameter: it is a checked whole number
 * with few distinct values, and a generic plan of a prepared statement that knows its limit
 * is the same fast-start plan as a custom one, so PostgreSQL stops planning every call.
 */
export function historySql(
  r: ResolvedHistory,
  sort: SerialHistorySort,
  after: string[] | null,
  limit: number | null,
  csv = false,
): Statement {
  if (limit == null ? !csv : !(Number.isInteger(limit) && limit > 0)) throw new Error(`historySql: a page needs a limit (got ${limit})`);
  const p = new Params(csv);
  const keys = SORTS[sort];
  const { where, needsItem } = historyConditions(r, p);
  const withItem = needsItem || keys.some((k) => k.column === 'p_key');
  if (after) where.push(keyset(keys, after, p));
  const from = `from stock_event e${withItem ? ' join item i on i.id = e.item_id' : ''}
    where ${where.join('\n      and ')}
    order by ${orderBy(keys, 'inner')}${limit != null ? `\n    limit ${limit}` : ''}`;
  if (csv) {
    const inner = `select ${LEDGER_COLUMNS}${withItem ? ', lower(i.product_id) as product_key' : ''}\n    ${from}`;
    return {
      text: csvSelect(HISTORY_CSV, (list) => `select ${list}\nfrom (${inner}) p${STREAMED.joins}\norder by ${orderBy(keys, 'outer')}`),
      values: p.values,
    };
  }
  const outerKeys = keys.map((k) => (k.column === 'p_key' ? { ...k, outer: 'lower(i.product_id)' } : k));
  const order = `\norder by ${orderBy(outerKeys, 'outer')}`;
  // A page in two steps: the keys of the page's rows first — only indexed columns, so a serial
  // range or a store and period can be answered from the index alone — then those rows.
  const page = `select e.id, e.occurred_at, e.serial_key${withItem ? ', lower(i.product_id) as product_key' : ''}\n    ${from}`;
  return { text: `select ${ROW_COLUMNS}\nfrom (${page}) k join stock_event p on p.id = k.id${ITEM_JOINS}${order}`, values: p.values };
}

/** Counts by type for the whole filter (REP-1 totals). */
export function historyTotalsSql(r: ResolvedHistory): Statement {
  const p = new Params();
  const { where, needsItem } = historyConditions(r, p);
  return {
    text: `select e.type, count(*)::int as count from stock_event e${needsItem ? ' join item i on i.id = e.item_id' : ''}
      where ${where.join(' and ')} group by e.type order by e.type`,
    values: p.values,
  };
}

/** History rows of arbitrary ledger conditions, oldest first (trace, document inquiry). */
export function ledgerRowsSql(where: string, values: unknown[]): Statement {
  return {
    text: `select ${ROW_COLUMNS}\nfrom (select ${LEDGER_COLUMNS} from stock_event e where e.serial_key is not null and ${where}) p${ITEM_JOINS}\norder by p.occurred_at, p.id`,
    values,
  };
}

export const historyCursorValues = (sort: SerialHistorySort, row: Record<string, unknown>) => SORTS[sort].map((k) => String(row[k.column]));

// ------------------------------------------------------------------------------------------
// Serials on hand (REP-2)

function onHandConditions(r: ResolvedOnHand, p: Params): string[] {
  const w = [`u.state = 'IN_STOCK'`];
  if (r.storeIds) w.push(anyOf('u.store_id', r.storeIds, p));
  if (r.bounds) w.push(...boundsConditions(r.bounds, p, 'u.store_id', 'u.in_stock_since'));
  if (r.departmentIds) w.push(anyOf('i.department_id', r.departmentIds, p));
  if (r.categoryIds) w.push(anyOf('i.category_id', r.categoryIds, p));
  if (r.subcategoryIds) w.push(anyOf('i.subcategory_id', r.subcategoryIds, p));
  if (r.size) w.push(`lower(i.size) = lower(${p.add(r.size, 'text')})`);
  if (r.itemId != null) w.push(`u.item_id = ${p.add(r.itemId, 'int')}`);
  return w;
}

const ON_HAND_JOINS = `
  join classification sc on sc.id = i.subcategory_id
  join classification c on c.id = i.category_id
  join classification d on d.id = i.department_id
  left join vendor v on v.id = i.vendor_id
  join store st on st.id = u.store_id
  left join item_upc mu on mu.item_id = i.id and mu.is_main`;

export const ON_HAND_CSV: [string, string][] = [
  ['serial', 'u.serial'],
  ['upc', 'mu.upc'],
  ['description', 'i.description'],
  ['product_id', 'i.product_id'],
  ['product_name', 'i.name'],
  ['department', 'd.name'],
  ['category', 'c.name'],
  ['subcategory', 'sc.name'],
  ['style', 'i.style'],
  ['size', 'i.size'],
  ['color', 'i.color'],
  ['brand', 'i.brand'],
  ['season', 'i.season'],
  ['team', 'i.team'],
  ['vendor', 'v.name'],
  ['unit_cost', 'i.unit_cost::text'],
  ['retail_price', 'i.retail_price::text'],
  ['store', 'st.code'],
  ['received_at', `to_char(u.in_stock_since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`],
  ['received_local_time', `date_trunc('second', u.in_stock_since at time zone st.time_zone)::text`],
];
const ADDITIONAL_UPCS_CSV: [string, string] = [
  'additional_upcs',
  `(select string_agg(x.upc, '|' order by x.position, x.upc) from item_upc x where x.item_id = i.id and not x.is_main)`,
];

export function onHandCsvColumns(additionalUpcs: boolean): [string, string][] {
  return additionalUpcs ? [...ON_HAND_CSV, ADDITIONAL_UPCS_CSV] : ON_HAND_CSV;
}

/** The casts of an on-hand cursor's keys: the serial key, then the unit id. */
export const ON_HAND_CURSOR = ['text', 'bigint'];

/** A page of units in stock in serial order (byte order of the key, as the history), keyset-paged, or all of them for CSV. */
export function onHandSql(r: ResolvedOnHand, after: string[] | null, limit: number | null, csvColumns?: [string, string][]): Statement {
  const p = new Params(csvColumns != null);
  const w = onHandConditions(r, p);
  if (after) w.push(`(u.serial_key collate "C", u.id) > (${p.add(after[0], 'text')}, ${p.add(after[1], 'bigint')})`);
  const query = (columns: string) => `select ${columns}
      from serial_unit u join item i on i.id = u.item_id${ON_HAND_JOINS}
      where ${w.join(' and ')}
      order by u.serial_key collate "C", u.id${limit != null ? ` limit ${p.add(limit, 'int')}` : ''}`;
  if (csvColumns) return { text: csvSelect(csvColumns, query), values: p.values };
  const columns = `u.id as "unitId", u.serial, mu.upc, i.id as "itemId", i.description, i.product_id as "productId", i.name as "productName",
       d.name as department, c.name as category, sc.name as subcategory, i.style, i.size, i.color, i.brand, i.season, i.team, v.name as vendor,
       i.unit_cost::text as "unitCost", i.retail_price::text as "retailPrice", u.store_id as "storeId", st.code as "storeCode", u.in_stock_since as "receivedAt",
       date_trunc('second', u.in_stock_since at time zone st.time_zone)::text as "receivedLocalTime", st.time_zone as "timeZone",
       u.serial_key as s_key, u.id::text as id_key`;
  return { text: query(columns), values: p.values };
}

/** Units, cost and retail value by department, with the grand total as the row whose id is null. */
export function onHandSummarySql(r: ResolvedOnHand): Statement {
  const p = new Params();
  const w = onHandConditions(r, p);
  return {
    text: `select d.id as "departmentId", d.name as department, count(*)::int as units, sum(i.unit_cost)::text as "costValue", sum(i.retail_price)::text as "retailValue"
      from serial_unit u join item i on i.id = u.item_id join classification d on d.id = i.department_id
      where ${w.join(' and ')}
      group by grouping sets ((d.id, d.name), ())
      order by d.name nulls first`,
    values: p.values,
  };
}
