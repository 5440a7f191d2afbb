import { computed, shallowRef, toValue, type MaybeRefOrGetter } from 'vue';
import { useQuery } from '@/composables/use-query';
import { describeError } from '@/errors';
import {
  CancelTransferDocument,
  ReceiveTransferDocument,
  RemoveTransferSerialsDocument,
  ShipTransferDocument,
  TransferPageDocument,
  WriteOffTransferDocument,
  type TransferUserErrorFragment,
} from '@/gql/graphql';
import { useKeyedMutation } from '@/composables/use-keyed-mutation';

/** A refusal: a user error's code, none when the request itself failed. */
export type ActionError = { code?: string; message: string };
type Outcome = { ok: boolean };
type Payload = { userErrors: readonly TransferUserErrorFragment[] };

/**
 * One transfer and what can be done to it besides scanning (TRF-1..3): ship, receive what
 * arrived, write off what did not, cancel a draft, clear registered serials. Every action
 * answers with the transfer as it now is, which Apollo's cache hands to the page.
 */
export function useTransfer(id: MaybeRefOrGetter<string>) {
  const { data, loading, error, refetch } = useQuery(TransferPageDocument, () => ({ id: toValue(id) }), {
    fetchPolicy: 'cache-and-network',
  });
  const shipping = useKeyedMutation(ShipTransferDocument);
  const receiving = useKeyedMutation(ReceiveTransferDocument);
  const writingOff = useKeyedMutation(WriteOffTransferDocument);
  const canceling = useKeyedMutation(CancelTransferDocument);
  const removing = useKeyedMutation(RemoveTransferSerialsDocument);

  const transfer = computed(() => data.value?.transfer);
  /** Why the last action was refused; nothing changed then. */
  const actionErrors = shallowRef<readonly ActionError[]>([]);
  const busy = computed(
    () =>
      shipping.loading.value || receiving.loading.value || writingOff.loading.value || canceling.loading.value || removing.loading.value,
  );

  return { transfer, loading, error, refetch, busy, actionErrors, ship, receive, writeOff, cancel, removeSerial };

  /** TRF-2: source stock down, units in transit, all or nothing. */
  function ship(): Promise<Outcome> {
    return act(
      shipping.run({ input: { transferId: toValue(id) } }).then((r) => r?.shipTransfer),
      shipping.error,
    );
  }

  /** TRF-3: posts what was checked off; the rest stays in transit as a discrepancy. */
  function receive(): Promise<Outcome> {
    return act(
      receiving.run({ input: { transferId: toValue(id) } }).then((r) => r?.receiveTransfer),
      receiving.error,
    );
  }

  function writeOff(reason: string): Promise<Outcome> {
    return act(
      writingOff.run({ input: { transferId: toValue(id), reason } }).then((r) => r?.writeOffTransfer),
      writingOff.error,
    );
  }

  function cancel(): Promise<Outcome> {
    return act(
      canceling.run({ input: { transferId: toValue(id) } }).then((r) => r?.cancelTransfer),
      canceling.error,
    );
  }

  /** DOC-3: a registered serial cleared before shipping. */
  function removeSerial(serial: string): Promise<Outcome> {
    return act(
      removing.run({ input: { transferId: toValue(id), serials: [serial] } }).then((r) => r?.removeTransferSerials),
      removing.error,
    );
  }

  async function act(pending: Promise<Payload | undefined>, failure: { value: unknown }): Promise<Outcome> {
    actionErrors.value = [];
    const payload = await pending;
    actionErrors.value = payload ? payload.userErrors : [{ message: describeError(failure.value) }];
    return { ok: actionErrors.value.length === 0 };
  }
}
