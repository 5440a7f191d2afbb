import { Migration } from '@mikro-orm/migrations';

/**
 * What a scan looks up: each receipt line's preregistered serials (counted; without the index
 * that read every preregistered serial of every receipt), and the serials already on the
 * receipt by key (a 10,000-entry paste probes the index instead of comparing every scan of the
 * receipt with every entry).
 */
export class Migration20261123000009_scan_indexes extends Migration {
  override name = 'Migration20261123000009_scan_indexes';

  override up(): void {
    this.addSql(`
      create index receipt_expected_serial_line_idx on receipt_expected_serial (line_id);
      create index receipt_scan_receipt_key_idx on receipt_scan (receipt_id, serial_key);
    `);
  }

  override down(): void {
    this.addSql(`drop index receipt_scan_receipt_key_idx; drop index receipt_expected_serial_line_idx;`);
  }
}
