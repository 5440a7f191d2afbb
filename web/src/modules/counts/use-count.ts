import { computed, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { useQuery } from '@/composables/use-query';
import { useDocumentEvents } from '@/composables/use-document-events';
import {
  CloseCountDocument,
  CountEventsDocument,
  CountTotalsDocument,
  CountVariancesDocument,
  CycleCountDocument,
  PostCountDocument,
  SetCountQuantityDocument,
  type CountEventsSubscription,
  type CountVarianceFieldsFragment,
} from '@/gql/graphql';
import { describeError } from '@/errors';
import { useKeyedMutation } from '@/composables/use-keyed-mutation';

export type CountEvent = CountEventsSubscription['documentEvents'];

/** One line of the live feed: who did what, as it happened. */
export interface FeedEntry {
  id: string;
  at: string;
  userName: string;
  action: string;
  accepted: number;
}

const FEED_SIZE = 8;

/**
 * One cycle count (CNT-1): its header, a live counter of every clerk's batches (DOC-2,
 * through `documentEvents`), closing, the variances, and posting the accepted ones.
 */
export function useCount(countId: MaybeRefOrGetter<string>) {
  const client = useApolloClient();
  const countQuery = useQuery(CycleCountDocument, () => ({ id: toValue(countId) }), { fetchPolicy: 'cache-and-network' });
  const count = computed(() => countQuery.data.value?.cycleCount);
  /** Units expected in scope, and serials counted in all batches together. */
  const expected = ref<number | null>(null);
  const counted = ref<number | null>(null);
  const feed = shallowRef<FeedEntry[]>([]);
  /** Units each clerk counted since this page opened, from the live events. */
  const tallies = shallowRef<ReadonlyMap<string, number>>(new Map());
  const variances = shallowRef<CountVarianceFieldsFragment>();
  const variancesLoading = ref(false);
  const variancesError = shallowRef<unknown>();
  const actionErrors = shallowRef<string[]>([]);
  const skipped = shallowRef<string[] | null>(null);
  const close = useKeyedMutation(CloseCountDocument);
  const postCount = useKeyedMutation(PostCountDocument);
  const setQuantity = useKeyedMutation(SetCountQuantityDocument);
  const busy = computed(() => close.loading.value || postCount.loading.value || setQuantity.loading.value);

  // DOC-2 / RT-3: every batch's progress as it commits; after a gap that cannot be replayed,
  // the totals and the header are read again.
  const live = useDocumentEvents(CountEventsDocument, () => ({ kind: 'COUNT', documentId: toValue(countId) }), {
    onEvent,
    onGap: () => {
      counted.value = null;
      void loadTotals();
      void countQuery.refetch();
    },
  });
  watch(() => toValue(countId), loadTotals, { immediate: true });
  watch(
    () => count.value?.status,
    (status) => {
      // Closing here answers with the variances already; anyone else's page asks for them.
      if (status === 'CLOSED' && !variances.value && !variancesLoading.value && !close.loading.value) void loadVariances();
    },
    { immediate: true },
  );

  return {
    count,
    loading: countQuery.loading,
    error: countQuery.error,
    refetch: countQuery.refetch,
    liveState: live.state,
    expected,
    counted,
    feed,
    tallies,
    variances,
    variancesLoading,
    variancesError,
    actionErrors,
    skipped,
    busy,
    closeError: close.error,
    postError: postCount.error,
    quantityError: setQuantity.error,
    loadVariances,
    closeCount,
    post,
    setCountedQuantity,
  };

  /** The counter's starting point; live events move it from there. */
  async function loadTotals(): Promise<void> {
    try {
      const { data } = await client.query({ query: CountTotalsDocument, variables: { id: toValue(countId) }, fetchPolicy: 'no-cache' });
      if (!data) return;
      expected.value = data.countVariances.expected;
      // An event may have arrived meanwhile; it is newer.
      counted.value ??= data.countVariances.counted;
    } catch {
      // The counter waits for the first live event; the page shows the count's own error.
    }
  }

  /** CNT-1: missing, unexpected and quantity variances as of now (always fetched afresh). */
  async function loadVariances(): Promise<void> {
    variancesLoading.value = true;
    variancesError.value = undefined;
    try {
      const { data, error } = await client.query({
        query: CountVariancesDocument,
        variables: { id: toValue(countId) },
        fetchPolicy: 'no-cache',
      });
      if (error || !data) throw error ?? new Error('The server sent no variances.');
      setVariances(data.countVariances);
    } catch (caught) {
      variancesError.value = caught;
    } finally {
      variancesLoading.value = false;
    }
  }

  async function closeCount(): Promise<boolean> {
    actionErrors.value = [];
    const data = await close.run({ input: { countId: toValue(countId) } });
    if (!data) return false;
    const payload = data.closeCount;
    if (payload.userErrors.length > 0) {
      actionErrors.value = payload.userErrors.map((e) => e.message);
      void countQuery.refetch();
      return false;
    }
    if (payload.variances) setVariances(payload.variances);
    return true;
  }

  /** A manager accepts every variance except the excluded ones. */
  async function post(excludeSerials: string[], excludeItemIds: string[]): Promise<boolean> {
    actionErrors.value = [];
    const data = await postCount.run({ input: { countId: toValue(countId), excludeSerials, excludeItemIds } });
    if (!data) return false;
    const payload = data.postCount;
    if (payload.userErrors.length > 0) {
      actionErrors.value = payload.userErrors.map((e) => e.message);
      void countQuery.refetch();
      void loadVariances();
      return false;
    }
    skipped.value = payload.skipped;
    return true;
  }

  /** A never-serialized item's counted quantity, typed instead of scanned unit by unit. */
  async function setCountedQuantity(itemId: string, quantity: number): Promise<string[]> {
    const data = await setQuantity.run({ input: { countId: toValue(countId), itemId, quantity } });
    if (!data) return [describeError(setQuantity.error.value)];
    return data.setCountQuantity.userErrors.map((e) => e.message);
  }

  function setVariances(next: CountVarianceFieldsFragment): void {
    variances.value = next;
    expected.value = next.expected;
    counted.value = next.counted;
  }

  function onEvent(event: CountEvent): void {
    counted.value = event.scanned;
    feed.value = [
      { id: event.id, at: event.occurredAt, userName: event.userName ?? 'Someone', action: event.action, accepted: event.accepted },
      ...feed.value,
    ].slice(0, FEED_SIZE);
    if (event.action === 'SCANNED' && event.accepted > 0) {
      const name = event.userName ?? 'Someone';
      tallies.value = new Map(tallies.value).set(name, (tallies.value.get(name) ?? 0) + event.accepted);
    }
    // Someone closed or posted it: the page follows.
    if (count.value && event.status !== count.value.status) {
      void countQuery.refetch();
      if (event.status === 'CLOSED' && !variances.value && !variancesLoading.value && !close.loading.value) void loadVariances();
    }
  }
}
