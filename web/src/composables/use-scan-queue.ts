import { onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue';

/** A scan made but not answered yet. */
export interface QueuedScan {
  input: string;
  /** DOC-1: kept across retries of this same scan. */
  clientKey: string;
}

const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];

export interface ScanQueue<T extends QueuedScan> {
  /** Scans made but not answered yet, the one being sent first. */
  waiting: ShallowRef<T[]>;
  /** The last attempt was lost on the network; the waiting scans are retried. */
  connectionLost: Ref<boolean>;
  /** Adds a scan; sent at once unless the connection is down (then with the next retry). */
  enqueue: (item: T) => void;
  retryNow: () => void;
  /** Gives up on the scans that could not be sent (the clerk scans them again). */
  discardWaiting: () => void;
}

/**
 * DOC-3: scans are sent one after another in the order they were made, and kept when the
 * network drops — retried (with backoff) with the same client key until the server answers.
 * `send` answers one scan; it returns false when the scan may have been lost and must be sent again.
 */
export function useScanQueue<T extends QueuedScan>(
  send: (item: T) => Promise<boolean>,
  hooks: {
    /** The connection was just lost while sending `item` (not called again on each retry). */
    onConnectionLost?: (item: T) => void;
    /** A waiting scan was given up (`discardWaiting`) before it was ever answered. */
    onDiscard?: (item: T) => void;
  } = {},
): ScanQueue<T> {
  const waiting = shallowRef<T[]>([]) as ShallowRef<T[]>;
  const connectionLost = ref(false);
  let sending = false;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  onScopeDispose(() => {
    disposed = true;
    clearTimeout(retryTimer);
  });

  return { waiting, connectionLost, enqueue, retryNow, discardWaiting };

  function enqueue(item: T): void {
    waiting.value = [...waiting.value, item];
    if (!connectionLost.value) void drain();
  }

  function retryNow(): void {
    clearTimeout(retryTimer);
    void drain();
  }

  function discardWaiting(): void {
    clearTimeout(retryTimer);
    if (sending) {
      // The one in flight finishes on its own; the rest go.
      waiting.value = waiting.value.slice(0, 1);
    } else {
      if (hooks.onDiscard) for (const item of waiting.value) hooks.onDiscard(item);
      waiting.value = [];
      connectionLost.value = false;
    }
  }

  async function drain(): Promise<void> {
    if (sending) return;
    sending = true;
    try {
      while (!disposed && waiting.value.length > 0) {
        const item = waiting.value[0]!;
        const sent = await send(item);
        if (!sent) {
          failures += 1;
          if (!connectionLost.value) hooks.onConnectionLost?.(item);
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
}
