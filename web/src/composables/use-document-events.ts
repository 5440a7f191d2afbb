import type { ErrorLike, TypedDocumentNode } from '@apollo/client';
import { toErrorLike } from '@apollo/client/errors';
import type { Subscription } from 'rxjs';
import { computed, onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useApolloClient, useConnection } from '@/composables/use-apollo';
import type { DocumentEventFilter, DocumentEventKind } from '@/gql/graphql';

/**
 * - `live`: connected, events arrive as they commit;
 * - `paused`: the connection is down; what happens meanwhile is fetched when it is back;
 * - `catching-up`: back, and the events missed are arriving.
 */
export type LiveState = 'live' | 'paused' | 'catching-up';

/** What every `documentEvents` selection must include: the event's identity and its place in the stream. */
export interface DocumentEventBase {
  id: string;
  cursor: string;
}

/** The variables of a `documentEvents(filter, after)` subscription. */
export interface DocumentEventsVariables {
  filter?: DocumentEventFilter | null;
  after?: string | null;
}

export interface DocumentEventsFilter {
  kind: DocumentEventKind;
  /** One document only (its page); every document of the kind at my stores when absent (a board). */
  documentId?: string | null;
}

export interface DocumentEventsOptions<TEvent> {
  /** Each event once, in commit order. */
  onEvent: (event: TEvent) => void;
  /**
   * Events may have been missed and cannot be replayed (nothing was received before the
   * connection dropped, or the server no longer knows the cursor): reload what is shown.
   */
  onGap?: () => void;
}

// Event ids remembered to drop the ones delivered twice around a reconnection.
const SEEN_LIMIT = 2_000;
/** How long after the server ends a subscription the page subscribes again. */
const RESUME_AFTER_MS = 1_000;
// After a resume, the replay is over once no event came for this long.
const SETTLE_MS = 700;

/**
 * DOC-2 / RT-3: follows the committed changes to documents of one kind at my stores (or to
 * one document). `document` is a `documentEvents(filter:, after:)` subscription selecting the
 * fields the caller shows. Keeps the cursor of the last event; when the socket drops and comes
 * back, it subscribes again with `after: <that cursor>`, so the events missed meanwhile
 * arrive, in order, each once.
 */
export function useDocumentEvents<TEvent extends DocumentEventBase>(
  document: TypedDocumentNode<{ documentEvents: TEvent }, DocumentEventsVariables>,
  filter: MaybeRefOrGetter<DocumentEventsFilter>,
  options: DocumentEventsOptions<TEvent>,
) {
  const client = useApolloClient();
  const { state: connection } = useConnection();
  /** The cursor of the last event applied: where a resubscription resumes. */
  const lastCursor = ref<string | null>(null);
  const catchingUp = ref(false);
  const error = shallowRef<ErrorLike>();
  const state = computed<LiveState>(() => {
    if (connection.value !== 'connected') return 'paused';
    return catchingUp.value ? 'catching-up' : 'live';
  });
  const seen = new Set<string>();
  let subscription: Subscription | undefined;
  /** Bumped by every start and stop, so a late resume does not outlive the subscription it was for. */
  let generation = 0;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  let dropped = false;

  watch(() => JSON.stringify(currentFilter()), restartLive, { immediate: true });
  watch(connection, onConnection);
  onScopeDispose(() => {
    stop();
    clearTimeout(settleTimer);
  });

  return { state, lastCursor, error };

  function currentFilter(): DocumentEventFilter {
    const { kind, documentId } = toValue(filter);
    return documentId ? { kind, documentId } : { kind };
  }

  /** A new filter: events from now on (what is shown was just loaded). */
  function restartLive(): void {
    lastCursor.value = null;
    seen.clear();
    start(null);
  }

  function onConnection(next: string, previous: string): void {
    if (next !== 'connected') {
      if (previous === 'connected') dropped = true;
      return;
    }
    if (!dropped) return;
    dropped = false;
    // graphql-ws re-sent the subscription as it was first made (without the newer cursor), so
    // replace it by one resuming after the last event applied here.
    if (lastCursor.value) {
      catchingUp.value = true;
      settleSoon();
      start(lastCursor.value);
    } else {
      start(null);
      options.onGap?.();
    }
  }

  function start(after: string | null): void {
    stop();
    error.value = undefined;
    const started = ++generation;
    let refused = false;
    subscription = client
      .subscribe({
        query: document,
        variables: { filter: currentFilter(), after },
        // Events are applied, not kept; a resubscription must never share the old stream.
        fetchPolicy: 'no-cache',
        context: { queryDeduplication: false },
      })
      .subscribe({
        next: (result) => {
          if (result.error) {
            refused = true;
            onError(result.error);
          }
          if (result.data) receive(result.data.documentEvents);
        },
        error: (caught: unknown) => onError(toErrorLike(caught)),
        // The server ended it without refusing it (its catch-up could not read the log): resume
        // after the last event applied here, in a moment, as after a dropped connection (RT-3).
        complete: () => {
          if (refused) return;
          setTimeout(() => {
            if (generation === started) start(lastCursor.value);
          }, RESUME_AFTER_MS);
        },
      });
  }

  function stop(): void {
    generation++;
    subscription?.unsubscribe();
    subscription = undefined;
  }

  function receive(event: TEvent): void {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value!);
    lastCursor.value = event.cursor;
    if (catchingUp.value) settleSoon();
    options.onEvent(event);
  }

  function onError(caught: ErrorLike): void {
    error.value = caught;
    catchingUp.value = false;
    // A cursor the server refuses cannot be resumed from: start live and reload instead.
    if (lastCursor.value) {
      lastCursor.value = null;
      start(null);
      options.onGap?.();
    }
  }

  function settleSoon(): void {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => (catchingUp.value = false), SETTLE_MS);
  }
}
