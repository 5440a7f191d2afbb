import { ref, watch, type Ref } from 'vue';
import { useRouter, type LocationQuery, type LocationQueryRaw } from 'vue-router';
import type { MultiSelectOption } from '@/components/MultiSelect.vue';
import { cloneForm, sameQuery, type ReportForm } from './report-query';
import { usePageQuery } from './use-page-query';
import { useReportScope } from './use-report-scope';

/** The scope choices a report's filter panel offers (SEC-2); registers only where the report has them. */
export type ScopeForm = ReportForm & {
  venues: string[];
  stores: string[];
  registers?: string[];
  departments: string[];
  categories: string[];
  subcategories: string[];
};
export type ScopeField = 'venues' | 'stores' | 'registers' | 'departments' | 'categories' | 'subcategories';

// Each choice narrows the ones after it: venue → store → register, department → category → subcategory.
const CHAINS: readonly (readonly ScopeField[])[] = [
  ['venues', 'stores', 'registers'],
  ['departments', 'categories', 'subcategories'],
];

export interface FilterPanelSpec<T extends ScopeForm> {
  /** The report page the filter applies to. */
  path: string;
  defaults: Readonly<T>;
  read: (query: LocationQuery) => T;
  /** The URL of a form; `applied` is the current one, for what the panel does not edit (e.g. the sort). */
  write: (form: T, applied: LocationQuery) => LocationQueryRaw;
  /** Applying an unchanged filter asks the page to run it again, e.g. to see new events. */
  rerun: () => void;
}

export type FilterPanel<T extends ScopeForm = ScopeForm> = ReturnType<typeof useFilterPanel<T>>;

/**
 * A report's filter panel (REP-1, REP-2). What is applied lives in the URL (bookmark, share,
 * reload); the panel edits a draft of it, and "Apply" writes the draft to the URL.
 */
export function useFilterPanel<T extends ScopeForm>(spec: FilterPanelSpec<T>) {
  const query = usePageQuery();
  const router = useRouter();
  const draft = ref(spec.read(query.value)) as Ref<T>;
  const scope = useReportScope(() => draft.value);

  const offers = {
    venues: scope.venueOptions,
    stores: scope.storeOptions,
    registers: scope.registerOptions,
    departments: scope.departmentOptions,
    categories: scope.categoryOptions,
    subcategories: scope.subcategoryOptions,
  } satisfies Record<ScopeField, unknown>;

  // Back/forward, or a link, changed the applied filter: the panel shows it.
  watch(query, (applied) => (draft.value = spec.read(applied)));

  return { draft, scope, apply, reset, choose, offered };

  /** What a scope choice offers, given the choices above it. */
  function offered(field: ScopeField): readonly MultiSelectOption[] {
    return offers[field].value;
  }

  function apply(): void {
    const next = spec.write(draft.value, query.value);
    if (sameQuery(next, query.value)) spec.rerun();
    else void router.push({ path: spec.path, query: next });
  }

  function reset(): void {
    draft.value = cloneForm(spec.defaults as T);
    apply();
  }

  /** A scope choice changed: the choices after it that no longer fit it are dropped. */
  function choose(field: ScopeField, values: string[]): void {
    const form: ScopeForm = draft.value;
    form[field] = values;
    const chain = CHAINS.find((c) => c.includes(field))!;
    for (const below of chain.slice(chain.indexOf(field) + 1)) {
      const chosen = form[below];
      if (!chosen) continue;
      const fits = new Set(offered(below).map((o) => o.value));
      form[below] = chosen.filter((v) => fits.has(v));
    }
  }
}
