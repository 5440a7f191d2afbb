import { computed, shallowRef, toValue, type MaybeRefOrGetter } from 'vue';
import { useQuery } from '@/composables/use-query';
import { describeError } from '@/errors';
import {
  CancelReceiptDocument,
  PostReceiptDocument,
  ReceivingReceiptDocument,
  RemoveReceiptSerialsDocument,
  SetReceiptQuantityDocument,
  type ReceiptLineProgressFragment,
  type ReceivingUserErrorFragment,
} from '@/gql/graphql';
import { useKeyedMutation } from '@/composables/use-keyed-mutation';
import type { OwnChanges, ReceiptAction } from './use-receipt-events';

type Outcome = { ok: boolean };
export type PostError = { code?: string; message: string };

/**
 * One receipt and what can be done to it besides scanning: clear serials or a line,
 * set a received quantity, post (RCV-3), cancel. Every change answers with the receipt as
 * it now is, which Apollo's cache hands to the page. `own` is told of each change, to tell its
 * live event (DOC-2) from other clerks'.
 */
export function useReceipt(id: MaybeRefOrGetter<string>, own?: OwnChanges) {
  const { data, loading, error, refetch } = useQuery(ReceivingReceiptDocument, () => ({ id: toValue(id) }), {
    fetchPolicy: 'cache-and-network',
  });
  const removing = useKeyedMutation(RemoveReceiptSerialsDocument);
  const settingQuantity = useKeyedMutation(SetReceiptQuantityDocument);
  const posting = useKeyedMutation(PostReceiptDocument);
  const canceling = useKeyedMutation(CancelReceiptDocument);

  const receipt = computed(() => data.value?.receipt);
  /** Why the last change (other than posting) was refused. */
  const changeErrors = shallowRef<string[]>([]);
  /** What refused the last post: conflicts found while posting (a unit received elsewhere meanwhile), or the network. */
  const postErrors = shallowRef<readonly PostError[]>([]);
  const busy = computed(() => removing.loading.value || settingQuantity.loading.value || posting.loading.value || canceling.loading.value);

  return { receipt, loading, error, refetch, busy, changeErrors, postErrors, removeSerial, clearLine, setQuantity, post, cancel };

  /** DOC-3: clears one registered serial before posting. */
  function removeSerial(line: ReceiptLineProgressFragment, serial: string): Promise<Outcome> {
    return change(
      () => removing.run({ input: { receiptId: toValue(id), lineId: line.id, serials: [serial] } }),
      removing.error,
      'removeReceiptSerials',
    );
  }

  /** DOC-3 "Re-scan": a line back to zero — its serials cleared, or its counted units for a never-serialized item. */
  function clearLine(line: ReceiptLineProgressFragment): Promise<Outcome> {
    if (line.item.policy.level === 'NEVER' && line.scannedCount === 0) return setQuantity(line, 0);
    return change(() => removing.run({ input: { receiptId: toValue(id), lineId: line.id } }), removing.error, 'removeReceiptSerials');
  }

  function setQuantity(line: ReceiptLineProgressFragment, quantity: number): Promise<Outcome> {
    return change(
      () => settingQuantity.run({ input: { receiptId: toValue(id), itemId: line.item.id, quantity } }),
      settingQuantity.error,
      'setReceiptQuantity',
    );
  }

  /** RCV-3: all or nothing; refusals come back listed. */
  async function post(): Promise<Outcome> {
    postErrors.value = [];
    const settle = own?.start('postReceipt');
    const result = await posting.run({ input: { receiptId: toValue(id) } });
    if (!result) {
      settle?.(false);
      postErrors.value = [{ message: describeError(posting.error.value) }];
      return { ok: false };
    }
    postErrors.value = result.postReceipt.userErrors;
    settle?.(postErrors.value.length === 0);
    return { ok: postErrors.value.length === 0 };
  }

  function cancel(): Promise<Outcome> {
    return change(() => canceling.run({ input: { receiptId: toValue(id) } }), canceling.error, 'cancelReceipt');
  }

  async function change<K extends ReceiptAction>(
    send: () => Promise<Record<K, { userErrors: readonly ReceivingUserErrorFragment[] }> | undefined>,
    failure: { value: unknown },
    field: K,
  ): Promise<Outcome> {
    changeErrors.value = [];
    const settle = own?.start(field);
    const result = await send();
    if (!result) {
      settle?.(false);
      changeErrors.value = [describeError(failure.value)];
      return { ok: false };
    }
    changeErrors.value = result[field].userErrors.map((e) => e.message);
    settle?.(changeErrors.value.length === 0);
    return { ok: changeErrors.value.length === 0 };
  }
}
