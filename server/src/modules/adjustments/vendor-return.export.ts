import { stringify } from 'csv-stringify';
import type express from 'express';
import type { Services } from '../../common/services.js';
import { httpRequireStore, httpViewer } from '../../common/http-auth.js';

/** RTV-1: a posted return to vendor as a file like the receipt's (RCV-4): one row per item, serials joined with "|". */
export function registerVendorReturnRoutes(app: express.Express, services: Services): void {
  app.get('/export/vendor-returns/:id.csv', async (req, res, next) => {
    try {
      const viewer = await httpViewer(services, req, res);
      if (!viewer) return;
      const id = Number(req.params.id);
      const { rows } = await services.pool.query(
        `select r.id, r.number, r.rma, r.store_id, v.code as vendor from vendor_return r join vendor v on v.id = r.vendor_id where r.id = $1`,
        [Number.isInteger(id) ? id : 0],
      );
      const rtv = rows[0];
      if (!rtv)
        return void res
          .status(404)
          .json({ errors: [{ message: `Return to vendor ${req.params.id} does not exist.`, extensions: { code: 'NOT_FOUND' } }] });
      if (!httpRequireStore(viewer, rtv.store_id, res)) return;
      const lines = await services.pool.query(
        `select $2::text as number, $3::text as rma, $4::text as vendor, s.code as store, min(e.occurred_at) as returned_at, i.product_id, m.upc, i.name,
                -sum(e.quantity)::int as quantity, coalesce(string_agg(e.serial, '|' order by e.id) filter (where e.serial is not null), '') as serials
         from stock_event e join item i on i.id = e.item_id join store s on s.id = e.store_id left join item_upc m on m.item_id = i.id and m.is_main
         where e.document_kind = 'RTV' and e.document_id = $1 group by s.code, i.product_id, m.upc, i.name order by i.product_id`,
        [rtv.id, rtv.number, rtv.rma, rtv.vendor],
      );
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="${rtv.number}.csv"`);
      const csv = stringify({
        header: true,
        bom: true,
        escape_formulas: true, // a serial or name such as =HYPERLINK(…) stays text in a spreadsheet
        columns: ['number', 'rma', 'vendor', 'store', 'returned_at', 'product_id', 'upc', 'name', 'quantity', 'serials'],
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
