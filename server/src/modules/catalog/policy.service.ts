import type { Queryable } from '../../common/db.js';
import { inTransaction } from '../../common/db.js';
import type { Ctx } from '../../common/context.js';
import { ClassificationLevel, SerialLevel } from './catalog.entities.js';

export enum PolicySource {
  ITEM = 'ITEM',
  SUBCATEGORY = 'SUBCATEGORY',
  CATEGORY = 'CATEGORY',
  DEPARTMENT = 'DEPARTMENT',
  DEFAULT = 'DEFAULT',
}

/** An item's effective serialization policy and where its level comes from (POL-1, POL-2). */
export interface EffectivePolicy {
  itemId: number;
  level: SerialLevel;
  source: PolicySource;
  sourceId: number | null;
  sourceName: string | null;
  /** Effective: ALWAYS → true, NEVER → false, SOMETIMES → the item's flag. */
  requiredWhenSelling: boolean;
  requiredWhenReturning: boolean;
  pattern: string | null;
}

export type PolicyTarget = { kind: 'CLASSIFICATION'; id: number } | { kind: 'ITEM'; id: number };

export interface LevelTransition {
  from: SerialLevel;
  to: SerialLevel;
  items: number;
}

export interface PolicyImpact {
  /** Items whose effective level changes. */
  itemsAffected: number;
  transitions: LevelTransition[];
  sampleItemIds: number[];
  /** Units on hand that carry no serial, at items that would become ALWAYS. */
  unitsWithoutSerials: { storeId: number; itemCount: number; quantity: number }[];
  /** Open documents with lines on affected items that would stop being postable as they are. */
  openDocuments: { kind: string; id: number; number: string; status: string }[];
}

export function explain(p: Pick<EffectivePolicy, 'source' | 'sourceName'>): string {
  switch (p.source) {
    case PolicySource.ITEM:
      return 'set on this item';
    case PolicySource.DEFAULT:
      return 'default (no level set on the item or its classification)';
    default:
      return `inherited from ${p.source.charAt(0)}${p.source.slice(1).toLowerCase()} ${p.sourceName}`;
  }
}

/** Hooks later modules register to add stock and document figures to the impact preview. */
export type ImpactContributor = (db: Queryable, affectedToAlways: number[], affectedAll: number[]) => Promise<Partial<PolicyImpact>>;

export class PolicyService {
  constructor(private readonly contributors: ImpactContributor[] = []) {}

  /** Effective policies for many items in one statement. */
  async policiesFor(db: Queryable, itemIds: number[]): Promise<Map<number, EffectivePolicy>> {
    const { rows } = await db.query(
      `select item_id, level, source, source_id, source_name, serial_required_on_sale, serial_required_on_return, serial_pattern
       from item_policy where item_id = any($1::int[])`,
      [itemIds],
    );
    return new Map(rows.map((r) => [r.item_id, toPolicy(r)]));
  }

  /**
   * The level each classification node has in effect (its own, or inherited from an
   * ancestor), for the settings tree.
   */
  async nodeLevels(
    db: Queryable,
  ): Promise<Map<number, { level: SerialLevel; source: PolicySource; sourceId: number | null; sourceName: string | null }>> {
    const { rows } = await db.query(`select id, level, parent_id, name, serial_level from classification`);
    const byId = new Map(rows.map((r) => [r.id as number, r]));
    const out = new Map();
    for (const r of rows) {
      let n = r;
      while (n && !n.serial_level) n = n.parent_id ? byId.get(n.parent_id) : undefined;
      out.set(
        r.id,
        n
          ? { level: n.serial_level, source: n.level as PolicySource, sourceId: n.id, sourceName: n.name }
          : { level: SerialLevel.NEVER, source: PolicySource.DEFAULT, sourceId: null, sourceName: null },
      );
    }
    return out;
  }

  /** POL-3: what changing the target's level to `level` (null = inherit) would do. */
  async impact(db: Queryable, target: PolicyTarget, level: SerialLevel | null): Promise<PolicyImpact> {
    const nodeId = target.kind === 'CLASSIFICATION' ? target.id : null;
    const itemId = target.kind === 'ITEM' ? target.id : null;
    const { rows } = await db.query<{ id: number; old_level: SerialLevel; new_level: SerialLevel }>(
      `select i.id,
         coalesce(i.serial_level, sc.serial_level, c.serial_level, d.serial_level, 'NEVER') as old_level,
         coalesce(case when i.id = $2 then $3 else i.serial_level end,
                  case when sc.id = $1 then $3 else sc.serial_level end,
                  case when c.id = $1 then $3 else c.serial_level end,
                  case when d.id = $1 then $3 else d.serial_level end, 'NEVER') as new_level
       from item i
       join classification sc on sc.id = i.subcategory_id
       join classification c on c.id = sc.parent_id
       join classification d on d.id = c.parent_id
       where i.active and (i.id = $2 or sc.id = $1 or c.id = $1 or d.id = $1)`,
      [nodeId, itemId, level],
    );
    const changed = rows.filter((r) => r.old_level !== r.new_level);
    const transitions = new Map<string, LevelTransition>();
    for (const r of changed) {
      const key = `${r.old_level}>${r.new_level}`;
      const t = transitions.get(key) ?? { from: r.old_level, to: r.new_level, items: 0 };
      t.items += 1;
      transitions.set(key, t);
    }
    const impact: PolicyImpact = {
      itemsAffected: changed.length,
      transitions: [...transitions.values()].sort((a, b) => b.items - a.items),
      sampleItemIds: changed.slice(0, 20).map((r) => r.id),
      unitsWithoutSerials: [],
      openDocuments: [],
    };
    const toAlways = changed.filter((r) => r.new_level === SerialLevel.ALWAYS).map((r) => r.id);
    for (const contribute of this.contributors)
      Object.assign(
        impact,
        await contribute(
          db,
          toAlways,
          changed.map((r) => r.id),
        ),
      );
    return impact;
  }

  /**
   * Sets (or with null clears) a node's or an item's own level, in one transaction with its
   * audit row (POL-3). Returns the audit row id and the impact it had; null if the target
   * does not exist.
   */
  async setLevel(
    ctx: Ctx,
    target: PolicyTarget,
    level: SerialLevel | null,
  ): Promise<{ changeId: number; impact: PolicyImpact; changed: boolean } | null> {
    return inTransaction(ctx.pool, async (db) => {
      const table = target.kind === 'ITEM' ? 'item' : 'classification';
      const { rows } = await db.query<{ name: string; serial_level: SerialLevel | null; level?: ClassificationLevel }>(
        `select name, serial_level from ${table} where id = $1 for update`,
        [target.id],
      );
      const row = rows[0];
      if (!row) return null;
      const impact = await this.impact(db, target, level);
      if (row.serial_level === level) return { changeId: 0, impact, changed: false };
      await db.query(`update ${table} set serial_level = $2 where id = $1`, [target.id, level]);
      const change = await db.query<{ id: string }>(
        `insert into policy_change (user_id, target_kind, target_id, target_name, old_level, new_level, items_affected)
         values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [ctx.viewer!.userId, target.kind, target.id, row.name, row.serial_level, level, impact.itemsAffected],
      );
      await db.query(`select pg_notify('policy_change', $1)`, [change.rows[0]!.id]);
      return { changeId: Number(change.rows[0]!.id), impact, changed: true };
    });
  }
}

export function toPolicy(r: Record<string, any>): EffectivePolicy {
  const level = r.level as SerialLevel;
  return {
    itemId: r.item_id,
    level,
    source: r.source,
    sourceId: r.source_id,
    sourceName: r.source_name,
    requiredWhenSelling: level === SerialLevel.ALWAYS || (level === SerialLevel.SOMETIMES && r.serial_required_on_sale),
    requiredWhenReturning: level === SerialLevel.ALWAYS || (level === SerialLevel.SOMETIMES && r.serial_required_on_return),
    pattern: r.serial_pattern,
  };
}
