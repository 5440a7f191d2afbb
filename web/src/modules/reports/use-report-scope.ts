import { computed, type MaybeRefOrGetter, toValue } from 'vue';
import type { MultiSelectOption } from '@/components/MultiSelect.vue';
import { useQuery } from '@/composables/use-query';
import { ReportScopeDocument, ReportUsersDocument } from '@/gql/graphql';
import { useSession } from '@/modules/auth/session';

export interface ScopeChoice {
  venues: readonly string[];
  stores: readonly string[];
  departments: readonly string[];
  categories: readonly string[];
}

/**
 * The filter panel's choices, limited to what the viewer may report on (SEC-2): venues and
 * stores in scope, the registers of the chosen stores, the classification tree narrowed by
 * what is chosen above, vendors, and (for admins, who may list users) the users.
 */
export function useReportScope(choice: MaybeRefOrGetter<ScopeChoice>) {
  const { viewer } = useSession();
  const { data, loading, error } = useQuery(ReportScopeDocument);
  const isAdmin = computed(() => viewer.value?.user.role === 'ADMIN');
  const { data: usersData } = useQuery(ReportUsersDocument, {}, { enabled: isAdmin });

  const stores = computed(() => [...(data.value?.me?.stores ?? [])].sort((a, b) => a.code.localeCompare(b.code)));
  const venueOptions = computed<MultiSelectOption[]>(() => {
    const venues = new Map(stores.value.map((s) => [s.venue.id, s.venue.name]));
    return [...venues].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
  });
  const storeOptions = computed<MultiSelectOption[]>(() => {
    const venues = toValue(choice).venues;
    return stores.value
      .filter((s) => venues.length === 0 || venues.includes(s.venue.id))
      .map((s) => ({ value: s.id, label: `${s.code} ${s.name}`, short: s.code, hint: venues.length === 1 ? undefined : s.venue.name }));
  });
  const registerOptions = computed<MultiSelectOption[]>(() => {
    const chosen = toValue(choice).stores;
    const shownStores = new Set(storeOptions.value.map((o) => o.value));
    return stores.value
      .filter((s) => (chosen.length ? chosen.includes(s.id) : shownStores.has(s.id)))
      .flatMap((s) => s.registers.map((r) => ({ value: r.id, label: `${s.code} ${r.code}` })));
  });

  const departments = computed(() => data.value?.classificationTree ?? []);
  const departmentOptions = computed<MultiSelectOption[]>(() => departments.value.map((d) => ({ value: d.id, label: d.name })));
  const categoryNodes = computed(() => {
    const chosen = toValue(choice).departments;
    return departments.value
      .filter((d) => chosen.length === 0 || chosen.includes(d.id))
      .flatMap((d) => d.children.map((c) => ({ ...c, parentName: d.name })));
  });
  const categoryOptions = computed<MultiSelectOption[]>(() =>
    categoryNodes.value.map((c) => ({ value: c.id, label: c.name, hint: c.parentName })),
  );
  const subcategoryOptions = computed<MultiSelectOption[]>(() => {
    const chosen = toValue(choice).categories;
    return categoryNodes.value
      .filter((c) => chosen.length === 0 || chosen.includes(c.id))
      .flatMap((c) => c.children.map((s) => ({ value: s.id, label: s.name, hint: `${c.parentName} › ${c.name}` })));
  });

  const vendorOptions = computed<MultiSelectOption[]>(() =>
    (data.value?.vendors ?? []).map((v) => ({ value: v.id, label: v.name, hint: v.code })),
  );
  const userOptions = computed<MultiSelectOption[]>(() =>
    (usersData.value?.users ?? []).map((u) => ({ value: u.id, label: u.displayName, hint: u.username })),
  );

  return {
    loading,
    error,
    /** False until the choices are known: what the URL names is then resolved against them. */
    ready: computed(() => data.value !== undefined),
    canChooseUsers: isAdmin,
    venueOptions,
    storeOptions,
    registerOptions,
    departmentOptions,
    categoryOptions,
    subcategoryOptions,
    vendorOptions,
    userOptions,
  };
}
