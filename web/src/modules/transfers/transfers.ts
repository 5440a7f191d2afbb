import type { Role, TransferCardFragment, TransferLineDetailFragment, TransferSide, TransferStatus } from '@/gql/graphql';

// How transfers read on screen: status labels, the board's groups, the "n of m" rules, and
// which side of a transfer the signed-in user works on.

export const STATUS_LABELS: Record<TransferStatus, string> = {
  DRAFT: 'Draft',
  SHIPPED: 'Shipped',
  RECEIVING: 'Receiving',
  RECEIVED: 'Received',
  RECEIVED_WITH_DISCREPANCY: 'With discrepancy',
  CANCELED: 'Canceled',
};

export function isTransferStatus(value: string): value is TransferStatus {
  return value in STATUS_LABELS;
}

export type BoardGroupId = 'draft' | 'in-transit' | 'received' | 'discrepancy' | 'canceled';

/** The board's columns (TRF-4), in the order a transfer moves through them (TRF-1). */
export const BOARD_GROUPS: readonly { id: BoardGroupId; label: string; statuses: readonly TransferStatus[] }[] = [
  { id: 'draft', label: 'Draft', statuses: ['DRAFT'] },
  { id: 'in-transit', label: 'Shipped / receiving', statuses: ['SHIPPED', 'RECEIVING'] },
  { id: 'received', label: 'Received', statuses: ['RECEIVED'] },
  { id: 'discrepancy', label: 'With discrepancy', statuses: ['RECEIVED_WITH_DISCREPANCY'] },
  { id: 'canceled', label: 'Canceled', statuses: ['CANCELED'] },
];

/** What a live event did, after the user's name: "Carl Clerk scanned on arrival". */
const ACTION_LABELS: Record<string, string> = {
  CREATED: 'created it',
  SHIP_SCANNED: 'scanned to ship',
  RECEIVE_SCANNED: 'scanned on arrival',
  removeTransferSerials: 'removed serials',
  shipTransfer: 'shipped it',
  receiveTransfer: 'posted what arrived',
  writeOffTransfer: 'wrote off the missing units',
  cancelTransfer: 'canceled it',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

type Progress = TransferCardFragment['progress'];

/** "2 of 3 to ship" while drafting, "2 of 3 shipped" after; without a requested quantity, only the count. */
export function shippedText(status: TransferStatus, progress: Progress): string {
  const verb = status === 'DRAFT' || status === 'CANCELED' ? 'to ship' : 'shipped';
  return progress.requested > 0 ? `${progress.shipped} of ${progress.requested} ${verb}` : `${progress.shipped} ${verb}`;
}

/** "1 of 2 received": units checked off at the destination of those shipped. */
export function receivedText(progress: Progress): string {
  return `${progress.received} of ${progress.shipped} received`;
}

/** A never-serialized item is counted by scanning its UPC; the others by their serials. */
export function countsUnits(line: TransferLineDetailFragment): boolean {
  return line.item.policy.level === 'NEVER';
}

/** A line's "n of m" on the side being worked. */
export function lineProgress(
  line: TransferLineDetailFragment,
  side: TransferSide | null,
): { done: number; of: number | null; text: string } {
  if (side === 'RECEIVE' || (side === null && line.shippedQuantity > 0 && line.receivedQuantity > 0)) {
    return { done: line.receivedQuantity, of: line.shippedQuantity, text: `${line.receivedQuantity} of ${line.shippedQuantity}` };
  }
  const of = line.quantity > 0 ? line.quantity : null;
  return { done: line.shippedQuantity, of, text: of == null ? `${line.shippedQuantity}` : `${line.shippedQuantity} of ${of}` };
}

export const RECEIVABLE: readonly TransferStatus[] = ['SHIPPED', 'RECEIVING', 'RECEIVED_WITH_DISCREPANCY'];

/**
 * The side the user works on (TRF-1): the source store ships a draft, the destination
 * receives it once shipped. `null`: nothing to do here (look only).
 */
export function sideFor(
  transfer: Pick<TransferCardFragment, 'status' | 'fromStore' | 'toStore'>,
  myStoreIds: ReadonlySet<string>,
): TransferSide | null {
  if (transfer.status === 'DRAFT' && myStoreIds.has(transfer.fromStore.id)) return 'SHIP';
  if (RECEIVABLE.includes(transfer.status) && myStoreIds.has(transfer.toStore.id)) return 'RECEIVE';
  return null;
}

/** TRF-3: units that never arrived are written off by a manager (the server checks it too). */
export function canWriteOff(role: Role | undefined): boolean {
  return role === 'STORE_MANAGER' || role === 'ADMIN';
}

/** Roles that move stock between stores (the server refuses the others). */
export function canMoveStock(role: Role | undefined): boolean {
  return role === 'CLERK' || role === 'STORE_MANAGER' || role === 'ADMIN';
}
