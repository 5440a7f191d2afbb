import type { Viewer } from '../../common/context.js';
import type { Queryable } from '../../common/db.js';
import { fail } from '../../common/errors.js';
import { serialKey } from '../stock/serial-input.js';
import { DatePreset, StockEventType } from './reports.types.js';

/**
 * Report filters, in two steps: `normalize*` checks the shape of what the caller sent (the
 * GraphQL input, or the JSON of a CSV export URL, which GraphQL did not type-check), then
 * `resolve*` checks it against the database and the viewer's scope (SEC-2) and turns it into
 * what the SQL builders need: the exact set of stores, and per-store time bounds computed in
 * each store's own time zone by PostgreSQL (REP-1).
 */

export const MAX_PAGE = 500;

export interface HistoryFilterInput {
  venueIds: number[] | null;
  storeIds: number[] | null;
  registerIds: number[] | null;
  serialFrom: string | null;
  serialTo: string | null;
  types: StockEventType[] | null;
  departmentIds: number[] | null;
  categoryIds: number[] | null;
  subcategoryIds: number[] | null;
  period: Period | null;
  itemId: number | null;
  itemCode: string | null;
  vendorIds: number[] | null;
  customerIds: number[] | null;
  customer: string | null;
  userIds: number[] | null;
}

export interface OnHandFilterInput {
  venueIds: number[] | null;
  storeIds: number[] | null;
  departmentIds: number[] | null;
  categoryIds: number[] | null;
  subcategoryIds: number[] | null;
  size: string | null;
  upc: string | null;
  received: Period | null;
}

/** A preset, or a range of local days (either end open), evaluated at `asOf`. */
export type Period = { preset: DatePreset | null; from: string | null; to: string | null; asOf: Date | null };

/** Time bounds shared by a group of stores (those with the same local calendar). */
export interface Bounds {
  storeIds: number[];
  lo: Date | null;
  hi: Date | null;
}

export interface ResolvedHistory extends Omit<
  HistoryFilterInput,
  'venueIds' | 'storeIds' | 'period' | 'itemCode' | 'serialFrom' | 'serialTo'
> {
  /** Stores the rows may belong to; null = every store. */
  storeIds: number[] | null;
  /** Per-store time bounds; null = no time filter. */
  bounds: Bounds[] | null;
  serialFrom: string | null;
  serialTo: string | null;
}

export interface ResolvedOnHand {
  storeIds: number[] | null;
  departmentIds: number[] | null;
  categoryIds: number[] | null;
  subcategoryIds: number[] | null;
  size: string | null;
  itemId: number | null;
  bounds: Bounds[] | null;
}

// ------------------------------------------------------------------------------------------
// Shape

type Raw = Record<string, unknown> | null | undefined;

const bad = (field: string, message: string): never => fail('BAD_USER_INPUT', message, { field });

function ids(raw: Raw, key: string): number[] | null {
  const v = raw?.[key];
  if (v == null) return null;
  if (!Array.isArray(v)) return bad(`filter.${key}`, `${key} must be a list of ids.`);
  const out = v.map((x) => {
    const s = String(x);
    if (!/^\d{1,9}$/.test(s)) return bad(`filter.${key}`, `${key}: "${s}" is not an id.`);
    return Number(s);
  });
  return out.length ? [...new Set(out)] : null;
}

function text(raw: Raw, key: string, max = 200): string | null {
  const v = raw?.[key];
  if (v == null) return null;
  if (typeof v !== 'string') return bad(`filter.${key}`, `${key} must be text.`);
  const t = v.trim();
  if (t.length > max) return bad(`filter.${key}`, `${key} is longer than ${max} characters.`);
  return t || null;
}

function day(raw: Raw, key: string): string | null {
  const v = text(raw, key, 10);
  if (v == null) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== v) return bad(`filter.${key}`, `${key} must be a day as YYYY-MM-DD, got "${v}".`);
  return v;
}

function enumList<T extends string>(raw: Raw, key: string, allowed: Record<string, T>): T[] | null {
  const v = raw?.[key];
  if (v == null) return null;
  if (!Array.isArray(v)) return bad(`filter.${key}`, `${key} must be a list.`);
  const known = new Set<string>(Object.values(allowed));
  for (const x of v)
    if (!known.has(String(x))) bad(`filter.${key}`, `${key}: unknown value "${String(x)}"; one of ${[...known].join(', ')}.`);
  return v.length ? [...new Set(v as T[])] : null;
}

function period(raw: Raw, fromKey: string, toKey: string, presetKey?: string): Period | null {
  const from = day(raw, fromKey);
  const to = day(raw, toKey);
  const presetRaw = presetKey ? raw?.[presetKey] : null;
  let preset: DatePreset | null = null;
  if (presetRaw != null) {
    if (!Object.values(DatePreset).includes(presetRaw as DatePreset)) bad(`filter.${presetKey}`, `Unknown preset "${String(presetRaw)}".`);
    preset = presetRaw as DatePreset;
    if (from || to) bad(`filter.${presetKey}`, `Give either a preset or a ${fromKey}/${toKey} range, not both.`);
  }
  if (from && to && from > to) bad(`filter.${fromKey}`, `The range starts (${from}) after it ends (${to}).`);
  const asOfRaw = raw?.asOf;
  let asOf: Date | null = null;
  if (asOfRaw != null) {
    asOf = asOfRaw instanceof Date ? asOfRaw : new Date(String(asOfRaw));
    if (Number.isNaN(asOf.getTime())) bad('filter.asOf', 'asOf must be a date and time (ISO 8601).');
  }
  return preset || from || to ? { preset, from, to, asOf } : null;
}

/** The fields of the filter types (reports.types.ts); an export's JSON may name no other. */
const HISTORY_KEYS = new Set([
  'venueIds',
  'storeIds',
  'registerIds',
  'serialFrom',
  'serialTo',
  'types',
  'departmentIds',
  'categoryIds',
  'subcategoryIds',
  'from',
  'to',
  'preset',
  'asOf',
  'itemId',
  'itemCode',
  'vendorIds',
  'customerIds',
  'customer',
  'userIds',
]);
const ON_HAND_KEYS = new Set([
  'venueIds',
  'storeIds',
  'departmentIds',
  'categoryIds',
  'subcategoryIds',
  'size',
  'upc',
  'receivedFrom',
  'receivedTo',
]);

/** The filter is an object naming only known fields: a misspelt one would otherwise be ignored, and select everything. */
function shape(raw: Raw, known: Set<string>): void {
  if (raw == null) return;
  if (typeof raw !== 'object' || Array.isArray(raw)) bad('filter', 'The filter must be an object.');
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) bad(`filter.${key}`, `Unknown filter field "${key}"; the fields are ${[...known].join(', ')}.`);
  }
}

/** Byte order of UTF-8, the order of the ledger's serial key column (collation "C"). */
const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export function normalizeHistoryFilter(raw: Raw): HistoryFilterInput {
  shape(raw, HISTORY_KEYS);
  const serialFrom = text(raw, 'serialFrom', 64);
  const serialTo = text(raw, 'serialTo', 64);
  if (serialFrom && serialTo && byteCompare(serialKey(serialFrom), serialKey(serialTo)) > 0) {
    bad('filter.serialFrom', `The serial range starts (${serialFrom}) after it ends (${serialTo}).`);
  }
  const itemId = raw?.itemId != null ? oneId(raw, 'itemId') : null;
  return {
    venueIds: ids(raw, 'venueIds'),
    storeIds: ids(raw, 'storeIds'),
    registerIds: ids(raw, 'registerIds'),
    serialFrom,
    serialTo,
    types: enumList(raw, 'types', StockEventType),
    departmentIds: ids(raw, 'departmentIds'),
    categoryIds: ids(raw, 'categoryIds'),
    subcategoryIds: ids(raw, 'subcategoryIds'),
    period: period(raw, 'from', 'to', 'preset'),
    itemId,
    itemCode: text(raw, 'itemCode', 64),
    vendorIds: ids(raw, 'vendorIds'),
    customerIds: ids(raw, 'customerIds'),
    customer: text(raw, 'customer', 100),
    userIds: ids(raw, 'userIds'),
  };
}

function oneId(raw: Raw, key: string): number {
  const s = String(raw?.[key]);
  return /^\d{1,9}$/.test(s) ? Number(s) : bad(`filter.${key}`, `${key}: "${s}" is not an id.`);
}

export function normalizeOnHandFilter(raw: Raw): OnHandFilterInput {
  shape(raw, ON_HAND_KEYS);
  return {
    venueIds: ids(raw, 'venueIds'),
    storeIds: ids(raw, 'storeIds'),
    departmentIds: ids(raw, 'departmentIds'),
    categoryIds: ids(raw, 'categoryIds'),
    subcategoryIds: ids(raw, 'subcategoryIds'),
    size: text(raw, 'size', 50),
    upc: text(raw, 'upc', 64),
    received: period(raw, 'receivedFrom', 'receivedTo'),
  };
}

export function pageSize(first: number | null | undefined): number {
  const n = first ?? 50;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) bad('first', `first must be between 1 and ${MAX_PAGE}; got ${n}.`);
  return n;
}

// ------------------------------------------------------------------------------------------
// Database and scope

const notFound = (field: string, what: string, id: number | string): never =>
  fail('NOT_FOUND', `${what} ${id} does not exist.`, { field, id: String(id) });

const noItem = (field: string, code: string): never =>
  fail('NOT_FOUND', `No item has the UPC or product id "${code}".`, { field, id: code });

const outOfScope = (storeId: number, field: string): never =>
  fail('STORE_OUT_OF_SCOPE', `You are not assigned to store ${storeId}.`, { field, storeId: String(storeId) });

/** Every id must be in `found`. */
function requireAll(wanted: number[] | null, found: Iterable<number> | null | undefined, field: string, what: string): void {
  const set = new Set(found ?? []);
  for (const id of wanted ?? []) if (!set.has(id)) notFound(field, what, id);
}

interface LookupInput {
  storeIds: number[] | null;
  venueIds: number[] | null;
  registerIds?: number[] | null;
  departmentIds: number[] | null;
  categoryIds: number[] | null;
  subcategoryIds: number[] | null;
  itemId?: number | null;
  itemCode?: string | null;
  vendorIds?: number[] | null;
  userIds?: number[] | null;
  customerIds?: number[] | null;
  period: Period | null;
}

/**
 * REP-1: a period in each store's time zone, computed by PostgreSQL (`AT TIME ZONE`) so a
 * report means the same wherever the browser is: the local calendar day, week (from Monday),
 * month or year around `asOf`, or local days from..to (to inclusive), as instants.
 */
const STORE_BOUNDS = (p: (v: unknown, cast: string) => string, period: Period) => {
  const [now, preset, from, to] = [
    p(period.asOf ?? new Date(), 'timestamptz'),
    p(period.preset, 'text'),
    p(period.from, 'date'),
    p(period.to, 'date'),
  ];
  return `select s.id as store, b.lo_local at time zone s.time_zone as lo, b.hi_local at time zone s.time_zone as hi
    from store s cross join lateral (select ${now} at time zone s.time_zone as local_now) n cross join lateral (select
       case ${preset}
         when 'TODAY' then date_trunc('day', local_now)
         when 'YESTERDAY' then date_trunc('day', local_now) - interval '1 day'
         when 'THIS_WEEK' then date_trunc('week', local_now)
         when 'CURRENT_MONTH' then date_trunc('month', local_now)
         when 'LAST_MONTH' then date_trunc('month', local_now) - interval '1 month'
         when 'CURRENT_YEAR' then date_trunc('year', local_now)
         else ${from}::timestamp end as lo_local,
       case ${preset}
         when 'TODAY' then date_trunc('day', local_now) + interval '1 day'
         when 'YESTERDAY' then date_trunc('day', local_now)
         when 'THIS_WEEK' then date_trunc('week', local_now) + interval '1 week'
         when 'CURRENT_MONTH' then date_trunc('month', local_now) + interval '1 month'
         when 'LAST_MONTH' then date_trunc('month', local_now)
         when 'CURRENT_YEAR' then date_trunc('year', local_now) + interval '1 year'
         else (${to} + 1)::timestamp end as hi_local) b`;
};

interface LookupResult {
  stores?: number[];
  venues?: { id: number; stores: number[] }[];
  registers?: { id: number; store: number }[];
  classes?: { id: number; level: string }[];
  item?: number | null;
  vendors?: number[];
  users?: number[];
  customers?: number[];
  bounds?: { store: number; lo: string | null; hi: string | null }[];
}

/** Everything a filter names, checked in one round trip (only the parts the filter uses). */
async function lookup(db: Queryable, f: LookupInput): Promise<LookupResult> {
  const values: unknown[] = [];
  const p = (v: unknown, cast: string) => {
    values.push(v);
    return `$${values.length}::${cast}`;
  };
  const parts: string[] = [];
  const ids = (name: string, table: string, wanted: number[] | null | undefined) => {
    if (wanted) parts.push(`(select coalesce(array_agg(id), '{}') from ${table} where id = any(${p(wanted, 'int[]')})) as ${name}`);
  };
  ids('stores', 'store', f.storeIds);
  if (f.venueIds) {
    parts.push(
      `(select coalesce(json_agg(json_build_object('id', v.id, 'stores', array(select s.id from store s where s.venue_id = v.id))), '[]') from venue v where v.id = any(${p(f.venueIds, 'int[]')})) as venues`,
    );
  }
  if (f.registerIds)
    parts.push(
      `(select coalesce(json_agg(json_build_object('id', id, 'store', store_id)), '[]') from register where id = any(${p(f.registerIds, 'int[]')})) as registers`,
    );
  const classes = [...(f.departmentIds ?? []), ...(f.categoryIds ?? []), ...(f.subcategoryIds ?? [])];
  if (classes.length)
    parts.push(
      `(select coalesce(json_agg(json_build_object('id', id, 'level', level)), '[]') from classification where id = any(${p(classes, 'int[]')})) as classes`,
    );
  if (f.itemId != null) parts.push(`(select id from item where id = ${p(f.itemId, 'int')}) as item`);
  else if (f.itemCode) {
    const code = p(f.itemCode, 'text');
    parts.push(
      `(select item_id from (select item_id from item_upc where upc = ${code} union all select id from item where lower(product_id) = lower(${code})) x limit 1) as item`,
    );
  }
  ids('vendors', 'vendor', f.vendorIds);
  ids('users', 'app_user', f.userIds);
  ids('customers', 'customer', f.customerIds);
  if (f.period)
    parts.push(`(select json_agg(json_build_object('store', store, 'lo', lo, 'hi', hi)) from (${STORE_BOUNDS(p, f.period)}) b) as bounds`);
  if (!parts.length) return {};
  const { rows } = await db.query(`select ${parts.join(',\n')}`, values);
  return rows[0] as LookupResult;
}

/**
 * The stores a report covers: the viewer's scope, narrowed by explicit stores (each must exist
 * and be in scope) and venues (each must exist; their stores outside the scope are left out).
 */
function effectiveStores(viewer: Viewer, f: LookupInput, l: LookupResult): number[] | null {
  let stores: number[] | null = viewer.storeIds ? [...viewer.storeIds] : null;
  if (f.storeIds) {
    requireAll(f.storeIds, l.stores, 'filter.storeIds', 'Store');
    for (const id of f.storeIds) if (viewer.storeIds && !viewer.storeIds.includes(id)) outOfScope(id, 'filter.storeIds');
    stores = f.storeIds;
  }
  if (f.venueIds) {
    requireAll(
      f.venueIds,
      l.venues?.map((v) => v.id),
      'filter.venueIds',
      'Venue',
    );
    const inVenues = new Set(l.venues!.flatMap((v) => v.stores));
    stores = (stores ?? [...inVenues]).filter((id) => inVenues.has(id) && (!viewer.storeIds || viewer.storeIds.includes(id)));
  }
  return stores;
}

function checkNames(viewer: Viewer, f: LookupInput, l: LookupResult): void {
  if (f.registerIds) {
    requireAll(
      f.registerIds,
      l.registers?.map((r) => r.id),
      'filter.registerIds',
      'Register',
    );
    for (const r of l.registers!) if (viewer.storeIds && !viewer.storeIds.includes(r.store)) outOfScope(r.store, 'filter.registerIds');
  }
  const at = (level: string) => l.classes?.filter((c) => c.level === level).map((c) => c.id);
  requireAll(f.departmentIds, at('DEPARTMENT'), 'filter.departmentIds', 'Department');
  requireAll(f.categoryIds, at('CATEGORY'), 'filter.categoryIds', 'Category');
  requireAll(f.subcategoryIds, at('SUBCATEGORY'), 'filter.subcategoryIds', 'Subcategory');
  if (f.itemId != null && l.item == null) notFound('filter.itemId', 'Item', f.itemId);
  requireAll(f.vendorIds ?? null, l.vendors, 'filter.vendorIds', 'Vendor');
  requireAll(f.userIds ?? null, l.users, 'filter.userIds', 'User');
  requireAll(f.customerIds ?? null, l.customers, 'filter.customerIds', 'Customer');
}

/** Stores with the same bounds grouped: usually a handful of time zones, so the SQL stays a few range conditions. */
function groupBounds(stores: number[] | null, l: LookupResult): Bounds[] | null {
  if (!l.bounds) return null;
  const keep = stores ? new Set(stores) : null;
  const groups = new Map<string, Bounds>();
  for (const b of l.bounds) {
    if (keep && !keep.has(b.store)) continue;
    const key = `${b.lo}|${b.hi}`;
    const g = groups.get(key) ?? { storeIds: [], lo: b.lo ? new Date(b.lo) : null, hi: b.hi ? new Date(b.hi) : null };
    g.storeIds.push(b.store);
    groups.set(key, g);
  }
  return [...groups.values()];
}

export async function resolveHistoryFilter(db: Queryable, viewer: Viewer, f: HistoryFilterInput): Promise<ResolvedHistory> {
  const l = await lookup(db, f);
  const stores = effectiveStores(viewer, f, l);
  checkNames(viewer, f, l);
  if (f.itemCode && f.itemId == null && l.item == null) noItem('filter.itemCode', f.itemCode);
  return {
    storeIds: stores,
    bounds: groupBounds(stores, l),
    registerIds: f.registerIds,
    serialFrom: f.serialFrom ? serialKey(f.serialFrom) : null,
    serialTo: f.serialTo ? serialKey(f.serialTo) : null,
    types: f.types,
    departmentIds: f.departmentIds,
    categoryIds: f.categoryIds,
    subcategoryIds: f.subcategoryIds,
    itemId: l.item ?? null,
    vendorIds: f.vendorIds,
    customerIds: f.customerIds,
    customer: f.customer,
    userIds: f.userIds,
  };
}

export async function resolveOnHandFilter(db: Queryable, viewer: Viewer, f: OnHandFilterInput): Promise<ResolvedOnHand> {
  const input: LookupInput = { ...f, itemCode: f.upc, period: f.received };
  const l = await lookup(db, input);
  const stores = effectiveStores(viewer, input, l);
  checkNames(viewer, input, l);
  if (f.upc && l.item == null) noItem('filter.upc', f.upc);
  return {
    storeIds: stores,
    departmentIds: f.departmentIds,
    categoryIds: f.categoryIds,
    subcategoryIds: f.subcategoryIds,
    size: f.size,
    itemId: l.item ?? null,
    bounds: groupBounds(stores, l),
  };
}
