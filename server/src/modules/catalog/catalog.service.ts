import type { Ctx } from '../../common/context.js';
import { inTransaction, isUniqueViolation, queryAll, type Queryable } from '../../common/db.js';
import { UserError, UserErrorCode as E } from '../../common/user-error.js';
import { ClassificationLevel, type SerialLevel } from './catalog.entities.js';
import { trimOrNull, validateItemFields, type CatalogLookups, type ItemFields } from './item-input.js';

export interface LookupNeeds {
  upcs?: string[];
  productIds?: string[];
  subcategoryIds?: number[];
  vendorIds?: number[];
}

/** Loads what item validation needs, in one query per kind, whatever the number of items. */
export async function catalogLookups(db: Queryable, needs: LookupNeeds): Promise<CatalogLookups> {
  const [upcs, products, subcats, vendors] = await queryAll(db, [
    [
      `select u.upc, i.id, i.product_id || ' ' || i.name as label from item_upc u join item i on i.id = u.item_id where u.upc = any($1::text[])`,
      [needs.upcs ?? []],
    ],
    [
      `select lower(product_id) as pid, id from item where lower(product_id) = any($1::text[])`,
      [(needs.productIds ?? []).map((p) => p.toLowerCase())],
    ],
    [
      `select s.id, s.level, s.parent_id as category_id, c.parent_id as department_id from classification s left join classification c on c.id = s.parent_id where s.id = any($1::int[])`,
      [needs.subcategoryIds ?? []],
    ],
    [`select id from vendor where id = any($1::int[])`, [needs.vendorIds ?? []]],
  ]);
  const upcMap = new Map(upcs.rows.map((r) => [r.upc as string, { itemId: r.id as number, label: r.label as string }]));
  const productMap = new Map(products.rows.map((r) => [r.pid as string, r.id as number]));
  const subMap = new Map(subcats.rows.map((r) => [r.id as number, r]));
  const vendorSet = new Set(vendors.rows.map((r) => r.id as number));
  return {
    upcOwner: (u) => upcMap.get(u),
    productOwner: (p) => productMap.get(p),
    subcategory: (id) => {
      const r = subMap.get(id);
      if (!r) return undefined;
      return r.level === ClassificationLevel.SUBCATEGORY
        ? { id, categoryId: r.category_id, departmentId: r.department_id }
        : 'NOT_SUBCATEGORY';
    },
    vendorExists: (id) => vendorSet.has(id),
  };
}

export function needsOf(fields: ItemFields[]): LookupNeeds {
  return {
    upcs: fields.flatMap((f) => [f.mainUpc ?? '', ...(f.additionalUpcs ?? [])].map((u) => u.trim()).filter(Boolean)),
    productIds: fields.map((f) => f.productId?.trim() ?? '').filter(Boolean),
    subcategoryIds: fields.map((f) => f.subcategoryId).filter((x): x is number => x != null),
    vendorIds: fields.map((f) => f.vendorId).filter((x): x is number => x != null),
  };
}

type Result<T> = { value?: T; errors: UserError[] };

export class CatalogService {
  async createItem(ctx: Ctx, f: ItemFields): Promise<Result<number>> {
    return this.saveItem(ctx, f, undefined);
  }

  async updateItem(ctx: Ctx, itemId: number, f: ItemFields): Promise<Result<number>> {
    return this.saveItem(ctx, f, itemId);
  }

  private async saveItem(ctx: Ctx, f: ItemFields, itemId: number | undefined): Promise<Result<number>> {
    try {
      return await inTransaction(ctx.pool, async (db) => {
        if (itemId !== undefined) {
          const { rowCount } = await db.query('select 1 from item where id = $1 for update', [itemId]);
          if (!rowCount) return { errors: [UserError.of(E.NOT_FOUND, `Item ${itemId} does not exist.`, 'input.id')] };
        }
        const lookups = await catalogLookups(db, needsOf([f]));
        const errors = validateItemFields(f, lookups, { itemId, partial: itemId !== undefined });
        if (errors.length) return { errors };
        const sub = f.subcategoryId != null ? lookups.subcategory(f.subcategoryId) : undefined;
        const path = typeof sub === 'object' ? sub : undefined;
        const id = itemId === undefined ? await insertItem(db, f, path!) : await updateItem(db, itemId, f, path);
        await writeUpcs(db, id, f);
        return { value: id, errors: [] };
      });
    } catch (e) {
      if (isUniqueViolation(e, 'item_upc_pkey'))
        return {
          errors: [UserError.of(E.UPC_TAKEN, 'One of these UPCs was just taken by another item; reload and try again.', 'input.mainUpc')],
        };
      if (isUniqueViolation(e, 'item_product_id_key'))
        return { errors: [UserError.of(E.DUPLICATE, 'This product id was just taken by another item.', 'input.productId')] };
      throw e;
    }
  }

  async createClassification(
    ctx: Ctx,
    input: { parentId?: number | null; code: string; name: string; serialLevel?: SerialLevel | null },
  ): Promise<Result<number>> {
    const errors: UserError[] = [];
    if (!input.code?.trim()) errors.push(UserError.of(E.REQUIRED, 'Code is required.', 'input.code'));
    if (!input.name?.trim()) errors.push(UserError.of(E.REQUIRED, 'Name is required.', 'input.name'));
    let level = ClassificationLevel.DEPARTMENT;
    let parentLevel: ClassificationLevel | null = null;
    if (input.parentId != null) {
      const { rows } = await ctx.pool.query('select level from classification where id = $1', [input.parentId]);
      if (!rows[0]) errors.push(UserError.of(E.NOT_FOUND, `Classification ${input.parentId} does not exist.`, 'input.parentId'));
      else if (rows[0].level === ClassificationLevel.SUBCATEGORY) {
        errors.push(UserError.of(E.FOURTH_LEVEL, 'The tree has three levels: a subcategory cannot have children.', 'input.parentId'));
      } else {
        parentLevel = rows[0].level;
        level = parentLevel === ClassificationLevel.DEPARTMENT ? ClassificationLevel.CATEGORY : ClassificationLevel.SUBCATEGORY;
      }
    }
    if (errors.length) return { errors };
    try {
      const { rows } = await ctx.pool.query(
        `insert into classification (level, parent_id, parent_level, code, name, serial_level) values ($1, $2, $3, $4, $5, $6) returning id`,
        [level, input.parentId ?? null, parentLevel, input.code.trim(), input.name.trim(), input.serialLevel ?? null],
      );
      return { value: rows[0].id, errors: [] };
    } catch (e) {
      if (isUniqueViolation(e))
        return { errors: [UserError.of(E.DUPLICATE, `Classification code ${input.code} is already used.`, 'input.code')] };
      throw e;
    }
  }

  /** Renames, re-codes, deactivates or moves a node; moving keeps items' classification path in step. */
  async updateClassification(
    ctx: Ctx,
    input: { id: number; parentId?: number | null; code?: string | null; name?: string | null; active?: boolean | null },
  ): Promise<Result<number>> {
    try {
      return await inTransaction(ctx.pool, async (db) => {
        const { rows } = await db.query('select id, level, parent_id from classification where id = $1 for update', [input.id]);
        const node = rows[0];
        if (!node) return { errors: [UserError.of(E.NOT_FOUND, `Classification ${input.id} does not exist.`, 'input.id')] };
        if (input.name !== undefined && !input.name?.trim())
          return { errors: [UserError.of(E.REQUIRED, 'Name is required.', 'input.name')] };
        if (input.code !== undefined && !input.code?.trim())
          return { errors: [UserError.of(E.REQUIRED, 'Code is required.', 'input.code')] };
        if (input.parentId !== undefined && input.parentId !== node.parent_id) {
          const moveError = await this.checkMove(db, node, input.parentId);
          if (moveError) return { errors: [moveError] };
          const parent = await db.query('select level from classification where id = $1', [input.parentId]);
          await db.query('update classification set parent_id = $2, parent_level = $3 where id = $1', [
            input.id,
            input.parentId,
            parent.rows[0].level,
          ]);
          await db.query(
            `update item i set category_id = c.id, department_id = c.parent_id
             from classification s join classification c on c.id = s.parent_id
             where s.id = i.subcategory_id and (s.id = $1 or c.id = $1)`,
            [input.id],
          );
        }
        await db.query(
          `update classification set code = coalesce($2, code), name = coalesce($3, name), active = coalesce($4, active) where id = $1`,
          [input.id, trimOrNull(input.code), trimOrNull(input.name), input.active ?? null],
        );
        return { value: input.id, errors: [] };
      });
    } catch (e) {
      if (isUniqueViolation(e))
        return { errors: [UserError.of(E.DUPLICATE, `Classification code ${input.code} is already used.`, 'input.code')] };
      throw e;
    }
  }

  /** POL-2: a node may only move under a node exactly one level above it; never under itself or its own subtree. */
  private async checkMove(
    db: Queryable,
    node: { id: number; level: ClassificationLevel },
    parentId: number | null,
  ): Promise<UserError | null> {
    if (parentId === null) {
      return node.level === ClassificationLevel.DEPARTMENT
        ? null
        : UserError.of(E.INVALID_PARENT, `A ${node.level.toLowerCase()} needs a parent one level above it.`, 'input.parentId');
    }
    if (parentId === node.id) return UserError.of(E.CYCLE, 'A classification cannot be its own parent.', 'input.parentId');
    const { rows } = await db.query(
      `select p.level, (p.parent_id = $2 or gp.parent_id = $2) as inside
       from classification p left join classification gp on gp.id = p.parent_id where p.id = $1`,
      [parentId, node.id],
    );
    const parent = rows[0];
    if (!parent) return UserError.of(E.NOT_FOUND, `Classification ${parentId} does not exist.`, 'input.parentId');
    if (parent.inside) return UserError.of(E.CYCLE, 'A classification cannot move under its own descendant.', 'input.parentId');
    if (parent.level === ClassificationLevel.SUBCATEGORY)
      return UserError.of(E.FOURTH_LEVEL, 'The tree has three levels: a subcategory cannot have children.', 'input.parentId');
    const expected =
      node.level === ClassificationLevel.CATEGORY
        ? ClassificationLevel.DEPARTMENT
        : node.level === ClassificationLevel.SUBCATEGORY
          ? ClassificationLevel.CATEGORY
          : null;
    if (parent.level !== expected) {
      return UserError.of(
        E.INVALID_PARENT,
        `A ${node.level.toLowerCase()} must sit under a ${expected?.toLowerCase() ?? 'nothing: departments are the top level'}.`,
        'input.parentId',
      );
    }
    return null;
  }

  async saveVendor(
    ctx: Ctx,
    input: { id?: number | null; code?: string | null; name?: string | null; active?: boolean | null },
  ): Promise<Result<number>> {
    if (input.id == null && !input.code?.trim()) return { errors: [UserError.of(E.REQUIRED, 'Code is required.', 'input.code')] };
    if ((input.id == null || input.name !== undefined) && !input.name?.trim())
      return { errors: [UserError.of(E.REQUIRED, 'Name is required.', 'input.name')] };
    try {
      if (input.id == null) {
        const { rows } = await ctx.pool.query('insert into vendor (code, name) values ($1, $2) returning id', [
          input.code!.trim(),
          input.name!.trim(),
        ]);
        return { value: rows[0].id, errors: [] };
      }
      const { rowCount } = await ctx.pool.query(
        'update vendor set code = coalesce($2, code), name = coalesce($3, name), active = coalesce($4, active) where id = $1',
        [input.id, trimOrNull(input.code), trimOrNull(input.name), input.active ?? null],
      );
      if (!rowCount) return { errors: [UserError.of(E.NOT_FOUND, `Vendor ${input.id} does not exist.`, 'input.id')] };
      return { value: input.id, errors: [] };
    } catch (e) {
      if (isUniqueViolation(e)) return { errors: [UserError.of(E.DUPLICATE, `Vendor code ${input.code} is already used.`, 'input.code')] };
      throw e;
    }
  }
}

async function insertItem(db: Queryable, f: ItemFields, path: { id: number; categoryId: number; departmentId: number }): Promise<number> {
  const { rows } = await db.query(
    `insert into item (product_id, name, description, subcategory_id, category_id, department_id, vendor_id, style, size, color, brand, season, team,
       unit_cost, retail_price, serial_level, serial_required_on_sale, serial_required_on_return, serial_pattern)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) returning id`,
    [
      f.productId!.trim(),
      f.name!.trim(),
      f.description?.trim() ?? '',
      path.id,
      path.categoryId,
      path.departmentId,
      f.vendorId ?? null,
      trimOrNull(f.style),
      trimOrNull(f.size),
      trimOrNull(f.color),
      trimOrNull(f.brand),
      trimOrNull(f.season),
      trimOrNull(f.team),
      trimOrNull(f.unitCost) ?? '0',
      trimOrNull(f.retailPrice) ?? '0',
      f.serialLevel ?? null,
      f.serialRequiredWhenSelling ?? false,
      f.serialRequiredWhenReturning ?? false,
      trimOrNull(f.serialPattern),
    ],
  );
  return rows[0].id;
}

async function updateItem(
  db: Queryable,
  id: number,
  f: ItemFields,
  path?: { id: number; categoryId: number; departmentId: number },
): Promise<number> {
  // Only given fields change; null clears optional text fields.
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (col: string, v: unknown) => {
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  };
  if (f.productId !== undefined) set('product_id', f.productId!.trim());
  if (f.name !== undefined) set('name', f.name!.trim());
  if (f.description !== undefined) set('description', f.description?.trim() ?? '');
  if (path) {
    set('subcategory_id', path.id);
    set('category_id', path.categoryId);
    set('department_id', path.departmentId);
  }
  if (f.vendorId !== undefined) set('vendor_id', f.vendorId);
  for (const k of ['style', 'size', 'color', 'brand', 'season', 'team'] as const) if (f[k] !== undefined) set(k, trimOrNull(f[k]));
  if (f.unitCost !== undefined && f.unitCost !== null) set('unit_cost', f.unitCost.trim());
  if (f.retailPrice !== undefined && f.retailPrice !== null) set('retail_price', f.retailPrice.trim());
  if (f.serialRequiredWhenSelling != null) set('serial_required_on_sale', f.serialRequiredWhenSelling);
  if (f.serialRequiredWhenReturning != null) set('serial_required_on_return', f.serialRequiredWhenReturning);
  if (f.serialPattern !== undefined) set('serial_pattern', trimOrNull(f.serialPattern));
  set('updated_at', new Date());
  await db.query(`update item set ${sets.join(', ')} where id = $1`, params);
  return id;
}

async function writeUpcs(db: Queryable, itemId: number, f: ItemFields): Promise<void> {
  if (f.mainUpc != null) {
    await db.query('delete from item_upc where item_id = $1 and is_main', [itemId]);
    await db.query('delete from item_upc where item_id = $1 and upc = $2', [itemId, f.mainUpc.trim()]);
    await db.query('insert into item_upc (upc, item_id, is_main, position) values ($1, $2, true, 0)', [f.mainUpc.trim(), itemId]);
  }
  if (f.additionalUpcs != null) {
    await db.query('delete from item_upc where item_id = $1 and not is_main', [itemId]);
    const list = f.additionalUpcs.map((u) => u.trim());
    await db.query(
      `insert into item_upc (upc, item_id, is_main, position) select u, $1, false, n from unnest($2::text[]) with ordinality as t(u, n)`,
      [itemId, list],
    );
  }
}
