import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { isRetryable, newClientKey } from '@/composables/client-key';
import { useMutation } from '@/composables/use-mutation';
import { useScanQueue, type QueuedScan } from '@/composables/use-scan-queue';
import { describeError } from '@/errors';
import { ScanCountDocument } from '@/gql/graphql';
import { useScanAnswers } from '@/composables/use-scan-answers';
import { loadBatch, saveBatch, type SavedBatch } from './counts';

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
  const { waiting, connectionLost, enqueue, retryNow, discardWaiting } = useScanQueue(send, {
    onConnectionLost: (item) =>
      answer([
        {
          input: item.input,
          outcome: 'ERROR',
          accepted: false,
          message: 'The server cannot be reached; the scan is kept and sent again.',
        },
      ]),
  });

  // The session may arrive after the page: the batch saved for this user is picked up then.
  watch(
    () => [toValue(countId), toValue(userId)] as const,
    ([count, user]) => {
      if (user) batch.value = loadBatch(count, user);
    },
    { immediate: true },
  );

  return { answers, batch, currentItemId, waiting, connectionLost, scan, newBatch, retryNow, discardWaiting };

  function scan(input: string): void {
    if (!input.trim()) return;
    enqueue({ input, clientKey: newClientKey() });
  }

  /** The next scan starts a new batch (e.g. another shelf). */
  function newBatch(): void {
    setBatch(null);
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
