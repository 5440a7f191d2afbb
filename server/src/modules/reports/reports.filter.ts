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

export interface ResolvedHistory extends Omit<HistoryFilterInput, 'venueIds' | 'storeIds' | 'period' | 'itemCode' | 'serialFrom' | 'serialTo'> {
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
  for (const x of v) if (!known.has(String(x))) bad(`filter.${key}`, `${key}: unknown value "${String(x)}"; one of ${[...known].join(', ')}.`);
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

/** Byte order of UTF-8, the order of the ledger's serial key column (collation "C"). */
const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export function normalizeHistoryFilter(raw: Raw): HistoryFilterInput {
  if (raw != null && (typeof raw !== 'object' || Array.isArray(raw))) bad('filter', 'The filter must be an object.');
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
  if (raw != null && (typeof raw !== 'object' || Array.isArray(raw))) bad('filter', 'The filter must be an object.');
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

const notFound = (field: string, what: string, id: number | string): never => fail('NOT_FOUND', `${what} ${id} does not exist.`, { field, id: String(id) });

const outOfScope = (storeId: number, field: string): never =>
  fail('STORE_OUT_OF_SCOPE', `You are not assigned to store ${storeId}.`, { field, storeId: String(storeId) });

/** Every id must be in `found`. */
function requireAll(wanted: number[] | null, found: Set<number>, field: string, what: string): void {
  for (const id of wanted ?? []) if (!found.has(id)) notFound(field, what, id);
}

async function existing(db: Queryable, table: string, wanted: number[] | null): Promise<Set<number>> {
  if (!wanted) return new Set();
  const { rows } = await db.query(`select id from ${table} where id = any($1::int[])`, [wanted]);
  return new Set(rows.map((r) => r.id as number));
}

/**
 * The stores a report covers: the viewer's scope, narrowed by explicit stores (each must exist
 * and be in scope) and venues (each must exist; their stores outside the scope are left out).
 */
async function resolveStores(db: Queryable, viewer: Viewer, storeIds: number[] | null, venueIds: number[] | null): Promise<number[] | null> {
  let stores: number[] | null = viewer.storeIds ? [...viewer.storeIds] : null;
  if (storeIds) {
    requireAll(storeIds, await existing(db, 'store', storeIds), 'filter.storeIds', 'Store');
    for (const id of storeIds) if (viewer.storeIds && !viewer.storeIds.includes(id)) outOfScope(id, 'filter.storeIds');
    stores = storeIds;
  }
  if (venueIds) {
    const { rows } = await db.query(`select v.id, coalesce(array_agg(s.id) filter (where s.id is not null), '{}') as stores from venue v left join store s on s.venue_id = v.id where v.id = any($1::int[]) group by v.id`, [venueIds]);
    requireAll(venueIds, new Set(rows.map((r) => r.id as number)), 'filter.venueIds', 'Venue');
    const inVenues = new Set(rows.flatMap((r) => r.stores as number[]));
    stores = (stores ?? [...inVenues]).filter((id) => inVenues.has(id) && (!viewer.storeIds || viewer.storeIds.includes(id)));
  }
  return stores;
}

async function resolveClassification(db: Queryable, f: { departmentIds: number[] | null; categoryIds: number[] | null; subcategoryIds: number[] | null }): Promise<void> {
  const all = [...(f.departmentIds ?? []), ...(f.categoryIds ?? []), ...(f.subcategoryIds ?? [])];
  if (!all.length) return;
  const { rows } = await db.query(`select id, level from classification where id = any($1::int[])`, [all]);
  const at = (level: string) => new Set(rows.filter((r) => r.level === level).map((r) => r.id as number));
  requireAll(f.departmentIds, at('DEPARTMENT'), 'filter.departmentIds', 'Department');
  requireAll(f.categoryIds, at('CATEGORY'), 'filter.categoryIds', 'Category');
  requireAll(f.subcategoryIds, at('SUBCATEGORY'), 'filter.subcategoryIds', 'Subcategory');
}

/** An item by id, or by any of its UPCs or its product id. */
async function resolveItem(db: Queryable, itemId: number | null, code: string | null, field: string): Promise<number | null> {
  if (itemId != null) {
    if (!(await existing(db, 'item', [itemId])).size) notFound('filter.itemId', 'Item', itemId);
    return itemId;
  }
  if (!code) return null;
  const { rows } = await db.query(`select item_id from item_upc where upc = $1 union all select id from item where lower(product_id) = lower($1) limit 1`, [code]);
  return rows[0]?.item_id ?? notFound(field, 'No item has the UPC or product id', code);
}

/**
 * REP-1: the period in each store's time zone, computed by PostgreSQL (`AT TIME ZONE`) so a
 * report means the same wherever the browser is. Stores with the same bounds are grouped:
 * usually a handful of time zones, so the SQL stays a few range conditions.
 */
async function resolveBounds(db: Queryable, stores: number[] | null, p: Period | null): Promise<Bounds[] | null> {
  if (!p) return null;
  const { rows } = await db.query(
    `with s as (select id, time_zone as tz, ($2::timestamptz at time zone time_zone) as local_now from store where $1::int[] is null or id = any($1))
     select b.lo_local at time zone s.tz as lo, b.hi_local at time zone s.tz as hi, array_agg(s.id order by s.id) as stores
     from s cross join lateral (select
       case $3::text
         when 'TODAY' then date_trunc('day', local_now)
         when 'YESTERDAY' then date_trunc('day', local_now) - interval '1 day'
         when 'THIS_WEEK' then date_trunc('week', local_now)
         when 'CURRENT_MONTH' then date_trunc('month', local_now)
         when 'LAST_MONTH' then date_trunc('month', local_now) - interval '1 month'
         when 'CURRENT_YEAR' then date_trunc('year', local_now)
         else $4::date::timestamp end as lo_local,
       case $3::text
         when 'TODAY' then date_trunc('day', local_now) + interval '1 day'
         when 'YESTERDAY' then date_trunc('day', local_now)
         when 'THIS_WEEK' then date_trunc('week', local_now) + interval '1 week'
         when 'CURRENT_MONTH' then date_trunc('month', local_now) + interval '1 month'
         when 'LAST_MONTH' then date_trunc('month', local_now)
         when 'CURRENT_YEAR' then date_trunc('year', local_now) + interval '1 year'
         else ($5::date + 1)::timestamp end as hi_local) b
     group by 1, 2 order by 1, 2`,
    [stores, p.asOf ?? new Date(), p.preset, p.from, p.to],
  );
  return rows.map((r) => ({ storeIds: r.stores as number[], lo: r.lo as Date | null, hi: r.hi as Date | null }));
}

export async function resolveHistoryFilter(db: Queryable, viewer: Viewer, f: HistoryFilterInput): Promise<ResolvedHistory> {
  const check = async () => {
    if (!f.registerIds) return;
    const { rows } = await db.query(`select id, store_id from register where id = any($1::int[])`, [f.registerIds]);
    requireAll(f.registerIds, new Set(rows.map((r) => r.id as number)), 'filter.registerIds', 'Register');
    for (const r of rows) if (viewer.storeIds && !viewer.storeIds.includes(r.store_id)) outOfScope(r.store_id, 'filter.registerIds');
  };
  const [stores, , itemId] = await Promise.all([
    resolveStores(db, viewer, f.storeIds, f.venueIds),
    resolveClassification(db, f),
    resolveItem(db, f.itemId, f.itemCode, 'filter.itemCode'),
    check(),
    existing(db, 'vendor', f.vendorIds).then((s) => requireAll(f.vendorIds, s, 'filter.vendorIds', 'Vendor')),
    existing(db, 'app_user', f.userIds).then((s) => requireAll(f.userIds, s, 'filter.userIds', 'User')),
    existing(db, 'customer', f.customerIds).then((s) => requireAll(f.customerIds, s, 'filter.customerIds', 'Customer')),
  ]);
  return {
    storeIds: stores,
    bounds: await resolveBounds(db, stores, f.period),
    registerIds: f.registerIds,
    serialFrom: f.serialFrom ? serialKey(f.serialFrom) : null,
    serialTo: f.serialTo ? serialKey(f.serialTo) : null,
    types: f.types,
    departmentIds: f.departmentIds,
    categoryIds: f.categoryIds,
    subcategoryIds: f.subcategoryIds,
    itemId,
    vendorIds: f.vendorIds,
    customerIds: f.customerIds,
    customer: f.customer,
    userIds: f.userIds,
  };
}

export async function resolveOnHandFilter(db: Queryable, viewer: Viewer, f: OnHandFilterInput): Promise<ResolvedOnHand> {
  const [stores, , itemId] = await Promise.all([
    resolveStores(db, viewer, f.storeIds, f.venueIds),
    resolveClassification(db, f),
    resolveItem(db, null, f.upc, 'filter.upc'),
  ]);
  return {
    storeIds: stores,
    departmentIds: f.departmentIds,
    categoryIds: f.categoryIds,
    subcategoryIds: f.subcategoryIds,
    size: f.size,
    itemId,
    bounds: await resolveBounds(db, stores, f.received),
  };
}
