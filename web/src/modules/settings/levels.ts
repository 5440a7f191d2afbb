import type { PolicySource, PolicyTargetInput, SerialLevel } from '@/gql/graphql';

/** POL-1's levels, in the order the selectors offer them. */
export const LEVELS: readonly SerialLevel[] = ['ALWAYS', 'SOMETIMES', 'NEVER'];

export const LEVEL_HINTS: Record<SerialLevel, string> = {
  ALWAYS: 'a serial on every movement',
  SOMETIMES: 'serials optional; per-item flags for selling and returning',
  NEVER: 'quantities only, no serials',
};

/** A level for people; `null` is a node or item without a level of its own. */
export function levelLabel(level: SerialLevel | null | undefined): string {
  return level ?? 'Inherit';
}

/** A level change the merchandiser has chosen but not yet confirmed (POL-3). */
export interface LevelChangeRequest {
  target: PolicyTargetInput;
  /** The new own level; null clears it, so the level is inherited again. */
  level: SerialLevel | null;
  /** The target's own level before the change. */
  currentLevel: SerialLevel | null;
  /** For people: "Department Apparel", "item SH-100 Oxford shirt". */
  targetLabel: string;
}

/** The target of a request, as a stable key (which selector shows the pending value). */
export function targetKey(target: PolicyTargetInput): string {
  return target.classificationId ? `classification:${target.classificationId}` : `item:${target.itemId}`;
}

const SOURCE_LABELS: Record<PolicySource, string> = {
  ITEM: 'Item',
  SUBCATEGORY: 'Subcategory',
  CATEGORY: 'Category',
  DEPARTMENT: 'Department',
  DEFAULT: '',
};

/** What a child inherits from a policy in effect: "NEVER from Department Apparel", "NEVER by default". */
export function inheritedFrom(policy: { level: SerialLevel; source: PolicySource; sourceName?: string | null }): string {
  if (policy.source === 'DEFAULT' || !policy.sourceName) return `${policy.level} by default`;
  return `${policy.level} from ${SOURCE_LABELS[policy.source]} ${policy.sourceName}`;
}
