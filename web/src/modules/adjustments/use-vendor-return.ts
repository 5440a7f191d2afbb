import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import { useQuery } from '@/composables/use-query';
import { useSubscription } from '@/composables/use-subscription';
import {
  ReturnToVendorDocument,
  VendorReturnEventsDocument,
  VendorReturnVendorsDocument,
  type StockLineResultFragment,
} from '@/gql/graphql';
import { useKeyedMutation } from '@/composables/use-keyed-mutation';
import { useStockLines } from './use-stock-lines';

/** How long to wait for the posting's ledger events before saying the file cannot be linked. */
const ID_WAIT_MS = 8000;

/**
 * RTV-1 in the console: vendor, RMA and scanned lines (each serial IN_STOCK at the store),
 * posted at once with a DOC-1 client key; refusals show under their lines.
 *
 * The payload has the document number only, and the CSV export is addressed by id. The
 * ledger events of the posting (RT-1) carry both, so the page listens to this store's
 * RETURN_TO_VENDOR events while it is open and links the file once they arrive.
 */
export function useVendorReturn() {
  const storeId = ref('');
  const vendorId = ref('');
  const rma = ref('');
  const stock = useStockLines(() => 'to return');
  const vendorsQuery = useQuery(VendorReturnVendorsDocument);
  const vendors = computed(() => (vendorsQuery.data.value?.vendors ?? []).filter((vendor) => vendor.active));
  const { run, loading: posting, error: postError } = useKeyedMutation(ReturnToVendorDocument);
  /** The last refused attempt: its errors show under the lines until the input changes. */
  const refused = shallowRef<{ signature: string; result: StockLineResultFragment; lineItems: string[] }>();
  const posted = shallowRef<StockLineResultFragment & { number: string }>();
  const requestError = shallowRef<unknown>();
  /** Document ids seen in the ledger, by document number. */
  const documentIds = shallowRef<ReadonlyMap<string, string>>(new Map());
  const idTimedOut = ref(false);
  let idTimer: ReturnType<typeof setTimeout> | undefined;

  useSubscription(VendorReturnEventsDocument, () => ({ filter: { storeIds: [storeId.value], types: ['RETURN_TO_VENDOR'] } }), {
    enabled: () => !!storeId.value,
    onData: ({ serialEvents: event }) => {
      if (event.documentKind !== 'RTV' || documentIds.value.has(event.documentNumber)) return;
      documentIds.value = new Map(documentIds.value).set(event.documentNumber, event.documentId);
    },
  });
  onScopeDispose(() => clearTimeout(idTimer));

  const signature = computed(() => JSON.stringify([storeId.value, vendorId.value, rma.value.trim(), stock.toInput()]));
  const postedId = computed(() => (posted.value ? documentIds.value.get(posted.value.number) : undefined));
  const stale = computed(() => !!refused.value && refused.value.signature !== signature.value);
  const canPost = computed(
    () => !!storeId.value && !!vendorId.value && !!rma.value.trim() && stock.lines.value.length > 0 && !posting.value && !posted.value,
  );
  watch(postedId, (id) => id && clearTimeout(idTimer));

  return {
    storeId,
    vendorId,
    rma,
    ...stock,
    vendors,
    vendorsError: vendorsQuery.error,
    posting,
    refused,
    stale,
    posted,
    postedId,
    idTimedOut,
    requestError,
    canPost,
    post,
    startOver,
  };

  async function post(): Promise<void> {
    if (!canPost.value) return;
    const lines = stock.toInput();
    const sentSignature = signature.value;
    requestError.value = undefined;
    const data = await run({ input: { storeId: storeId.value, vendorId: vendorId.value, rma: rma.value.trim(), lines } });
    if (!data) {
      requestError.value = postError.value;
      return;
    }
    const result = data.returnToVendor;
    if (!result.number) {
      refused.value = { signature: sentSignature, result, lineItems: lines.map((line) => String(line.itemId ?? '')) };
      return;
    }
    refused.value = undefined;
    posted.value = { ...result, number: result.number };
    idTimedOut.value = false;
    clearTimeout(idTimer);
    idTimer = setTimeout(() => (idTimedOut.value = !postedId.value), ID_WAIT_MS);
  }

  /** Another return at the same store, to the same vendor. */
  function startOver(): void {
    stock.reset();
    rma.value = '';
    refused.value = undefined;
    posted.value = undefined;
    requestError.value = undefined;
    idTimedOut.value = false;
  }
}
