import type pg from 'pg';
import type { Viewer } from '../../common/context.js';
import { fail } from '../../common/errors.js';
import { serialKey } from '../stock/serial-input.js';
import {
  normalizeHistoryFilter,
  normalizeOnHandFilter,
  pageSize,
  resolveHistoryFilter,
  resolveOnHandFilter,
  type ResolvedHistory,
  type ResolvedOnHand,
} from './reports.filter.js';
import {
  decodeCursor,
  encodeCursor,
  historyCursorValues,
  historySql,
  historyTotalsSql,
  ledgerRowsSql,
  ON_HAND_CURSOR,
  onHandSql,
  onHandSummarySql,
  Params,
  prepared,
  SORTS,
} from './reports.sql.js';
import {
  SerialHistorySort,
  StockEventType,
  type DocumentSerials,
  type OnHandSummary,
  type SerialHistoryPage,
  type SerialHistoryRow,
  type SerialHistoryTotals,
  type SerialOnHandRow,
  type SerialsOnHandPage,
  type SerialTrace,
} from './reports.types.js';

/** The kinds of documents that post to the ledger (stock_event.document_kind). */
const DOCUMENT_KINDS = ['RECEIPT', 'TRANSFER', 'SALE', 'RETURN', 'ADJUSTMENT', 'COUNT', 'RTV'];

/** Serial reports (REP-1..4). Read-only; every method takes the viewer first and keeps to their stores (SEC-2). */
export class ReportsService {
  /** Checks a history filter (shape, then database and scope). Also used by the CSV export. */
  async history(db: pg.Pool, viewer: Viewer, raw: unknown): Promise<ResolvedHistory> {
    return resolveHistoryFilter(db, viewer, normalizeHistoryFilter(raw as Record<string, unknown> | null));
  }

  async onHand(db: pg.Pool, viewer: Viewer, raw: unknown): Promise<ResolvedOnHand> {
    return resolveOnHandFilter(db, viewer, normalizeOnHandFilter(raw as Record<string, unknown> | null));
  }

  /** REP-1: one page, keyset-paged in the chosen order. */
  async historyPage(
    db: pg.Pool,
    viewer: Viewer,
    filter: unknown,
    sort: SerialHistorySort,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<SerialHistoryPage> {
    const limit = pageSize(first);
    const keys = after
      ? decodeCursor(
          after,
          sort,
          SORTS[sort].map((k) => k.cast),
        )
      : null;
    const r = await this.history(db, viewer, filter);
    const { rows } = await db.query(prepared(historySql(r, sort, keys, limit + 1)));
    const page = rows.slice(0, limit).map((row) => toHistoryRow(row, sort));
    return { rows: page, pageInfo: { hasNextPage: rows.length > limit, endCursor: page.at(-1)?.cursor ?? null } };
  }

  /** REP-1 totals: counts by transaction type for the whole filter. */
  async historyTotals(db: pg.Pool, viewer: Viewer, filter: unknown): Promise<SerialHistoryTotals> {
    const r = await this.history(db, viewer, filter);
    const { rows } = await db.query(historyTotalsSql(r));
    return { total: rows.reduce((s, x) => s + x.count, 0), byType: rows.map((x) => ({ type: x.type as StockEventType, count: x.count })) };
  }

  /** REP-2: one page of units in stock. */
  async onHandPage(
    db: pg.Pool,
    viewer: Viewer,
    filter: unknown,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<SerialsOnHandPage> {
    const limit = pageSize(first);
    const keys = after ? decodeCursor(after, 'ON_HAND', ON_HAND_CURSOR) : null;
    const r = await this.onHand(db, viewer, filter);
    const { rows } = await db.query(prepared(onHandSql(r, keys, limit + 1)));
    const page: SerialOnHandRow[] = rows
      .slice(0, limit)
      .map(({ s_key, id_key, ...row }) => ({ ...row, cursor: encodeCursor('ON_HAND', [s_key, id_key]) }));
    return { rows: page, pageInfo: { hasNextPage: rows.length > limit, endCursor: page.at(-1)?.cursor ?? null } };
  }

  /** REP-2 chart: by department, exact decimals. */
  async onHandSummary(db: pg.Pool, viewer: Viewer, filter: unknown): Promise<OnHandSummary> {
    const r = await this.onHand(db, viewer, filter);
    const { rows } = await db.query(onHandSummarySql(r));
    const total = rows.find((x) => x.departmentId == null);
    return {
      departments: rows.filter((x) => x.departmentId != null),
      units: total?.units ?? 0,
      costValue: total?.costValue ?? '0',
      retailValue: total?.retailValue ?? '0',
    };
  }

  /**
   * REP-3: every unit with this serial (several items may share a serial string), where it is
   * now, and its events oldest first. A scoped viewer sees the units that are, or ever were,
   * at one of their stores (an event whose store, source or destination is theirs), and only
   * those events.
   */
  async trace(db: pg.Pool, viewer: Viewer, serial: string, itemId: number | null): Promise<SerialTrace[]> {
    const key = serialKey(serial);
    if (!key) fail('BAD_USER_INPUT', 'Give a serial number.', { field: 'serial' });
    const { rows: units } = await db.query(
      `select u.id as "unitId", u.serial, u.item_id as "itemId", i.product_id as "productId", i.name as "productName", u.state,
              u.store_id as "storeId", st.code as "storeCode", t.number as "transferNumber"
       from serial_unit u join item i on i.id = u.item_id left join store st on st.id = u.store_id left join transfer t on t.id = u.transfer_id
       where u.serial_key = $1 and ($2::int is null or u.item_id = $2)
         and ($3::int[] is null or u.store_id = any($3) or exists (select 1 from stock_event e where e.unit_id = u.id
              and (e.store_id = any($3) or e.source_store_id = any($3) or e.destination_store_id = any($3))))
       order by i.product_id, u.id`,
      [key, itemId, viewer.storeIds],
    );
    if (!units.length) return [];
    const p = new Params();
    let where = `e.unit_id = any(${p.add(
      units.map((u) => u.unitId),
      'bigint[]',
    )})`;
    if (viewer.storeIds) {
      const s = p.add(viewer.storeIds, 'int[]');
      where += ` and (e.store_id = any(${s}) or e.source_store_id = any(${s}) or e.destination_store_id = any(${s}))`;
    }
    const { rows } = await db.query(ledgerRowsSql(where, p.values));
    return units.map((u) => ({
      ...u,
      events: rows.filter((e) => e.unitId === u.unitId).map((e) => toHistoryRow(e, SerialHistorySort.DATE_ASC)),
    }));
  }

  /** REP-4: the serials of a posted document, from the ledger. */
  async documentSerials(db: pg.Pool, viewer: Viewer, kind: string, number: string): Promise<DocumentSerials> {
    const k = kind.trim().toUpperCase();
    const n = number.trim().toUpperCase();
    if (!DOCUMENT_KINDS.includes(k))
      fail('BAD_USER_INPUT', `Unknown kind "${kind}"; one of ${DOCUMENT_KINDS.join(', ')}.`, { field: 'kind' });
    const stores = await db.query(
      `select distinct unnest(array[store_id, source_store_id, destination_store_id]) as store_id from stock_event where document_kind = $1 and document_number = $2`,
      [k, n],
    );
    if (!stores.rows.length) {
      // A count that found everything where it should be posts without a single ledger event.
      const count =
        k === 'COUNT' ? (await db.query(`select store_id from cycle_count where number = $1 and status = 'POSTED'`, [n])).rows[0] : null;
      if (!count) fail('NOT_FOUND', `No posted ${k.toLowerCase()} ${n} is in the ledger.`, { field: 'number' });
      stores.rows.push({ store_id: count.store_id });
    }
    const ids = stores.rows.map((r) => r.store_id as number | null).filter((x): x is number => x != null);
    if (viewer.storeIds && !ids.some((id) => viewer.storeIds!.includes(id))) {
      fail('STORE_OUT_OF_SCOPE', `${n} belongs to stores you are not assigned to.`, { field: 'number' });
    }
    const { rows } = await db.query(ledgerRowsSql(`e.document_kind = $1 and e.document_number = $2`, [k, n]));
    return { kind: k, number: n, rows: rows.map((e) => toHistoryRow(e, SerialHistorySort.DATE_ASC)) };
  }
}

function toHistoryRow(row: Record<string, unknown>, sort: SerialHistorySort): SerialHistoryRow {
  const { t_key: _t, id_key: _i, s_key: _s, p_key: _p, ...rest } = row;
  return { ...(rest as unknown as SerialHistoryRow), cursor: encodeCursor(sort, historyCursorValues(sort, row)) };
}
