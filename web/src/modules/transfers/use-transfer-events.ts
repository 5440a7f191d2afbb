import { toValue, type MaybeRefOrGetter } from 'vue';
import { useDocumentEvents, type DocumentEventsOptions } from '@/composables/use-document-events';
import { TransferEventsDocument, type TransferEventsSubscription } from '@/gql/graphql';

export type { LiveState } from '@/composables/use-document-events';

export type TransferEvent = TransferEventsSubscription['documentEvents'];

export interface TransferEventsFilter {
  /** One transfer only (its page); every transfer at my stores when absent (the board). */
  documentId?: string | null;
}

export type TransferEventsOptions = DocumentEventsOptions<TransferEvent>;

/**
 * TRF-4 / DOC-2 / RT-3: follows the committed changes to transfers at my stores, resuming
 * after the last event seen when the connection comes back (see `useDocumentEvents`).
 */
export function useTransferEvents(filter: MaybeRefOrGetter<TransferEventsFilter>, options: TransferEventsOptions) {
  return useDocumentEvents(TransferEventsDocument, () => ({ kind: 'TRANSFER', documentId: toValue(filter).documentId }), options);
}
