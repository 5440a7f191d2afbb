import { pipeline } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type express from 'express';
import { GraphQLError } from 'graphql';
import { to as copyTo } from 'pg-copy-streams';
import type { Services } from '../../common/services.js';
import { httpViewer } from '../../common/http-auth.js';
import { historySql, HISTORY_CSV, onHandCsvColumns, onHandSql, type Statement } from './reports.sql.js';
import { SerialHistorySort } from './reports.types.js';

const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  STORE_OUT_OF_SCOPE: 403,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
};

/**
 * CSV exports of the full result of a report filter (REP-1, REP-2):
 *   GET /export/serial-history.csv?filter=<url-encoded JSON of SerialHistoryFilter>&sort=DATE_DESC
 *   GET /export/serials-on-hand.csv?filter=<JSON of SerialsOnHandFilter>&additionalUpcs=1
 * Authenticated like the GraphQL API (cookie or bearer token) and limited to the caller's stores.
 * The header is written by csv-stringify, the rows by PostgreSQL's own CSV writer
 * (`COPY (…) TO STDOUT (FORMAT csv)`), streamed into the response with back-pressure
 * (stream.pipeline): memory stays flat at any size, and no row is decoded or re-encoded here
 * (serializing in Node took half of an export's time). ARCHITECTURE §3 asks for a cursor
 * streamed through a serializer; COPY is both, inside PostgreSQL.
 * UTF-8 with a BOM (so spreadsheets detect the encoding), RFC 4180 quoting with LF record ends,
 * formula-looking cells prefixed with ' (reports.sql.ts), ISO 8601 times in UTC plus the store's
 * local time. There is no total up front: the console shows bytes and rows as they arrive.
 */
export function registerReportRoutes(app: express.Express, services: Services): void {
  app.get('/export/serial-history.csv', async (req, res, next) => {
    try {
      const viewer = await httpViewer(services, req, res);
      if (!viewer) return;
      const sort = String(req.query.sort ?? SerialHistorySort.DATE_DESC) as SerialHistorySort;
      if (!Object.values(SerialHistorySort).includes(sort)) return badRequest(res, 'BAD_USER_INPUT', `Unknown sort "${sort}".`, 'sort');
      const filter = parseFilter(req, res);
      if (filter === undefined) return;
      const r = await services.reports.history(services.pool, viewer, filter);
      await streamCsv(
        services,
        res,
        `serial-history-${today()}.csv`,
        HISTORY_CSV.map(([h]) => h),
        historySql(r, sort, null, null, true),
      );
    } catch (e) {
      if (!sendError(res, e)) next(e);
    }
  });

  app.get('/export/serials-on-hand.csv', async (req, res, next) => {
    try {
      const viewer = await httpViewer(services, req, res);
      if (!viewer) return;
      const filter = parseFilter(req, res);
      if (filter === undefined) return;
      const r = await services.reports.onHand(services.pool, viewer, filter);
      const columns = onHandCsvColumns(['1', 'true'].includes(String(req.query.additionalUpcs ?? '')));
      await streamCsv(
        services,
        res,
        `serials-on-hand-${today()}.csv`,
        columns.map(([h]) => h),
        onHandSql(r, null, null, columns),
      );
    } catch (e) {
      if (!sendError(res, e)) next(e);
    }
  });
}

const today = () => new Date().toISOString().slice(0, 10);

/** The `filter` query parameter as JSON; undefined (and a 400 sent) when it is not. */
function parseFilter(req: express.Request, res: express.Response): Record<string, unknown> | null | undefined {
  const raw = req.query.filter;
  if (raw == null || raw === '') return null;
  try {
    if (typeof raw !== 'string') throw new Error('one filter');
    return JSON.parse(raw);
  } catch {
    badRequest(res, 'BAD_USER_INPUT', 'filter must be the URL-encoded JSON of the report filter.', 'filter');
    return undefined;
  }
}

function badRequest(res: express.Response, code: string, message: string, field?: string): void {
  res.status(STATUS[code] ?? 400).json({ errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }] });
}

/** Typed errors of the filter check become JSON with the same stable codes as GraphQL. */
function sendError(res: express.Response, e: unknown): boolean {
  if (!(e instanceof GraphQLError) || res.headersSent) return false;
  const code = String(e.extensions.code ?? 'BAD_USER_INPUT');
  res.status(STATUS[code] ?? 400).json({ errors: [{ message: e.message, extensions: e.extensions }] });
  return true;
}

async function streamCsv(services: Services, res: express.Response, filename: string, header: string[], sql: Statement): Promise<void> {
  if (sql.values.length) throw new Error('streamCsv: COPY takes no parameters; build the statement with its values inline');
  const client = await services.pool.connect();
  const rows = client.query(copyTo(`copy (${sql.text}) to stdout (format csv)`));
  try {
    // The status goes out with the first rows (or the end): a COPY refused at the start is
    // answered as an error, not as a 200 with a header line and nothing after it.
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        rows.off('readable', ready).off('error', done);
        if (err) reject(err);
        else resolve();
      };
      const ready = () => done();
      rows.once('readable', ready).once('error', done);
    });
  } catch (e) {
    client.release(e as Error);
    throw e;
  }
  res.status(200);
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${filename}"`);
  res.setHeader('cache-control', 'no-store');
  res.write(stringify([header], { bom: true }));
  await new Promise<void>((resolve) => {
    pipeline(rows, res, (err) => {
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') console.error('CSV export failed:', err);
      // A connection whose COPY was cut off mid-stream is closed rather than reused.
      client.release(err ?? undefined);
      resolve();
    });
  });
}
