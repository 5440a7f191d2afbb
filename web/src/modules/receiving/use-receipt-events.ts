import { computed, onScopeDispose, shallowRef, toValue, type MaybeRefOrGetter } from 'vue';
import { useDocumentEvents } from '@/composables/use-document-events';
import { ReceiptEventsDocument, type ReceiptEventsSubscription } from '@/gql/graphql';
import { useSession } from '@/modules/auth/session';

export type ReceiptEvent = ReceiptEventsSubscription['documentEvents'];

/** The event actions of this page's own changes (the server names them after the mutation). */
export type ReceiptAction = 'SCANNED' | 'removeReceiptSerials' | 'setReceiptQuantity' | 'postReceipt' | 'cancelReceipt';

/**
 * This page's own changes, to tell their events from everyone else's. `start` when a change is
 * sent; the function it returns is called once, when the change is answered (or given up),
 * with whether it was committed (and so produced an event).
 */
export interface OwnChanges {
  start(action: ReceiptAction): (committed: boolean) => void;
}

// A burst of scans elsewhere is one reload.
const RELOAD_MS = 150;

/**
 * DOC-2 / RT-3 on one receipt: the changes other clerks commit (and this user's, from another
 * window) reload what the page shows and are told in `lastChange`. The echoes of this page's
 * own changes are dropped: their answers already brought the receipt as it now is.
 */
export function useReceiptEvents(
  receiptId: MaybeRefOrGetter<string>,
  options: {
    /** Reloads the receipt (and what else is shown of it); resolves once it is in. */
    reload: () => Promise<unknown>;
  },
) {
  const { viewer } = useSession();
  const myName = computed(() => viewer.value?.user.displayName ?? null);
  /** The last change made elsewhere. */
  const lastChange = shallowRef<ReceiptEvent>();
  // Per action: own changes sent and not answered; events of mine that came while one was
  // (their answer not in yet); own changes committed whose event has not come yet.
  const inFlight = new Map<ReceiptAction, number>();
  const early = new Map<ReceiptAction, number>();
  const owed = new Map<ReceiptAction, number>();
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  let reloading = false;
  let reloadAgain = false;

  const { state, error } = useDocumentEvents(ReceiptEventsDocument, () => ({ kind: 'RECEIPT', documentId: toValue(receiptId) }), {
    onEvent,
    onGap: () => {
      early.clear();
      owed.clear();
      reloadSoon();
    },
  });
  onScopeDispose(() => clearTimeout(reloadTimer));

  const own: OwnChanges = { start };
  return { state, error, lastChange, own };

  function onEvent(event: ReceiptEvent): void {
    if (isOwn(event)) return;
    // Creation happens before anyone has the page open; nothing to tell.
    if (event.action !== 'CREATED') lastChange.value = event;
    reloadSoon();
  }

  /** Whether the event is the echo of one of this page's own changes (each echo is claimed once). */
  function isOwn(event: ReceiptEvent): boolean {
    if (event.userName == null || event.userName !== myName.value) return false;
    const action = event.action as ReceiptAction;
    if (take(owed, action)) return true;
    if ((inFlight.get(action) ?? 0) > 0) {
      add(early, action);
      return true;
    }
    return false;
  }

  function start(action: ReceiptAction): (committed: boolean) => void {
    add(inFlight, action);
    let settled = false;
    return (committed) => {
      if (settled) return;
      settled = true;
      take(inFlight, action);
      if (committed) {
        if (!take(early, action)) add(owed, action);
        // A reload under way may have read the receipt before this change: read it again.
        if (reloading) reloadAgain = true;
      }
      // An event taken for an echo while nothing of mine was committed came from elsewhere
      // (this user in another window): reload after all.
      if ((inFlight.get(action) ?? 0) === 0 && take(early, action)) {
        early.delete(action);
        reloadSoon();
      }
    };
  }

  function reloadSoon(): void {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => void reload(), RELOAD_MS);
  }

  async function reload(): Promise<void> {
    if (reloading) {
      reloadAgain = true;
      return;
    }
    reloading = true;
    try {
      do {
        reloadAgain = false;
        await options.reload();
      } while (reloadAgain);
    } finally {
      reloading = false;
    }
  }
}

function add<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Takes one from the count; false when there was none. */
function take<K>(counts: Map<K, number>, key: K): boolean {
  const n = counts.get(key) ?? 0;
  if (n === 0) return false;
  if (n === 1) counts.delete(key);
  else counts.set(key, n - 1);
  return true;
}
