import { computed, ref, shallowRef, toValue, type MaybeRefOrGetter } from 'vue';
import { isRetryable, newClientKey } from '@/composables/client-key';
import { playCue } from '@/composables/scan-cues';
import { useMutation } from '@/composables/use-mutation';
import { useScanAnswers } from '@/composables/use-scan-answers';
import { useScanQueue, type QueuedScan as BaseQueuedScan } from '@/composables/use-scan-queue';
import { describeError } from '@/errors';
import { ScanReceiptDocument, type ScanOutcome, type ScanReceiptMutation } from '@/gql/graphql';
import { MAX_ENTRIES, splitEntries } from './receiving';
import type { OwnChanges } from './use-receipt-events';

export type ScanResult = ScanReceiptMutation['scanReceipt']['results'][number];

/** What a paste of many serials came to (SER-2: every entry has its own answer). */
export interface PasteResult {
  entries: number;
  accepted: number;
  counts: { outcome: ScanOutcome; count: number }[];
  refused: ScanResult[];
  /** Why the paste as a whole was refused (nothing registered). */
  errors: string[];
}

interface QueuedScan extends BaseQueuedScan {
  kind: 'scan' | 'paste';
  done?: (result: PasteResult | undefined) => void;
  /** Set once it is first sent: tells `own` whether it was committed. */
  settle?: (committed: boolean) => void;
}

/**
 * DOC-3 on one receipt: scans are sent one after another in the order they were made (each
 * with the current item the previous answer returned), answered in the log newest first, and
 * kept when the network drops — retried with the same client key until the server answers.
 */
export function useReceiptScanner(
  receiptId: MaybeRefOrGetter<string>,
  options: {
    /** After every answer (the page gives the scan field its focus back). */
    onAnswer?: () => void;
    /** A scan was refused as a whole (e.g. someone posted the receipt meanwhile): the page reloads it. */
    onRefused?: () => void;
    /** Told of each scan sent, to tell its live event (DOC-2) from other clerks'. */
    own?: OwnChanges;
  } = {},
) {
  const { mutate, error } = useMutation(ScanReceiptDocument);
  const { answers, answer } = useScanAnswers();
  /** The item serials go to when they are not preregistered; set by each answer. */
  const currentItemId = ref<string | null>(null);
  /** "Current item" view: serials preregistered for another item are refused (WRONG_ITEM). */
  const pinItem = ref(false);
  const { waiting, connectionLost, enqueue, retryNow, discardWaiting } = useScanQueue<QueuedScan>(send, {
    onConnectionLost: () => playCue('refused'),
    onDiscard: (item) => {
      item.settle?.(false);
      item.done?.(undefined);
    },
  });
  const lastPaste = shallowRef<PasteResult>();
  const pasting = computed(() => waiting.value.some((item) => item.kind === 'paste'));

  return {
    answers,
    currentItemId,
    pinItem,
    waiting,
    connectionLost,
    lastPaste,
    pasting,
    scan,
    paste,
    selectItem,
    retryNow,
    discardWaiting,
  };

  /** One scan from the scanner (or typed): answered in the log. */
  function scan(input: string): void {
    if (!input.trim()) return;
    enqueue({ input, clientKey: newClientKey(), kind: 'scan' });
  }

  /** Many serials at once; resolves with the per-entry summary, `undefined` when it was discarded. */
  function paste(input: string): Promise<PasteResult | undefined> {
    const entries = splitEntries(input).length;
    if (entries === 0) return Promise.resolve(undefined);
    if (entries > MAX_ENTRIES) {
      const refused = pasteRefusal(entries, [
        `At most ${MAX_ENTRIES.toLocaleString()} entries at once; this list has ${entries.toLocaleString()}. Split it.`,
      ]);
      lastPaste.value = refused;
      return Promise.resolve(refused);
    }
    return new Promise((resolve) => enqueue({ input, clientKey: newClientKey(), kind: 'paste', done: resolve }));
  }

  /** The chosen line's item becomes the current item (what the next serials are for). */
  function selectItem(itemId: string | null): void {
    currentItemId.value = itemId;
  }

  /** Sends one queued scan; false when it may have been lost and must be sent again. */
  async function send(item: QueuedScan): Promise<boolean> {
    item.settle ??= options.own?.start('SCANNED');
    const result = await mutate({
      input: {
        receiptId: toValue(receiptId),
        input: item.input,
        currentItemId: currentItemId.value,
        pinItem: pinItem.value,
        clientKey: item.clientKey,
      },
    });
    if (!result) {
      if (isRetryable(error.value)) return false;
      item.settle?.(false);
      answerFailure(item, [describeError(error.value)]);
      return true;
    }
    const payload = result.scanReceipt;
    // The server records a change (and its event) when at least one entry was taken.
    item.settle?.(payload.userErrors.length === 0 && payload.results.some((r) => r.accepted));
    if (payload.userErrors.length > 0) {
      answerFailure(
        item,
        payload.userErrors.map((e) => e.message),
      );
      return true;
    }
    currentItemId.value = payload.currentItemId ?? null;
    if (item.kind === 'paste') {
      const summary = summarize(payload.results);
      lastPaste.value = summary;
      item.done?.(summary);
      playCue(summary.refused.length > 0 ? 'refused' : 'accepted');
    } else {
      answer(
        payload.results.map((r) => ({
          input: r.input,
          outcome: r.outcome,
          accepted: r.accepted,
          message: r.message,
          lineScanned: r.lineScanned,
          lineExpected: r.lineExpected,
        })),
      );
    }
    options.onAnswer?.();
    return true;
  }

  function answerFailure(item: QueuedScan, messages: string[]): void {
    if (item.kind === 'paste') {
      const refused = pasteRefusal(splitEntries(item.input).length, messages);
      lastPaste.value = refused;
      item.done?.(refused);
      playCue('refused');
    } else {
      answer([{ input: item.input, outcome: 'ERROR', accepted: false, message: messages.join(' ') }]);
    }
    options.onRefused?.();
    options.onAnswer?.();
  }
}

function summarize(results: readonly ScanResult[]): PasteResult {
  const counts = new Map<ScanOutcome, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return {
    entries: results.length,
    accepted: results.filter((r) => r.accepted).length,
    counts: [...counts].map(([outcome, count]) => ({ outcome, count })).sort((a, b) => b.count - a.count),
    refused: results.filter((r) => !r.accepted),
    errors: [],
  };
}

function pasteRefusal(entries: number, errors: string[]): PasteResult {
  return { entries, accepted: 0, counts: [], refused: [], errors };
}
