import type { AdjustmentMode, AdjustmentReason, Role, StockLineResultFragment } from '@/gql/graphql';

// How adjustments read on screen, and who may do what (ADJ-1, SEC-1).

export const MODE_LABELS: Record<AdjustmentMode, string> = {
  ADD: 'Add units',
  SUBTRACT: 'Subtract units',
  FINAL_QUANTITY: 'Final quantity',
};

export const MODE_HINTS: Record<AdjustmentMode, string> = {
  ADD: 'Scan each unit that comes in: new units, or units that had left (sold, removed, returned to the vendor).',
  SUBTRACT: 'Scan each unit that goes out; every one must be in stock at this store.',
  FINAL_QUANTITY:
    'Scan every unit on hand, the complete list: units in stock here that you do not scan are removed, scanned units not yet here are added.',
};

export const REASON_LABELS: Record<AdjustmentReason, string> = {
  DAMAGED: 'Damaged',
  LOST: 'Lost',
  FOUND: 'Found',
  THEFT: 'Theft',
  CORRECTION: 'Correction',
  WRITE_OFF: 'Write-off',
  OTHER: 'Other',
};

export const MODES = Object.keys(MODE_LABELS) as AdjustmentMode[];
export const REASONS = Object.keys(REASON_LABELS) as AdjustmentReason[];

/** ADJ-1 / SEC-1: final-quantity adjustments and write-offs are a store manager's (the server refuses the others). */
export function canUseMode(role: Role | undefined, mode: AdjustmentMode): boolean {
  return mode !== 'FINAL_QUANTITY' || isManager(role);
}

export function canUseReason(role: Role | undefined, reason: AdjustmentReason): boolean {
  return reason !== 'WRITE_OFF' || isManager(role);
}

export function isManager(role: Role | undefined): boolean {
  return role === 'STORE_MANAGER' || role === 'ADMIN';
}

export type LinePreview = StockLineResultFragment['lines'][number];
export type LineError = StockLineResultFragment['userErrors'][number];

/** "+2", "−1", "0". */
export function formatDelta(delta: number): string {
  if (delta > 0) return `+${delta}`;
  if (delta < 0) return `−${-delta}`;
  return '0';
}

/** The export of a posted return to vendor, like a receipt's event file (RCV-4). */
export function vendorReturnExportUrl(id: string): string {
  return `/export/vendor-returns/${encodeURIComponent(id)}.csv`;
}
