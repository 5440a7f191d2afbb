import type pg from 'pg';
import type { Ctx } from '../../common/context.js';
import { readCsvFile, type CsvRecord } from '../../common/csv-file.js';
import { inTransaction, queryAll } from '../../common/db.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { SerialLevel } from './catalog.entities.js';
import { catalogLookups, needsOf } from './catalog.service.js';
import { validateItemFields, trimOrNull, type ItemFields } from './item-input.js';

export const IMPORT_COLUMNS = [
  'product_id',
  'name',
  'description',
  'subcategory',
  'vendor',
  'style',
  'size',
  'color',
  'brand',
  'season',
  'team',
  'unit_cost',
  'retail_price',
  'main_upc',
  'additional_upcs',
  'serial_level',
  'serial_required_on_sale',
  'serial_required_on_return',
  'serial_pattern',
] as const;
const REQUIRED_COLUMNS = ['product_id', 'name', 'subcategory', 'main_upc'];
export const MAX_IMPORT_ROWS = 50_000;
const CHUNK = 500;

export interface ImportRowError {
  line: number;
  code: E;
  field?: string;
  message: string;
}

/**
 * CSV import of items (POL-4): valid rows are imported, bad rows reported with line and
 * reason. Runs in the background in chunks, each chunk validated and written set-based in
 * its own transaction, with progress in `import_job` for the console to poll.
 */
export class ItemImportService {
  /** Parses the file and starts the job; a malformed file is refused at once. */
  async start(ctx: Ctx, csv: string): Promise<{ jobId?: number; errors: UserError[] }> {
    const file = readCsvFile(csv, { known: IMPORT_COLUMNS, required: REQUIRED_COLUMNS });
    if (file.error !== undefined) return { errors: [UserError.of(E.MALFORMED_FILE, file.error, 'csv')] };
    const rows = file.records;
    if (rows.length > MAX_IMPORT_ROWS)
      return { errors: [UserError.of(E.TOO_LONG, `At most ${MAX_IMPORT_ROWS} rows per file; this one has ${rows.length}.`, 'csv')] };
    const { rows: job } = await ctx.pool.query(`insert into import_job (kind, total, user_id) values ('ITEMS', $1, $2) returning id`, [
      rows.length,
      ctx.viewer!.userId,
    ]);
    const jobId = job[0].id as number;
    const pool = ctx.pool;
    // Runs after the mutation answers; progress and the outcome are kept in import_job.
    setImmediate(() => void this.run(pool, jobId, rows).catch((e) => failJob(pool, jobId, e)));
    return { jobId, errors: [] };
  }

  private async run(pool: pg.Pool, jobId: number, rows: CsvRecord[]): Promise<void> {
    const [subs, vendors] = await queryAll(pool, [
      [`select lower(code) as code, id from classification where level = 'SUBCATEGORY'`],
      [`select lower(code) as code, id from vendor`],
    ]);
    const subByCode = new Map(subs.rows.map((r) => [r.code as string, r.id as number]));
    const vendorByCode = new Map(vendors.rows.map((r) => [r.code as string, r.id as number]));
    const seenUpcs = new Map<string, number>();
    const seenProducts = new Map<string, number>();
    for (let start = 0; start < rows.length; start += CHUNK) {
      const chunk = rows.slice(start, start + CHUNK);
      const errors: ImportRowError[] = [];
      const valid: { line: number; fields: ItemFields }[] = [];
      const parsed = chunk.map((r) => ({ line: r.line, ...toFields(r.values, subByCode, vendorByCode) }));
      await inTransaction(pool, async (db) => {
        // Chunks of concurrent imports take turns, so each one validates against what the
        // others saved before it: a product id or UPC another import took is a bad row here.
        await db.query(`select pg_advisory_xact_lock(hashtext('item_import'))`);
        const lookups = await catalogLookups(db, needsOf(parsed.map((p) => p.fields)));
        for (const p of parsed) {
          const known = new Set(p.errors.map((e) => columnOf(e.field)));
          const rowErrors = [
            ...p.errors,
            ...validateItemFields(p.fields, lookups, { prefix: 'row' }).filter((e) => !known.has(columnOf(e.field))),
          ];
          const pid = p.fields.productId?.trim().toLowerCase();
          if (pid && seenProducts.has(pid))
            rowErrors.push(UserError.of(E.DUPLICATE, `Product id also on line ${seenProducts.get(pid)} of this file.`, 'row.productId'));
          [p.fields.mainUpc, ...(p.fields.additionalUpcs ?? [])].forEach((u, i) => {
            if (u && seenUpcs.has(u))
              rowErrors.push(
                UserError.of(
                  E.UPC_TAKEN,
                  `UPC ${u} is also on line ${seenUpcs.get(u)} of this file.`,
                  i === 0 ? 'row.mainUpc' : 'row.additionalUpcs',
                ),
              );
          });
          if (rowErrors.length) {
            for (const e of rowErrors) errors.push({ line: p.line, code: e.code, field: columnOf(e.field), message: e.message });
            continue;
          }
          if (pid) seenProducts.set(pid, p.line);
          for (const u of [p.fields.mainUpc, ...(p.fields.additionalUpcs ?? [])]) if (u) seenUpcs.set(u, p.line);
          valid.push({ line: p.line, fields: p.fields });
        }
        // Another writer (an item saved in the console) may still take a product id or UPC
        // since validation: such rows are not inserted and are reported like any taken one.
        const { productTaken, upcTaken } = await insertItems(
          db,
          valid.map((v) => v.fields),
        );
        for (const i of productTaken)
          errors.push({
            line: valid[i]!.line,
            code: E.DUPLICATE,
            field: 'product_id',
            message: `Product id ${valid[i]!.fields.productId!.trim()} is already used by another item.`,
          });
        for (const [i, upcs] of upcTaken)
          errors.push({
            line: valid[i]!.line,
            code: E.UPC_TAKEN,
            field: upcs.includes(valid[i]!.fields.mainUpc!.trim()) ? 'main_upc' : 'additional_upcs',
            message: `UPC ${upcs.join(', ')} is already used by another item.`,
          });
        errors.sort((a, b) => a.line - b.line);
        await db.query(
          `update import_job set processed = processed + $2, succeeded = succeeded + $3, errors = errors || $4::jsonb where id = $1`,
          [jobId, chunk.length, valid.length - productTaken.length - upcTaken.size, JSON.stringify(errors)],
        );
      });
    }
    await pool.query(`update import_job set status = 'DONE', finished_at = now() where id = $1`, [jobId]);
  }
}

const COLUMN_OF_FIELD: Record<string, string> = {
  productId: 'product_id',
  subcategoryId: 'subcategory',
  vendorId: 'vendor',
  unitCost: 'unit_cost',
  retailPrice: 'retail_price',
  mainUpc: 'main_upc',
  additionalUpcs: 'additional_upcs',
  serialPattern: 'serial_pattern',
  serialLevel: 'serial_level',
};

/** Row error fields are reported as the file's column names. */
function columnOf(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const name = field.replace(/^row\./, '').split('.')[0]!;
  return COLUMN_OF_FIELD[name] ?? name;
}

async function failJob(pool: pg.Pool, jobId: number, e: unknown): Promise<void> {
  console.error(`Item import ${jobId} failed:`, e);
  await pool
    .query(`update import_job set status = 'FAILED', finished_at = now(), errors = errors || $2::jsonb where id = $1`, [
      jobId,
      JSON.stringify([
        { line: 0, code: 'INVALID_INPUT', message: 'The import stopped on an internal error; rows before it were imported.' },
      ]),
    ])
    .catch(() => {});
}

function toFields(
  v: Record<string, string>,
  subByCode: Map<string, number>,
  vendorByCode: Map<string, number>,
): { fields: ItemFields; errors: UserError[] } {
  const errors: UserError[] = [];
  const bool = (name: string): boolean | null => {
    const s = (v[name] ?? '').toLowerCase();
    if (s === '') return null;
    if (['1', 'true', 'yes', 'y'].includes(s)) return true;
    if (['0', 'false', 'no', 'n'].includes(s)) return false;
    errors.push(UserError.of(E.INVALID_INPUT, `${name} must be yes or no, not "${v[name]}".`, `row.${name}`));
    return null;
  };
  const subCode = (v.subcategory ?? '').toLowerCase();
  const subId = subByCode.get(subCode);
  if (subCode && subId === undefined)
    errors.push(UserError.of(E.NOT_FOUND, `Unknown subcategory code "${v.subcategory}".`, 'row.subcategory'));
  const vendorCode = (v.vendor ?? '').toLowerCase();
  const vendorId = vendorCode ? vendorByCode.get(vendorCode) : undefined;
  if (vendorCode && vendorId === undefined) errors.push(UserError.of(E.NOT_FOUND, `Unknown vendor code "${v.vendor}".`, 'row.vendor'));
  const level = (v.serial_level ?? '').toUpperCase();
  if (level && !(level in SerialLevel))
    errors.push(
      UserError.of(E.INVALID_INPUT, `serial_level must be ALWAYS, SOMETIMES or NEVER, not "${v.serial_level}".`, 'row.serial_level'),
    );
  return {
    errors,
    fields: {
      productId: v.product_id,
      name: v.name,
      description: v.description,
      subcategoryId: subId ?? (subCode ? -1 : null),
      vendorId: vendorId ?? null,
      style: v.style,
      size: v.size,
      color: v.color,
      brand: v.brand,
      season: v.season,
      team: v.team,
      unitCost: trimOrNull(v.unit_cost),
      retailPrice: trimOrNull(v.retail_price),
      mainUpc: v.main_upc,
      additionalUpcs: (v.additional_upcs ?? '')
        .split('|')
        .map((s) => s.trim())
        .filter(Boolean),
      serialLevel: level in SerialLevel ? (level as SerialLevel) : null,
      serialRequiredWhenSelling: bool('serial_required_on_sale'),
      serialRequiredWhenReturning: bool('serial_required_on_return'),
      serialPattern: trimOrNull(v.serial_pattern),
    },
  };
}

/**
 * Inserts validated items and their UPCs in one statement. A product id or UPC that another
 * transaction took after validation is skipped, not an error: the items concerned (their
 * indexes in `items`) are returned, and one that lost any of its UPCs is removed again.
 */
export async function insertItems(
  db: pg.PoolClient,
  items: ItemFields[],
): Promise<{ productTaken: number[]; upcTaken: Map<number, string[]> }> {
  if (!items.length) return { productTaken: [], upcTaken: new Map() };
  const col = <T>(fn: (f: ItemFields) => T) => items.map(fn);
  // Rows go in product id order, so concurrent inserts wait on each other's keys in one order.
  const { rows } = await db.query<{ index: number; item_id: number | null; upcs_taken: string[] }>(
    `with input as (
       select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                            $12::numeric[], $13::numeric[], $14::text[], $15::bool[], $16::bool[], $17::text[], $18::text[])
         with ordinality as t(product_id, name, description, subcategory_id, vendor_id, style, size, color, brand, season, team, unit_cost, retail_price, serial_level, on_sale, on_return, pattern, upcs, n)
     ), inserted as (
       insert into item (product_id, name, description, subcategory_id, category_id, department_id, vendor_id, style, size, color, brand, season, team,
                         unit_cost, retail_price, serial_level, serial_required_on_sale, serial_required_on_return, serial_pattern)
       select i.product_id, i.name, i.description, i.subcategory_id, s.parent_id, c.parent_id, i.vendor_id, i.style, i.size, i.color, i.brand, i.season, i.team,
              i.unit_cost, i.retail_price, i.serial_level, i.on_sale, i.on_return, i.pattern
       from input i join classification s on s.id = i.subcategory_id join classification c on c.id = s.parent_id
       order by lower(i.product_id)
       on conflict ((lower(product_id))) do nothing
       returning id, product_id
     ), upcs as (
       insert into item_upc (upc, item_id, is_main, position)
       select u.upc, ins.id, u.n = 1, u.n - 1
       from inserted ins
       join input m on m.product_id = ins.product_id
       cross join lateral unnest(string_to_array(m.upcs, '|')) with ordinality as u(upc, n)
       order by u.upc
       on conflict (upc) do nothing
       returning upc
     )
     select m.n - 1 as index, ins.id as item_id,
            array(select u from unnest(string_to_array(m.upcs, '|')) u where u not in (select upc from upcs)) as upcs_taken
     from input m left join inserted ins on ins.product_id = m.product_id`,
    [
      col((f) => f.productId!.trim()),
      col((f) => f.name!.trim()),
      col((f) => f.description?.trim() ?? ''),
      col((f) => f.subcategoryId),
      col((f) => f.vendorId ?? null),
      col((f) => trimOrNull(f.style)),
      col((f) => trimOrNull(f.size)),
      col((f) => trimOrNull(f.color)),
      col((f) => trimOrNull(f.brand)),
      col((f) => trimOrNull(f.season)),
      col((f) => trimOrNull(f.team)),
      col((f) => trimOrNull(f.unitCost) ?? '0'),
      col((f) => trimOrNull(f.retailPrice) ?? '0'),
      col((f) => f.serialLevel ?? null),
      col((f) => f.serialRequiredWhenSelling ?? false),
      col((f) => f.serialRequiredWhenReturning ?? false),
      col((f) => trimOrNull(f.serialPattern)),
      col((f) => [f.mainUpc!.trim(), ...(f.additionalUpcs ?? []).map((u) => u.trim())].join('|')),
    ],
  );
  const productTaken = rows.filter((r) => r.item_id == null).map((r) => Number(r.index));
  const lost = rows.filter((r) => r.item_id != null && r.upcs_taken.length);
  if (lost.length) await db.query(`delete from item where id = any($1::int[])`, [lost.map((r) => r.item_id)]);
  return { productTaken, upcTaken: new Map(lost.map((r) => [Number(r.index), r.upcs_taken])) };
}
