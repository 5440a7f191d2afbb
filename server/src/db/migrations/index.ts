import { Migration20261123000001_locations_users } from './Migration20261123000001_locations_users.js';
import { Migration20261123000002_catalog } from './Migration20261123000002_catalog.js';
import { Migration20261123000003_stock_receiving } from './Migration20261123000003_stock_receiving.js';
import { Migration20261123000004_realtime_transfers } from './Migration20261123000004_realtime_transfers.js';
import { Migration20261123000005_sales_adjustments } from './Migration20261123000005_sales_adjustments.js';
import { Migration20261123000006_reports } from './Migration20261123000006_reports.js';
import { Migration20261123000008_session_notify } from './Migration20261123000008_session_notify.js';
import { Migration20261123000009_scan_indexes } from './Migration20261123000009_scan_indexes.js';
import { Migration20261123000010_serial_key } from './Migration20261123000010_serial_key.js';

/** Every migration, in order. New migrations are appended here. */
export const migrationsList = [
  Migration20261123000001_locations_users,
  Migration20261123000002_catalog,
  Migration20261123000003_stock_receiving,
  Migration20261123000004_realtime_transfers,
  Migration20261123000005_sales_adjustments,
  Migration20261123000006_reports,
  Migration20261123000008_session_notify,
  Migration20261123000009_scan_indexes,
  Migration20261123000010_serial_key,
];
