import { ref, toValue, type MaybeRefOrGetter } from 'vue';
import { isRetryable, newClientKey } from '@/composables/client-key';
import { playCue } from '@/composables/scan-cues';
import { useMutation } from '@/composables/use-mutation';
import { useScanAnswers } from '@/composables/use-scan-answers';
import { useScanQueue, type QueuedScan } from '@/composables/use-scan-queue';
import { describeError } from '@/errors';
import { ScanTransferDocument, type TransferSide } from '@/gql/graphql';

/**
 * DOC-3 on one transfer, on one side (SHIP at the source, RECEIVE at the destination): scans
 * are sent one after another in the order they were made, each with the current item the
 * previous answer returned; every answer is logged (newest first) and heard. A scan lost on the
 * network is kept and sent again with the same client key until the server answers.
 */
export function useTransferScanner(
  transferId: MaybeRefOrGetter<string>,
  side: MaybeRefOrGetter<TransferSide | null>,
  options: {
    /** After every answer (the page gives the scan field its focus back). */
    onAnswer?: () => void;
    /** A scan was refused as a whole (e.g. the transfer shipped meanwhile): the page reloads it. */
    onRefused?: () => void;
  } = {},
) {
  const { mutate, error } = useMutation(ScanTransferDocument);
  const { answers, answer } = useScanAnswers();
  /** The item the next serials belong to on the SHIP side; set by a UPC scan. */
  const currentItemId = ref<string | null>(null);
  const { waiting, connectionLost, enqueue, retryNow, discardWaiting } = useScanQueue(send, {
    onConnectionLost: () => playCue('refused'),
  });

  return { answers, currentItemId, waiting, connectionLost, scan, selectItem, retryNow, discardWaiting };

  function scan(input: string): void {
    if (!input.trim()) return;
    enqueue({ input, clientKey: newClientKey() });
  }

  function selectItem(itemId: string | null): void {
    currentItemId.value = itemId;
  }

  /** Sends one queued scan; false when it may have been lost and must be sent again. */
  async function send(item: QueuedScan): Promise<boolean> {
    const currentSide = toValue(side);
    if (!currentSide) {
      answerFailure(item, 'Nothing can be scanned on this transfer here now.');
      return true;
    }
    const result = await mutate({
      input: {
        transferId: toValue(transferId),
        side: currentSide,
        input: item.input,
        currentItemId: currentItemId.value,
        clientKey: item.clientKey,
      },
    });
    if (!result) {
      if (isRetryable(error.value)) return false;
      answerFailure(item, describeError(error.value));
      return true;
    }
    const payload = result.scanTransfer;
    if (payload.userErrors.length > 0) {
      answerFailure(item, payload.userErrors.map((e) => e.message).join(' '));
      return true;
    }
    currentItemId.value = payload.currentItemId ?? null;
    answer(
      payload.results.map((r) => ({
        input: r.input,
        outcome: r.outcome,
        accepted: r.accepted,
        message: r.message,
        lineScanned: r.lineScanned ?? null,
        lineExpected: r.lineExpected ?? null,
      })),
    );
    options.onAnswer?.();
    return true;
  }

  function answerFailure(item: QueuedScan, message: string): void {
    answer([{ input: item.input, outcome: 'ERROR', accepted: false, message }]);
    options.onRefused?.();
    options.onAnswer?.();
  }
}
