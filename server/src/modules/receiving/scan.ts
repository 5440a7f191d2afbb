/** DOC-3: the answers a scan can get, shared by every scanning document. */
export enum ScanOutcome {
  ACCEPTED = 'ACCEPTED',
  ITEM_SELECTED = 'ITEM_SELECTED',
  ITEM_COUNTED = 'ITEM_COUNTED',
  DUPLICATE = 'DUPLICATE',
  NOT_EXPECTED = 'NOT_EXPECTED',
  OVER_SCAN = 'OVER_SCAN',
  IN_STOCK_ELSEWHERE = 'IN_STOCK_ELSEWHERE',
  IN_TRANSIT = 'IN_TRANSIT',
  NOT_IN_STOCK_HERE = 'NOT_IN_STOCK_HERE',
  WRONG_ITEM = 'WRONG_ITEM',
  NOT_SERIALIZED = 'NOT_SERIALIZED',
  LOOKS_LIKE_UPC = 'LOOKS_LIKE_UPC',
  PATTERN_MISMATCH = 'PATTERN_MISMATCH',
  INVALID_SERIAL = 'INVALID_SERIAL',
  NEED_ITEM = 'NEED_ITEM',
}

export const ACCEPTING = new Set([ScanOutcome.ACCEPTED, ScanOutcome.ITEM_SELECTED, ScanOutcome.ITEM_COUNTED]);

export interface ScanAnswer {
  index: number;
  input: string;
  outcome: ScanOutcome;
  message: string;
  itemId?: number | null;
  lineId?: number | null;
  serial?: string | null;
  /** Where the unit is, for IN_STOCK_ELSEWHERE / IN_TRANSIT. */
  storeCode?: string | null;
  /** After this entry: serials registered on the line, and its expected quantity. */
  lineScanned?: number | null;
  lineExpected?: number | null;
}
