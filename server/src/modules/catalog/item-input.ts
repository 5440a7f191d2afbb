import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { parseMoney } from '../../common/scalars.js';
import { SerialLevel } from './catalog.entities.js';
import { patternRisk } from '../stock/serial-pattern.js';

export const MAX_ADDITIONAL_UPCS = 10;
const UPC_RE = /^\d{6,14}$/;

/** The fields of POL-4 as they arrive from GraphQL or a CSV row. */
export interface ItemFields {
  productId?: string | null;
  name?: string | null;
  description?: string | null;
  subcategoryId?: number | null;
  vendorId?: number | null;
  style?: string | null;
  size?: string | null;
  color?: string | null;
  brand?: string | null;
  season?: string | null;
  team?: string | null;
  unitCost?: string | null;
  retailPrice?: string | null;
  mainUpc?: string | null;
  additionalUpcs?: string[] | null;
  serialLevel?: SerialLevel | null;
  serialRequiredWhenSelling?: boolean | null;
  serialRequiredWhenReturning?: boolean | null;
  serialPattern?: string | null;
}

/** What the validator needs to know about the rest of the catalog. */
export interface CatalogLookups {
  /** UPC → the item that owns it ("P-100 Name"), for UPCs of other items. */
  upcOwner(upc: string): { itemId: number; label: string } | undefined;
  /** Lower-cased product id → owning item id. */
  productOwner(productId: string): number | undefined;
  subcategory(id: number): { id: number; categoryId: number; departmentId: number } | 'NOT_SUBCATEGORY' | undefined;
  vendorExists(id: number): boolean;
}

/**
 * Checks one item's fields (POL-4, SER-3's pattern) and returns userErrors naming each bad
 * field. `itemId` is the item being edited (its own UPCs and product id are not conflicts);
 * `partial` skips required checks for fields not given (updates).
 */
export function validateItemFields(
  f: ItemFields,
  lookups: CatalogLookups,
  opts: { itemId?: number; partial?: boolean; prefix?: string; index?: number },
): UserError[] {
  const errors: UserError[] = [];
  const p = opts.prefix ?? 'input';
  const err = (code: E, field: string, message: string) => errors.push(UserError.of(code, message, `${p}.${field}`, opts.index));
  const given = (v: unknown) => v !== undefined && !(opts.partial && v === null);

  if (!opts.partial || f.productId !== undefined) {
    const pid = f.productId?.trim() ?? '';
    if (!pid) err(E.REQUIRED, 'productId', 'Product id is required.');
    else if (pid.length > 64) err(E.TOO_LONG, 'productId', 'Product id is at most 64 characters.');
    else {
      const owner = lookups.productOwner(pid.toLowerCase());
      if (owner !== undefined && owner !== opts.itemId) err(E.DUPLICATE, 'productId', `Product id ${pid} is already used by another item.`);
    }
  }
  if ((!opts.partial || f.name !== undefined) && !f.name?.trim()) err(E.REQUIRED, 'name', 'Name is required.');
  if (!opts.partial || f.subcategoryId !== undefined) {
    if (f.subcategoryId == null) err(E.REQUIRED, 'subcategoryId', 'Choose a subcategory.');
    else {
      const sc = lookups.subcategory(f.subcategoryId);
      if (sc === undefined) err(E.NOT_FOUND, 'subcategoryId', `Classification ${f.subcategoryId} does not exist.`);
      else if (sc === 'NOT_SUBCATEGORY')
        err(E.INVALID_CLASSIFICATION, 'subcategoryId', 'Items belong to a subcategory, not to a department or category.');
    }
  }
  if (f.vendorId != null && !lookups.vendorExists(f.vendorId)) err(E.NOT_FOUND, 'vendorId', `Vendor ${f.vendorId} does not exist.`);
  for (const field of ['unitCost', 'retailPrice'] as const) {
    const v = f[field];
    if (!given(v) || v == null || v === '') continue;
    if (/^\s*-/.test(String(v)))
      err(E.NEGATIVE_AMOUNT, field, `${field === 'unitCost' ? 'Unit cost' : 'Retail price'} cannot be negative.`);
    else if (parseMoney(v) === null) err(E.INVALID_DECIMAL, field, `"${v}" is not a decimal amount like 12.99 (at most 4 decimals).`);
  }

  const upcs: { upc: string; field: string }[] = [];
  if (!opts.partial || f.mainUpc !== undefined) {
    const main = f.mainUpc?.trim() ?? '';
    if (!main) err(E.REQUIRED, 'mainUpc', 'A main UPC is required.');
    else upcs.push({ upc: main, field: 'mainUpc' });
  }
  if (f.additionalUpcs) {
    if (f.additionalUpcs.length > MAX_ADDITIONAL_UPCS) {
      err(E.TOO_MANY_UPCS, 'additionalUpcs', `At most ${MAX_ADDITIONAL_UPCS} additional UPCs; ${f.additionalUpcs.length} given.`);
    }
    f.additionalUpcs.forEach((u, i) => upcs.push({ upc: u.trim(), field: `additionalUpcs.${i}` }));
  }
  const seen = new Set<string>();
  for (const { upc, field } of upcs) {
    if (!UPC_RE.test(upc)) {
      err(E.INVALID_UPC, field, `"${upc}" is not a UPC/EAN (6 to 14 digits).`);
      continue;
    }
    if (seen.has(upc)) err(E.DUPLICATE, field, `UPC ${upc} is listed twice on this item.`);
    seen.add(upc);
    const owner = lookups.upcOwner(upc);
    if (owner && owner.itemId !== opts.itemId) err(E.UPC_TAKEN, field, `UPC ${upc} is already used by item ${owner.label}.`);
  }

  if (f.serialPattern != null && f.serialPattern !== '') {
    const problem = patternProblem(f.serialPattern);
    if (problem) err(E.INVALID_PATTERN, 'serialPattern', problem);
  }
  return errors;
}

/** Why a serial pattern is unusable, or null when it is fine. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > 200) return 'The serial pattern is at most 200 characters.';
  try {
    new RegExp(pattern, 'u'); // on its own too: `a)|(b` would otherwise escape the ^(?:…)$ wrapper
    new RegExp(`^(?:${pattern})$`, 'u');
  } catch (e) {
    return `The serial pattern is not a valid regular expression: ${(e as Error).message}`;
  }
  return patternRisk(pattern);
}

export const trimOrNull = (s: string | null | undefined) => (s == null || s.trim() === '' ? null : s.trim());
