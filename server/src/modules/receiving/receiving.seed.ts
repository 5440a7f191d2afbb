import type pg from 'pg';
import { seedSteps } from '../../demo/steps.js';
import { SerialLevel } from '../catalog/catalog.entities.js';
import { PolicyService } from '../catalog/policy.service.js';
import { ReceivingService, type ReceiptLineInput } from './receiving.service.js';

const receiving = new ReceivingService();
const policies = new PolicyService();

/** A serial that fits the demo patterns (handguns: two letters and six digits). */
export function demoSerial(itemId: number, storeIdx: number, n: number, pattern: string | null): string {
  const digits = String(itemId * 1000 + storeIdx * 100 + n).padStart(6, '0');
  return pattern ? `HG${digits}` : `SN${digits}${'ABCDEFGH'[storeIdx]}`;
}

/**
 * Stock on hand at every store, made the way a store gets it: an ASN receipt per store,
 * scanned and posted through the same engine. Also one open ASN at S001 to try scanning.
 */
export async function seedStock(client: pg.PoolClient): Promise<void> {
  const admin = (await client.query(`select id from app_user where username = 'admin'`)).rows[0].id as number;
  const stores = (await client.query(`select id, code from store order by code`)).rows as { id: number; code: string }[];
  const items = (await client.query(`select id from item order by id`)).rows.map((r) => r.id as number);
  const pol = await policies.policiesFor(client, items);
  for (const [idx, store] of stores.entries()) {
    const lines: ReceiptLineInput[] = items
      .filter((id) => (id + idx) % 5 === 0)
      .map((id) => {
        const p = pol.get(id)!;
        const qty = p.level === SerialLevel.NEVER ? 10 : 3;
        const serialCount = p.level === SerialLevel.ALWAYS ? 3 : p.level === SerialLevel.SOMETIMES ? 2 : 0;
        return {
          itemId: id,
          expectedQuantity: qty,
          serials: Array.from({ length: serialCount }, (_, n) => demoSerial(id, idx, n, p.pattern)),
        };
      });
    const { id, errors } = await receiving.create(client, admin, {
      storeId: store.id,
      kind: 'ASN',
      asnReference: `ASN-OPENING-${store.code}`,
      note: 'Opening stock',
      lines,
    });
    if (!id) throw new Error(`demo receipt for ${store.code}: ${JSON.stringify(errors)}`);
    await client.query(
      `insert into receipt_scan (receipt_id, line_id, item_id, serial, serial_key, scanned_by) select receipt_id, line_id, item_id, serial, serial_key, $2 from receipt_expected_serial where receipt_id = $1`,
      [id, admin],
    );
    await client.query(`update receipt_line set received_quantity = expected_quantity where receipt_id = $1`, [id]);
    const receipt = (await client.query(`select id, number, kind, store_id, status from receipt where id = $1`, [id])).rows[0];
    const postErrors = await receiving.post(client, receipt, admin);
    if (postErrors.length) throw new Error(`demo receipt for ${store.code}: ${JSON.stringify(postErrors)}`);
  }
  // An open ASN to scan against: OLED TVs with preregistered serials and cables counted by UPC.
  const tv = (await client.query(`select id from item where product_id = 'TVOLED-002'`)).rows[0].id;
  const cable = (await client.query(`select id from item where product_id = 'AUDCBL-002'`)).rows[0].id;
  const s001 = stores.find((s) => s.code === 'S001')!;
  await receiving.create(client, admin, {
    storeId: s001.id,
    kind: 'ASN',
    asnReference: 'ASN-DEMO-1001',
    vendorId: (await client.query(`select id from vendor where code = 'NWE'`)).rows[0].id,
    lines: [
      { itemId: tv, expectedQuantity: 3, serials: ['OLED55-A0001', 'OLED55-A0002', 'OLED55-A0003'] },
      { itemId: cable, expectedQuantity: 10 },
    ],
  });
}

seedSteps.push(seedStock);
