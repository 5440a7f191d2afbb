import type { Queryable } from '../../common/db.js';

/**
 * Item ids for document lines given by id or by a scanned code (main or additional UPC, or
 * product id, case-insensitive), in one query for all lines. Unknown codes give undefined.
 */
export async function lineItemIds(
  db: Queryable,
  lines: { itemId?: number | null; code?: string | null }[],
): Promise<(number | undefined)[]> {
  const codes = lines.map((l) => l.code?.trim()).filter((c): c is string => !!c);
  const byCode = codes.length ? itemsByCode((await db.query(...codesQuery(codes))).rows) : new Map<string, number>();
  return lines.map((l) => l.itemId ?? (l.code ? byCode.get(l.code.trim().toLowerCase()) : undefined));
}

/**
 * The statement that finds the items of scanned codes: main or additional UPCs as they are,
 * product ids case-insensitively (through their unique index). Rows: code, item_id.
 */
export function codesQuery(codes: string[]): [string, unknown[]] {
  return [
    `select upc as code, item_id from item_upc where upc = any($1::text[])
     union all select product_id, id from item where lower(product_id) = any($2::text[])`,
    [codes, codes.map((c) => c.toLowerCase())],
  ];
}

/** codesQuery's rows by code, lower-cased: look a scanned code up lower-cased (UPCs are digits). */
export function itemsByCode(rows: { code: string; item_id: number }[]): Map<string, number> {
  return new Map(rows.map((r) => [String(r.code).toLowerCase(), r.item_id]));
}

/** Why a line names no item: its code is unknown, its id does not exist, or it gives neither. */
export function unknownItemMessage(line: { itemId?: number | string | null; code?: string | null }): string {
  const code = line.code?.trim();
  if (code) return `No item has the code ${code}.`;
  if (line.itemId != null) return `Item ${line.itemId} does not exist.`;
  return "Give the item's UPC or product id.";
}
