import type { FulfilmentMode, SaleItemFragment, SaleLineDetailFragment, SerialStatus } from '@/gql/graphql';

// How sales and returns read on screen: labels, and the few rules the page needs to ask the
// right question (the server decides; these only choose what to prompt for).

export const FULFILMENT_LABELS: Record<FulfilmentMode, string> = {
  CARRY_OUT: 'Carry out',
  PICKUP: 'Pickup',
  DELIVERY: 'Delivery',
};
export const FULFILMENTS = Object.keys(FULFILMENT_LABELS) as FulfilmentMode[];

export const SALE_STATUS_LABELS: Record<string, string> = { OPEN: 'Open', COMPLETED: 'Completed', VOIDED: 'Voided' };

export const SERIAL_STATUS_LABELS: Record<SerialStatus, string> = {
  GIVEN: 'Given',
  PENDING: 'Add later',
  NOT_READABLE: 'Not readable',
  NOT_REQUIRED: 'No serial (not required)',
  NOT_SERIALIZED: 'Not serialized',
};

/** Whether a scanned item takes a serial at all: never-serialized items are sold by quantity. */
export function takesSerial(item: SaleItemFragment): boolean {
  return item.policy.level !== 'NEVER';
}

/** SAL-5: "not readable" is offered where the policy allows a missing serial, to users with the duty. */
export function mayRegisterNotReadable(item: SaleItemFragment, duties: readonly string[]): boolean {
  return takesSerial(item) && !item.policy.serialRequiredWhenSelling && duties.includes('NOT_READABLE_REGISTRATION');
}

/** RET-1: items that come back by serial only. */
export function returnsBySerial(item: SaleItemFragment): boolean {
  return item.policy.level === 'ALWAYS' || item.policy.serialRequiredWhenReturning;
}

/** A line still waiting for its serial (SAL-3); carry-out ones block completion (SAL-4). */
export function isPending(line: SaleLineDetailFragment): boolean {
  return !line.voided && !line.fulfilled && line.serialStatus === 'PENDING';
}

export function blocksCompletion(line: SaleLineDetailFragment): boolean {
  return isPending(line) && line.fulfilment === 'CARRY_OUT';
}

/** Where a unit is, in words: "in stock at S002", "sold", "in transit". */
export function describeUnitState(state: string, storeCode: string | null | undefined): string {
  const words = state.toLowerCase().replace(/_/g, ' ');
  return state === 'IN_STOCK' && storeCode ? `in stock at ${storeCode}` : words;
}

/** A moment, in the store's time zone when it is known. */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
  } catch {
    return new Date(iso).toLocaleString();
  }
}

/** "3*0123456789012": a quantity for a never-serialized item, then its code (a POS habit). */
export function splitQuantity(input: string): { quantity: number; code: string } | null {
  const match = /^(\d{1,5})\s*\*\s*(\S.*)$/.exec(input.trim());
  if (!match) return null;
  const quantity = Number(match[1]);
  return quantity >= 1 ? { quantity, code: match[2]!.trim() } : null;
}

/** Remembered on this computer; storage may be unavailable (private mode), then it lasts for the page. */
export function readSetting(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeSetting(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage unavailable: nothing is remembered.
  }
}
