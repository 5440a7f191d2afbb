import type { ApolloClient, ErrorLike, OperationVariables, TypedDocumentNode } from '@apollo/client';
import { toErrorLike } from '@apollo/client/errors';
import { computed, markRaw, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';

export interface CursorPage<TRow> {
  rows: readonly TRow[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/**
 * The rows of a keyset-paged report: the first page whenever the variables change, then
 * "Load more" appends the next one after the last cursor. Tens of thousands of rows may be
 * loaded, so they bypass Apollo's cache (`no-cache`: nothing to normalize, nothing kept after
 * the page closes) and stay a plain, non-reactive array that is replaced, never deep-watched.
 * `variables` null = not ready yet (nothing is fetched).
 */
export function useCursorRows<TData, TVariables extends OperationVariables & { after?: string | null }, TRow>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: MaybeRefOrGetter<Omit<TVariables, 'after'> | null>,
  page: (data: TData) => CursorPage<TRow>,
) {
  const client = useApolloClient();
  const rows = shallowRef<readonly TRow[]>([]);
  const endCursor = ref<string | null>(null);
  const hasMore = ref(false);
  const loading = ref(false);
  const loadingMore = ref(false);
  const error = shallowRef<ErrorLike>();
  /** The variables of what is shown, so a late answer for older variables is dropped. */
  let generation = 0;

  watch(() => JSON.stringify(toValue(variables)), reload, { immediate: true });

  return { rows, hasMore, loading, loadingMore, error, reload, loadMore, count: computed(() => rows.value.length) };

  /** The first page again (new variables, or "Apply" with the same ones). */
  async function reload(): Promise<void> {
    const current = ++generation;
    const vars = toValue(variables);
    rows.value = [];
    endCursor.value = null;
    hasMore.value = false;
    error.value = undefined;
    loadingMore.value = false;
    if (!vars) {
      loading.value = false;
      return;
    }
    loading.value = true;
    const result = await fetchPage(vars, null);
    if (current !== generation) return;
    loading.value = false;
    if (result) apply(result, []);
  }

  /** The next page; `first` overrides the page size (a small first page shows fast, later ones may be bigger). */
  async function loadMore(first?: number): Promise<void> {
    const vars = toValue(variables);
    if (!vars || !hasMore.value || loading.value || loadingMore.value) return;
    const current = generation;
    loadingMore.value = true;
    const result = await fetchPage(first ? { ...vars, first } : vars, endCursor.value);
    if (current !== generation) return;
    loadingMore.value = false;
    if (result) apply(result, rows.value);
  }

  function apply(result: CursorPage<TRow>, before: readonly TRow[]): void {
    rows.value = markRaw([...before, ...result.rows]);
    endCursor.value = result.pageInfo.endCursor ?? null;
    hasMore.value = result.pageInfo.hasNextPage;
  }

  async function fetchPage(vars: Omit<TVariables, 'after'>, after: string | null): Promise<CursorPage<TRow> | undefined> {
    try {
      const result = await client.query<TData, TVariables>({
        query: document,
        variables: { ...vars, after } as unknown as TVariables,
        fetchPolicy: 'no-cache',
      } as ApolloClient.QueryOptions<TData, TVariables>);
      if (result.error) error.value = result.error;
      return result.data ? page(result.data as TData) : undefined;
    } catch (caught) {
      error.value = toErrorLike(caught);
      return undefined;
    }
  }
}
