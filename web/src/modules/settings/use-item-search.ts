import type { ErrorLike } from '@apollo/client';
import { toErrorLike } from '@apollo/client/errors';
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { useQuery } from '@/composables/use-query';
import { ItemSearchDocument, ResolveItemCodeDocument } from '@/gql/graphql';

/** Limits the search to a department, category or subcategory (from the tree). */
export interface ClassificationScope {
  id: string;
  label: string;
}

const PAGE_SIZE = 25;
const TYPING_PAUSE_MS = 250;

/**
 * Finding items (POL-4): the list follows what is typed (name, product id, any UPC),
 * and Enter — what a scanner sends after the code — opens the item whose product id or
 * UPC is exactly that code.
 */
export function useItemSearch(options: { onResolved: (itemId: string) => void }) {
  const client = useApolloClient();
  const text = ref('');
  /** The text the list follows: `text` once typing pauses, at once on Enter. */
  const term = ref('');
  const scope = ref<ClassificationScope | null>(null);
  const resolving = ref(false);
  /** A code entered with Enter that is no product id or UPC. */
  const unknownCode = ref('');
  const resolveError = shallowRef<ErrorLike>();

  const enabled = computed(() => term.value !== '' || scope.value !== null);
  const {
    data,
    loading,
    error: searchError,
  } = useQuery(
    ItemSearchDocument,
    () => ({ filter: { search: term.value || null, classificationId: scope.value?.id ?? null }, first: PAGE_SIZE }),
    { enabled, fetchPolicy: 'cache-and-network' },
  );
  const results = computed(() => (enabled.value ? (data.value?.items.nodes ?? []) : []));
  const totalCount = computed(() => (enabled.value ? (data.value?.items.totalCount ?? 0) : 0));
  const error = computed(() => resolveError.value ?? searchError.value);

  let typing: ReturnType<typeof setTimeout> | undefined;
  watch(text, (value) => {
    clearTimeout(typing);
    unknownCode.value = '';
    typing = setTimeout(() => (term.value = value.trim()), TYPING_PAUSE_MS);
  });
  onScopeDispose(() => clearTimeout(typing));

  return { text, term, scope, results, totalCount, loading, error, resolving, unknownCode, enabled, submit, clearScope };

  /** Enter in the search box: an exact product id or UPC opens its item directly. */
  async function submit(): Promise<void> {
    clearTimeout(typing);
    const code = text.value.trim();
    term.value = code;
    unknownCode.value = '';
    resolveError.value = undefined;
    if (!code) return;
    resolving.value = true;
    try {
      const { data: resolved } = await client.query({ query: ResolveItemCodeDocument, variables: { code }, fetchPolicy: 'network-only' });
      const item = resolved?.resolveCode?.item;
      if (item) options.onResolved(item.id);
      else unknownCode.value = code;
    } catch (caught) {
      resolveError.value = toErrorLike(caught);
    } finally {
      resolving.value = false;
    }
  }

  function clearScope(): void {
    scope.value = null;
  }
}
