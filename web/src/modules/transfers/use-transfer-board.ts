import { computed, onScopeDispose, ref, shallowRef } from 'vue';
import { useApolloClient } from '@/composables/use-apollo';
import { useQuery } from '@/composables/use-query';
import { TransferBoardCardDocument, TransferBoardDocument, type TransferCardFragment } from '@/gql/graphql';
import { BOARD_GROUPS, isTransferStatus, type BoardGroupId } from './transfers';
import { useTransferEvents, type TransferEvent } from './use-transfer-events';

/** The API's largest page: the newest transfers of my stores. */
const BOARD_SIZE = 500;
const LIST_REFRESH_DELAY_MS = 300;
/** How long a card stays highlighted after a live change. */
const CHANGED_MS = 2_500;

export interface BoardColumn {
  id: BoardGroupId;
  label: string;
  transfers: TransferCardFragment[];
}

/**
 * TRF-4: the transfers of my stores, grouped by status, moving live. Each document event
 * updates its card in place — the status at once, the figures by reloading that one card
 * (the event's own `received` leaves serials out) — and a transfer the board does not know
 * yet reloads the list. A dropped connection resumes from the last event (RT-3).
 */
export function useTransferBoard() {
  const client = useApolloClient();
  /** '' = all my stores. */
  const storeId = ref('');
  /** '' = every status group. */
  const groupId = ref<BoardGroupId | ''>('');
  const { data, loading, error, refetch } = useQuery(TransferBoardDocument, { first: BOARD_SIZE }, { fetchPolicy: 'cache-and-network' });
  /** The last thing that happened to each transfer while the board was open. */
  const lastEvents = shallowRef<ReadonlyMap<string, TransferEvent>>(new Map());
  /** Transfers changed a moment ago, highlighted. */
  const changed = shallowRef<ReadonlySet<string>>(new Set());
  const { state: liveState, error: liveError } = useTransferEvents({}, { onEvent, onGap: () => void refetch() });

  const transfers = computed(() => data.value?.transfers ?? []);
  const shown = computed(() =>
    storeId.value ? transfers.value.filter((t) => t.fromStore.id === storeId.value || t.toStore.id === storeId.value) : transfers.value,
  );
  const columns = computed<BoardColumn[]>(() =>
    BOARD_GROUPS.filter((group) => !groupId.value || group.id === groupId.value).map((group) => ({
      id: group.id,
      label: group.label,
      transfers: shown.value.filter((t) => group.statuses.includes(t.status)),
    })),
  );
  const truncated = computed(() => transfers.value.length >= BOARD_SIZE);

  // One reload at a time per card; an event arriving meanwhile asks for one more.
  const cardReloads = new Map<string, 'running' | 'again'>();
  const changedTimers = new Map<string, ReturnType<typeof setTimeout>>();
  let listTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  onScopeDispose(() => {
    disposed = true;
    clearTimeout(listTimer);
    for (const timer of changedTimers.values()) clearTimeout(timer);
  });

  return { storeId, groupId, transfers, columns, loading, error, refetch, truncated, liveState, liveError, lastEvents, changed };

  function onEvent(event: TransferEvent): void {
    lastEvents.value = new Map(lastEvents.value).set(event.documentId, event);
    const known = transfers.value.some((t) => t.id === event.documentId);
    if (!known) {
      reloadListSoon();
      return;
    }
    if (isTransferStatus(event.status)) {
      // Status and shipped figures ride on the event; received units come with the card's reload.
      client.cache.modify({
        id: client.cache.identify({ __typename: 'Transfer', id: event.documentId }),
        fields: { status: () => event.status },
      });
    }
    markChanged(event.documentId);
    void reloadCard(event.documentId);
  }

  async function reloadCard(id: string): Promise<void> {
    if (cardReloads.has(id)) {
      cardReloads.set(id, 'again');
      return;
    }
    try {
      do {
        cardReloads.set(id, 'running');
        // The answer lands in the cache, which the board's list reads.
        await client.query({ query: TransferBoardCardDocument, variables: { id }, fetchPolicy: 'network-only' }).catch(() => undefined);
      } while (!disposed && cardReloads.get(id) === 'again');
    } finally {
      cardReloads.delete(id);
    }
  }

  function reloadListSoon(): void {
    clearTimeout(listTimer);
    listTimer = setTimeout(() => void refetch(), LIST_REFRESH_DELAY_MS);
  }

  function markChanged(id: string): void {
    changed.value = new Set(changed.value).add(id);
    clearTimeout(changedTimers.get(id));
    changedTimers.set(
      id,
      setTimeout(() => {
        changedTimers.delete(id);
        const next = new Set(changed.value);
        next.delete(id);
        changed.value = next;
      }, CHANGED_MS),
    );
  }
}
