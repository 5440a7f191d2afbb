import { computed, ref, watch } from 'vue';

export interface ReportColumn {
  key: string;
  label: string;
  /** Pixels; rows are one line high, so long values are cut with an ellipsis (the cell's title has them whole). */
  width: number;
  align?: 'num';
  /** The sorts this column toggles between, first click first. */
  sorts?: readonly [string, string];
  /** Shown until the user chooses otherwise. */
  default?: boolean;
}

/**
 * Which columns a report shows, remembered in this browser (localStorage) per report, in the
 * report's own column order. A remembered key that no longer exists is ignored.
 */
export function useColumnChoice(storageKey: string, columns: readonly ReportColumn[]) {
  const defaults = columns.filter((c) => c.default).map((c) => c.key);
  const chosen = ref<string[]>(remembered() ?? defaults);
  const visible = computed(() => columns.filter((c) => chosen.value.includes(c.key)));

  watch(chosen, (keys) => persist(keys), { deep: true });

  return { chosen, visible, isShown, reset };

  function isShown(key: string): boolean {
    return chosen.value.includes(key);
  }

  function reset(): void {
    chosen.value = [...defaults];
  }

  function remembered(): string[] | null {
    try {
      const raw = localStorage.getItem(storageKey);
      const keys = raw ? (JSON.parse(raw) as unknown) : null;
      if (!Array.isArray(keys)) return null;
      const known = keys.filter((k): k is string => typeof k === 'string' && columns.some((c) => c.key === k));
      return known.length ? known : null;
    } catch {
      return null;
    }
  }

  function persist(keys: string[]): void {
    try {
      localStorage.setItem(storageKey, JSON.stringify(keys));
    } catch {
      // Private mode or a full store: the choice lasts for this page only.
    }
  }
}
