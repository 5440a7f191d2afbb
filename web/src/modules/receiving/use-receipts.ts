import { computed, onScopeDispose, ref, watch } from 'vue';
import { useQuery } from '@/composables/use-query';
import { ReceivingReceiptsDocument, type DocumentStatus } from '@/gql/graphql';

const PAGE = 50;
/** The API's largest page; beyond it the filter has to narrow things down. */
const MAX_SHOWN = 500;
const SEARCH_DELAY_MS = 250;

/** Receipts at the user's stores (SEC-2), newest first, filtered by status, store and number or ASN reference. */
export function useReceipts() {
  const status = ref<DocumentStatus | ''>('');
  const storeId = ref('');
  /** What is typed in the search box; the query follows it after a short pause. */
  const searchInput = ref('');
  const search = ref('');
  const limit = ref(PAGE);

  const { data, loading, error } = useQuery(
    ReceivingReceiptsDocument,
    () => ({
      filter: { status: status.value || null, storeId: storeId.value || null, search: search.value.trim() || null },
      first: limit.value,
    }),
    // Receipts change under other clerks' hands: show the cached list at once, then the server's.
    { fetchPolicy: 'cache-and-network' },
  );
  const receipts = computed(() => data.value?.receipts.nodes ?? []);
  const hasMore = computed(() => data.value?.receipts.hasNextPage ?? false);
  const canShowMore = computed(() => hasMore.value && limit.value < MAX_SHOWN);

  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(searchInput, (value) => {
    clearTimeout(timer);
    timer = setTimeout(() => (search.value = value), SEARCH_DELAY_MS);
  });
  watch([status, storeId, search], () => (limit.value = PAGE));
  onScopeDispose(() => clearTimeout(timer));

  return { status, storeId, searchInput, receipts, loading, error, hasMore, canShowMore, showMore };

  function showMore(): void {
    limit.value = Math.min(limit.value + PAGE, MAX_SHOWN);
  }
}
