import type { ReportColumn } from './use-column-choice';

/**
 * REP-1's columns (seed 004's), then what else a row knows. Keys are SerialHistoryRow fields,
 * except `date` (store-local time), `document` and `customer` (rendered by the page).
 */
export const HISTORY_COLUMNS: readonly ReportColumn[] = [
  { key: 'serial', label: 'Serial', width: 150, sorts: ['SERIAL_ASC', 'SERIAL_DESC'], default: true },
  { key: 'description', label: 'Description', width: 200 },
  { key: 'productId', label: 'Product id', width: 120, sorts: ['PRODUCT_ASC', 'PRODUCT_DESC'], default: true },
  { key: 'productName', label: 'Product name', width: 200, default: true },
  { key: 'date', label: 'Date', width: 200, sorts: ['DATE_DESC', 'DATE_ASC'], default: true },
  { key: 'customerNumber', label: 'Customer no.', width: 110 },
  { key: 'customerName', label: 'Customer', width: 150, default: true },
  { key: 'type', label: 'Type', width: 130, default: true },
  { key: 'source', label: 'Source', width: 150, default: true },
  { key: 'destination', label: 'Destination', width: 150, default: true },
  { key: 'department', label: 'Department', width: 130, default: true },
  { key: 'category', label: 'Category', width: 130 },
  { key: 'subcategory', label: 'Subcategory', width: 130 },
  { key: 'style', label: 'Style', width: 100 },
  { key: 'size', label: 'Size', width: 70 },
  { key: 'color', label: 'Color', width: 90 },
  { key: 'brand', label: 'Brand', width: 110 },
  { key: 'season', label: 'Season', width: 90 },
  { key: 'team', label: 'Team', width: 100 },
  { key: 'vendor', label: 'Vendor', width: 160 },
  { key: 'initiatedBy', label: 'Initiated by', width: 140, default: true },
  { key: 'event', label: 'Event', width: 130 },
  { key: 'storeCode', label: 'Store', width: 70 },
  { key: 'registerCode', label: 'Register', width: 80 },
  { key: 'document', label: 'Document', width: 120, default: true },
  { key: 'quantity', label: 'Qty', width: 55, align: 'num' },
  { key: 'reason', label: 'Reason', width: 150 },
];

/** REP-2's columns (seed 004's); additional UPCs is the optional one. */
export const ON_HAND_COLUMNS: readonly ReportColumn[] = [
  { key: 'serial', label: 'Serial', width: 150, default: true },
  { key: 'upc', label: 'UPC', width: 130, default: true },
  { key: 'additionalUpcs', label: 'Additional UPCs', width: 200 },
  { key: 'description', label: 'Description', width: 200 },
  { key: 'productId', label: 'Product id', width: 120, default: true },
  { key: 'productName', label: 'Product name', width: 200, default: true },
  { key: 'department', label: 'Department', width: 130, default: true },
  { key: 'category', label: 'Category', width: 130, default: true },
  { key: 'subcategory', label: 'Subcategory', width: 130 },
  { key: 'style', label: 'Style', width: 100 },
  { key: 'size', label: 'Size', width: 70, default: true },
  { key: 'color', label: 'Color', width: 90 },
  { key: 'brand', label: 'Brand', width: 110 },
  { key: 'season', label: 'Season', width: 90 },
  { key: 'team', label: 'Team', width: 100 },
  { key: 'vendor', label: 'Vendor', width: 160 },
  { key: 'unitCost', label: 'Unit cost', width: 100, align: 'num', default: true },
  { key: 'retailPrice', label: 'Retail price', width: 100, align: 'num', default: true },
  { key: 'storeCode', label: 'Store', width: 70, default: true },
  { key: 'receivedAt', label: 'Received', width: 140, default: true },
];

/** REP-4: a document's serials. */
export const DOCUMENT_COLUMNS: readonly ReportColumn[] = [
  { key: 'serial', label: 'Serial', width: 150 },
  { key: 'productId', label: 'Product id', width: 120 },
  { key: 'productName', label: 'Product name', width: 220 },
  { key: 'type', label: 'Type', width: 130 },
  { key: 'date', label: 'Date', width: 200 },
  { key: 'source', label: 'Source', width: 150 },
  { key: 'destination', label: 'Destination', width: 150 },
  { key: 'quantity', label: 'Qty', width: 55, align: 'num' },
  { key: 'customerName', label: 'Customer', width: 150 },
  { key: 'initiatedBy', label: 'Initiated by', width: 140 },
  { key: 'reason', label: 'Reason', width: 150 },
];
