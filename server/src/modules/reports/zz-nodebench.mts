// scratch, not committed
import http from 'node:http';
import { pipeline, Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import QueryStream from 'pg-query-stream';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: 'postgres://postgres:serialdesk@127.0.0.1:55432/rep', max: 4 });
const COLS = Array.from({ length: 25 }, (_, i) => `c${i + 1}`);
const LIMIT = Number(process.env.ROWS ?? 1000000);
const TEXT = `select ${COLS.join(',')} from csv_out where rn <= ${LIMIT} order by rn`;
const variant = process.argv[2] ?? 'v0';
const B = Number(process.env.B ?? 5000);

function coalesce(size = 64 * 1024): Transform {
  let parts: string[] = [];
  let length = 0;
  return new Transform({
    decodeStrings: false,
    transform(chunk: string | Buffer, _e, done) {
      const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      parts.push(s); length += s.length;
      if (length >= size) { this.push(parts.join('')); parts = []; length = 0; }
      done();
    },
    flush(done) { if (parts.length) this.push(parts.join('')); done(); },
  });
}
const opts = { bom: true, header: true, columns: COLS, record_delimiter: 'windows' as const, escape_formulas: true };

async function handler(res: http.ServerResponse) {
  const client = await pool.connect();
  res.writeHead(200, { 'content-type': 'text/csv' });
  if (variant === 'v0' || variant === 'v1') {
    const bs = variant === 'v0' ? 500 : B;
    const rows = client.query(new QueryStream(TEXT, [], { batchSize: bs, highWaterMark: bs, rowMode: 'array' }));
    pipeline(rows, stringify(opts), coalesce(), res, (err) => { if (err) console.error(err); client.release(); });
    return;
  }
  if (variant === 'cursor') {
    // batches straight from the cursor, sync stringify per batch
    const qs = new QueryStream(TEXT, [], { batchSize: B, rowMode: 'array' });
    client.query(qs);
    const cursor = qs.cursor;
    let first = true;
    const read = () => new Promise<unknown[][]>((ok, ko) => cursor.read(B, (e: Error, r: unknown[][]) => (e ? ko(e) : ok(r))));
    let next = read();
    for (;;) {
      const batch = await next;
      if (batch.length === B) next = read();
      const s = stringifySync(batch, { ...opts, header: first, bom: first });
      first = false;
      if (!res.write(s)) await new Promise((r) => res.once('drain', r));
      if (batch.length < B) break;
    }
    await new Promise<void>((ok) => cursor.close(() => ok()));
    client.release();
    res.end();
    return;
  }
  if (variant === 'keyset') {
    let last = 0; let first = true;
    const q = (after: number) => client.query({ name: 'ks', text: `select ${COLS.join(',')}, rn from csv_out where rn > $1 and rn <= ${LIMIT} order by rn limit ${B}`, values: [after], rowMode: 'array' });
    let next = q(0);
    for (;;) {
      const { rows } = await next;
      if (rows.length === B) next = q(Number(rows[rows.length - 1][25]));
      for (const r of rows) r.length = 25;
      const s = stringifySync(rows, { ...opts, header: first, bom: first });
      first = false;
      if (!res.write(s)) await new Promise((r) => res.once('drain', r));
      if (rows.length < B) break;
    }
    client.release(); res.end();
  }
}

const server = http.createServer((_req, res) => { handler(res).catch((e) => { console.error(e); res.destroy(); }); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as any).port;
const started = performance.now();
const rss0 = process.memoryUsage().rss; let peak = rss0;
const iv = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
const result = await new Promise<{ lines: number; bytes: number }>((ok, ko) => {
  http.get(`http://127.0.0.1:${port}/`, (res) => {
    let bytes = 0, lines = 0;
    res.on('data', (c: Buffer) => { bytes += c.length; for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++; });
    res.on('end', () => ok({ lines, bytes })); res.on('error', ko);
  }).on('error', ko);
});
const s = (performance.now() - started) / 1000;
clearInterval(iv);
console.log(`${variant} B=${B}: ${result.lines - 1} rows ${(result.bytes / 1048576).toFixed(1)} MB in ${s.toFixed(2)} s = ${Math.round((result.lines - 1) / s)} rows/s; rss ${Math.round(rss0 / 1048576)} → peak ${Math.round(peak / 1048576)} MB`);
server.close(); await pool.end();
