import type { DocumentStatus, ReceiptKind, ReceiptLineProgressFragment, ScanOutcome } from '@/gql/graphql';

// How receiving's values read on screen: one place for labels and the "n of m" rule.

export const STATUS_LABELS: Record<DocumentStatus, string> = { OPEN: 'Open', POSTED: 'Posted', CANCELED: 'Canceled' };
export const KIND_LABELS: Record<ReceiptKind, string> = { ASN: 'ASN', BLIND: 'Blind' };

/** A scan's outcome, or ERROR when the scan never got an answer (refused request, lost connection). */
export type AnswerOutcome = ScanOutcome | 'ERROR';

export const OUTCOME_LABELS: Record<AnswerOutcome, string> = {
  ACCEPTED: 'Accepted',
  ITEM_SELECTED: 'Item selected',
  ITEM_COUNTED: 'Counted',
  DUPLICATE: 'Duplicate',
  NOT_EXPECTED: 'Not expected',
  OVER_SCAN: 'Over-scan',
  IN_STOCK_ELSEWHERE: 'In stock elsewhere',
  IN_TRANSIT: 'In transit',
  NOT_IN_STOCK_HERE: 'Not in stock here',
  WRONG_ITEM: 'Wrong item',
  NOT_SERIALIZED: 'Not serialized',
  LOOKS_LIKE_UPC: 'Product barcode',
  PATTERN_MISMATCH: 'Pattern mismatch',
  INVALID_SERIAL: 'Invalid entry',
  NEED_ITEM: 'Item needed',
  ERROR: 'Not registered',
};

/** A never-serialized item is counted in units; any other item's progress is its serials. */
export function countsUnits(line: ReceiptLineProgressFragment): boolean {
  return line.item.policy.level === 'NEVER';
}

/** The received quantity is typed in for items whose units need no serial each. */
export function quantityEditable(line: ReceiptLineProgressFragment): boolean {
  return line.item.policy.level !== 'ALWAYS';
}

/** DOC-3's "n of m": serials scanned (units counted, for never-serialized items) of the quantity expected. */
export function lineProgress(line: ReceiptLineProgressFragment): { done: number; expected: number | null; text: string } {
  const done = countsUnits(line) ? line.receivedQuantity : line.scannedCount;
  const expected = line.expectedQuantity;
  const text = expected == null ? `${done} ${countsUnits(line) ? 'counted' : 'scanned'}` : `${done} of ${expected}`;
  return { done, expected, text };
}

/** Complete, short or over, for the colour of a line's progress. */
export function lineState(line: ReceiptLineProgressFragment): 'complete' | 'short' | 'over' | 'open' {
  const { done, expected } = lineProgress(line);
  if (expected == null) return 'open';
  if (done === expected) return 'complete';
  return done < expected ? 'short' : 'over';
}

/** "+2", "−1", "0"; a dash for blind lines, which expect nothing. */
export function formatVariance(variance: number | null | undefined): string {
  if (variance == null) return '—';
  if (variance > 0) return `+${variance}`;
  if (variance < 0) return `−${-variance}`;
  return '0';
}

/** A moment, in the store's time zone when it is known (reports do the same, REP-1). */
/**
 * A document time; with a store's time zone, in that zone and saying so ("… 2:04 AM EST"), since
 * live feeds beside it show the browser's own time.
 */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  try {
    return new Intl.DateTimeFormat(
      undefined,
      timeZone
        ? { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' }
        : { dateStyle: 'medium', timeStyle: 'short' },
    ).format(new Date(iso));
  } catch {
    return new Date(iso).toLocaleString();
  }
}

export function formatTime(date: Date): string {
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** SER-2's separators, as the server splits: new lines, commas, tabs, semicolons. */
export function splitEntries(text: string): string[] {
  return text
    .split(/[,;\t\r\n]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** The server takes at most this many entries in one scan or paste. */
export const MAX_ENTRIES = 10_000;

export function exportUrl(receiptId: string): string {
  return `/export/receipts/${encodeURIComponent(receiptId)}.csv`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

/** DOC-2: what someone else did to the receipt, e.g. "Carl Clerk scanned 2". */
export function changeText(change: { action: string; userName: string | null; accepted: number }): string {
  const who = change.userName ?? 'Someone';
  switch (change.action) {
    case 'SCANNED':
      return `${who} scanned ${change.accepted.toLocaleString()}`;
    case 'removeReceiptSerials':
      return `${who} removed serials`;
    case 'setReceiptQuantity':
      return `${who} changed a received quantity`;
    case 'postReceipt':
      return `${who} posted the receipt`;
    case 'cancelReceipt':
      return `${who} canceled the receipt`;
    default:
      return `${who} changed the receipt`;
  }
}
