import { pipeline, Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import type express from 'express';
import { GraphQLError } from 'graphql';
import QueryStream from 'pg-query-stream';
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
 * Rows stream from a server-side cursor through the CSV serializer into the response with
 * back-pressure (stream.pipeline), so memory stays flat at any size. UTF-8 with a BOM (so
 * spreadsheets detect the encoding), RFC 4180 quoting (CRLF records), ISO 8601 times in UTC
 * plus the store's local time. There is no total up front: the console shows bytes and rows as they arrive.
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
  const client = await services.pool.connect();
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    // A connection whose cursor was cut off mid-stream is closed rather than reused.
    client.release(err ?? undefined);
  };
  const rows = client.query(new ReadAheadQueryStream(sql.text, sql.values, { batchSize: csvExport.batchRows, rowMode: 'array' }));
  // escape_formulas: a text cell starting with = + - @ is prefixed with ' so a spreadsheet shows
  // it instead of running it (CSV injection, e.g. a customer named "=HYPERLINK(…)").
  const csv = stringify({ bom: true, header: true, columns: header, record_delimiter: 'windows', escape_formulas: true });
  res.status(200);
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${filename}"`);
  res.setHeader('cache-control', 'no-store');
  await new Promise<void>((resolve) => {
    pipeline(rows, csv, coalesce(), res, (err) => {
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') console.error('CSV export failed:', err);
      release(err ?? undefined);
      resolve();
    });
  });
}

/**
 * Rows per batch from the cursor. 250: with 1,000 the process's RSS rose by ~130 MB during a
 * 1,000,000-row export (more rows alive across young-generation collections), at no gain in
 * speed. A setting so that a test can cross many batch boundaries with a few rows.
 */
export const csvExport = { batchRows: 250 };

/**
 * pg-query-stream asks PostgreSQL for the next batch of rows only when this one has been
 * written, so the database and this process take turns (a third of an export was spent waiting).
 * This asks for the next batch first, then hands on the current one: PostgreSQL computes rows
 * while the CSV is written. At most one batch waits here besides the stream's own buffer.
 */
class ReadAheadQueryStream extends QueryStream {
  private ahead: Promise<unknown[]> | null = null;

  override _read(size: number): void {
    const batch: Promise<unknown[]> = this.ahead ?? this.cursor.read(size);
    this.ahead = null;
    batch.then(
      (rows) => {
        // Stopped (e.g. the download was cancelled): the portal is closing, ask for nothing more.
        if (this.destroyed) return;
        if (rows.length === size) this.ahead = this.cursor.read(size);
        this.ahead?.catch(() => {}); // its failure surfaces when it is read
        for (const row of rows) this.push(row);
        if (rows.length < size) this.push(null);
      },
      (err: Error) => this.destroy(err),
    );
  }
}

/**
 * The serializer emits one small string per record; a response written a million times in
 * tiny chunked-encoding pieces spends more time in the HTTP layer than on the data. This
 * joins them into pieces of about 64 KB (back-pressure passes through unchanged).
 */
function coalesce(size = 64 * 1024): Transform {
  let parts: string[] = [];
  let length = 0;
  return new Transform({
    decodeStrings: false,
    transform(chunk: string | Buffer, _encoding, done) {
      const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      parts.push(s);
      length += s.length;
      if (length >= size) {
        this.push(parts.join(''));
        parts = [];
        length = 0;
      }
      done();
    },
    flush(done) {
      if (parts.length) this.push(parts.join(''));
      done();
    },
  });
}
