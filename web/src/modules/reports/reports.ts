import type { DatePreset, SerialHistorySort, StockEventType } from '@/gql/graphql';

/** Labels of the ledger's transaction types (SER-5), in the order a unit usually meets them. */
export const EVENT_TYPES: readonly { value: StockEventType; label: string }[] = [
  { value: 'RECEIVING', label: 'Receiving' },
  { value: 'TRANSFER_OUT', label: 'Transfer out' },
  { value: 'TRANSFER_IN', label: 'Transfer in' },
  { value: 'ADJUSTMENT', label: 'Adjustment' },
  { value: 'COUNT', label: 'Count' },
  { value: 'SALE', label: 'Sale' },
  { value: 'RETURN', label: 'Return' },
  { value: 'RETURN_TO_VENDOR', label: 'Return to vendor' },
];

export function eventTypeLabel(type: string): string {
  return EVENT_TYPES.find((t) => t.value === type)?.label ?? type;
}

/** REP-1 presets; the server evaluates them in each store's own time zone. */
export const DATE_PRESETS: readonly { value: DatePreset; label: string }[] = [
  { value: 'TODAY', label: 'Today' },
  { value: 'YESTERDAY', label: 'Yesterday' },
  { value: 'THIS_WEEK', label: 'This week' },
  { value: 'CURRENT_MONTH', label: 'Current month' },
  { value: 'LAST_MONTH', label: 'Last month' },
  { value: 'CURRENT_YEAR', label: 'Current year' },
];

export const isDatePreset = (value: string): value is DatePreset => DATE_PRESETS.some((p) => p.value === value);

const HISTORY_SORTS: readonly SerialHistorySort[] = ['DATE_DESC', 'DATE_ASC', 'SERIAL_ASC', 'SERIAL_DESC', 'PRODUCT_ASC', 'PRODUCT_DESC'];
export const isHistorySort = (value: string): value is SerialHistorySort => (HISTORY_SORTS as readonly string[]).includes(value);

/** Where a unit is (SER-4), for people. */
export const UNIT_STATES: Record<string, string> = {
  IN_STOCK: 'In stock',
  IN_TRANSIT: 'In transit',
  SOLD: 'Sold',
  RETURNED_TO_VENDOR: 'Returned to vendor',
  REMOVED: 'Removed',
};

/** Documents the ledger knows (REP-4), as `documentSerials(kind:)` names them. */
export const DOCUMENT_KINDS: readonly { value: string; label: string; prefix: string }[] = [
  { value: 'RECEIPT', label: 'Receipt', prefix: 'RCV-' },
  { value: 'TRANSFER', label: 'Transfer', prefix: 'TRF-' },
  { value: 'SALE', label: 'Sale', prefix: 'SAL-' },
  { value: 'RETURN', label: 'Return', prefix: 'RTN-' },
  { value: 'ADJUSTMENT', label: 'Adjustment', prefix: 'ADJ-' },
  { value: 'COUNT', label: 'Cycle count', prefix: 'CNT-' },
  { value: 'RTV', label: 'Return to vendor', prefix: 'RTV-' },
];

export function documentKindLabel(kind: string): string {
  return DOCUMENT_KINDS.find((k) => k.value === kind)?.label ?? kind;
}

const integer = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return integer.format(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** An exact decimal from the API, grouped and with two decimals, without passing through a float (POL-4). */
export function formatDecimal(value: string): string {
  const negative = value.startsWith('-');
  const [whole = '0', fraction = ''] = value.replace(/^[-+]/, '').split('.');
  const grouped = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}.${fraction.padEnd(2, '0')}`;
}

/** Bytes for a progress line: "840 KB", "12.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${formatCount(Math.max(1, Math.round(bytes / 1024)))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A store time zone's short name at an instant, e.g. "EST". */
export function zoneAbbreviation(timeZone: string, iso: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(iso));
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}
