import { stringify } from 'csv-stringify';
import type express from 'express';
import type { Services } from '../../common/services.js';
import { httpRequireStore, httpViewer } from '../../common/http-auth.js';

/**
 * RCV-4: the event file of a posted receipt, one row per line, serials joined with "|".
 * GET /export/receipts/:id.csv with the session cookie or a bearer token.
 */
export function registerReceivingRoutes(app: express.Express, services: Services): void {
  app.get('/export/receipts/:id.csv', async (req, res, next) => {
    try {
      const viewer = await httpViewer(services, req, res);
      if (!viewer) return;
      const id = Number(req.params.id);
      const { rows } = await services.pool.query(`select id, number, status, store_id from receipt where id = $1`, [
        Number.isInteger(id) ? id : 0,
      ]);
      const receipt = rows[0];
      if (!receipt)
        return void res
          .status(404)
          .json({ errors: [{ message: `Receipt ${req.params.id} does not exist.`, extensions: { code: 'NOT_FOUND' } }] });
      if (!httpRequireStore(viewer, receipt.store_id, res)) return;
      if (receipt.status !== 'POSTED') {
        return void res
          .status(409)
          .json({ errors: [{ message: `Receipt ${receipt.number} is not posted yet.`, extensions: { code: 'DOCUMENT_NOT_POSTED' } }] });
      }
      const lines = await services.pool.query(
        `select r.number, r.asn_reference, st.code as store, v.code as vendor, r.posted_at, l.line_no, i.product_id, m.upc, i.name,
                l.expected_quantity, l.received_quantity, l.received_quantity - l.expected_quantity as variance,
                coalesce((select string_agg(s.serial, '|' order by s.id) from receipt_scan s where s.line_id = l.id), '') as serials
         from receipt r join store st on st.id = r.store_id left join vendor v on v.id = r.vendor_id
         join receipt_line l on l.receipt_id = r.id join item i on i.id = l.item_id left join item_upc m on m.item_id = i.id and m.is_main
         where r.id = $1 order by l.line_no`,
        [id],
      );
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="${receipt.number}.csv"`);
      const csv = stringify({
        header: true,
        bom: true,
        escape_formulas: true, // a serial or name such as =HYPERLINK(…) stays text in a spreadsheet
        columns: [
          'number',
          'asn_reference',
          'store',
          'vendor',
          'posted_at',
          'line_no',
          'product_id',
          'upc',
          'name',
          'expected_quantity',
          'received_quantity',
          'variance',
          'serials',
        ],
        cast: { date: (d) => d.toISOString() },
      });
      csv.pipe(res);
      for (const row of lines.rows) csv.write(row);
      csv.end();
    } catch (e) {
      next(e);
    }
  });
}
