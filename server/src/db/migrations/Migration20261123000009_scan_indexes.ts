import { Migration } from '@mikro-orm/migrations';

/**
 * A scan counts each receipt line's preregistered serials; without this index that count read
 * every preregistered serial of every receipt.
 */
export class Migration20261123000009_scan_indexes extends Migration {
  override name = 'Migration20261123000009_scan_indexes';

  override up(): void {
    this.addSql(`create index receipt_expected_serial_line_idx on receipt_expected_serial (line_id);`);
  }

  override down(): void {
    this.addSql(`drop index receipt_expected_serial_line_idx;`);
  }
}
