import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useMutation } from '@/composables/use-mutation';
import { describeError } from '@/errors';
import { ScanCountDocument } from '@/gql/graphql';
import { useScanAnswers } from '@/modules/adjustments/scan-answers';
import { isRetryable, newClientKey } from '@/modules/receiving/client-key';
import { loadBatch, saveBatch, type SavedBatch } from './counts';

interface QueuedScan {
  input: string;
  /** DOC-1: kept across retries of this same scan. */
  clientKey: string;
}

const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];

/**
 * CNT-1 scanning into one count: the first scan starts the clerk's batch and every later one
 * goes to it (kept across reloads of the tab); scans are sent one after another in the order
 * they were made, each answered at once (DOC-3), and kept when the network drops — retried
 * with the same client key until the server answers.
 */
export function useCountScanner(
  countId: MaybeRefOrGetter<string>,
  userId: MaybeRefOrGetter<string | undefined>,
  options: { onAnswer?: () => void; onRefused?: () => void } = {},
) {
  const { mutate, error } = useMutation(ScanCountDocument);
  const { answers, answer } = useScanAnswers();
  const batch = shallowRef<SavedBatch | null>(null);
  /** The item the next serials are for; set by each answer. */
  const currentItemId = ref<string | null>(null);
  const waiting = shallowRef<QueuedScan[]>([]);
  const connectionLost = ref(false);
  let sending = false;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  // The session may arrive after the page: the batch saved for this user is picked up then.
  watch(
    () => [toValue(countId), toValue(userId)] as const,
    ([count, user]) => {
      if (user) batch.value = loadBatch(count, user);
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    disposed = true;
    clearTimeout(retryTimer);
  });

  return { answers, batch, currentItemId, waiting, connectionLost, scan, newBatch, retryNow, discardWaiting };

  function scan(input: string): void {
    if (!input.trim()) return;
    waiting.value = [...waiting.value, { input, clientKey: newClientKey() }];
    if (!connectionLost.value) void drain();
  }

  /** The next scan starts a new batch (e.g. another shelf). */
  function newBatch(): void {
    setBatch(null);
  }

  function retryNow(): void {
    clearTimeout(retryTimer);
    void drain();
  }

  function discardWaiting(): void {
    clearTimeout(retryTimer);
    waiting.value = sending ? waiting.value.slice(0, 1) : [];
    if (!sending) connectionLost.value = false;
  }

  async function drain(): Promise<void> {
    if (sending) return;
    sending = true;
    try {
      while (!disposed && waiting.value.length > 0) {
        const sent = await send(waiting.value[0]!);
        if (!sent) {
          failures += 1;
          if (!connectionLost.value)
            answer([
              {
                input: waiting.value[0]!.input,
                outcome: 'ERROR',
                accepted: false,
                message: 'The server cannot be reached; the scan is kept and sent again.',
              },
            ]);
          connectionLost.value = true;
          retryTimer = setTimeout(() => void drain(), RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length) - 1]);
          return;
        }
        failures = 0;
        connectionLost.value = false;
        waiting.value = waiting.value.slice(1);
      }
    } finally {
      sending = false;
    }
  }

  /** Sends one scan; false when it may have been lost and must be sent again. */
  async function send(item: QueuedScan): Promise<boolean> {
    const result = await mutate({
      input: {
        countId: toValue(countId),
        batchId: batch.value?.batchId ?? null,
        input: item.input,
        currentItemId: currentItemId.value,
        clientKey: item.clientKey,
      },
    });
    if (!result) {
      if (isRetryable(error.value)) return false;
      refuse(item, describeError(error.value));
      return true;
    }
    const payload = result.scanCount;
    if (payload.userErrors.some((e) => e.field === 'input.batchId') && batch.value) {
      // The saved batch is gone (another database, a stale tab): start a new one with this scan.
      setBatch(null);
      item.clientKey = newClientKey();
      return send(item);
    }
    if (payload.userErrors.length > 0) {
      refuse(item, payload.userErrors.map((e) => e.message).join(' '));
      return true;
    }
    if (payload.batchId && payload.batchNo != null && payload.batchId !== batch.value?.batchId) {
      setBatch({ batchId: payload.batchId, batchNo: payload.batchNo });
    }
    currentItemId.value = payload.currentItemId ?? null;
    answer(payload.results.map((r) => ({ input: r.input, outcome: r.outcome, accepted: r.accepted, message: r.message })));
    options.onAnswer?.();
    return true;
  }

  function refuse(item: QueuedScan, message: string): void {
    answer([{ input: item.input, outcome: 'ERROR', accepted: false, message }]);
    options.onRefused?.();
    options.onAnswer?.();
  }

  function setBatch(next: SavedBatch | null): void {
    batch.value = next;
    const user = toValue(userId);
    if (user) saveBatch(toValue(countId), user, next);
  }
}
