/**
 * sales: registers completing 2-line sales concurrently over a shared pool of serials, with
 * deliberate collisions (issue 8, Benchmark; SAL-2: "two registers selling the same serial at the
 * same moment — exactly one wins").
 *
 *   pnpm bench sales [--duration 20] [--registers 32] [--warmup 2] [--units 8000] [--collide 0.25]
 *
 * Set-up: `--units` new units of the ALWAYS items without a serial pattern are received at S001
 * through the stock engine (`applyMovement`, one RECEIVING transaction), so units, stock levels
 * and ledger agree. The server is the in-process one of startBenchServer(); the registers are
 * GraphQL-over-HTTP clients in this process, half signed in as clerk, half as manager (the two
 * demo users who can sell at S001; one sign-in each, the token shared by their registers), on
 * registers R1/R2 of S001.
 *
 * Each register repeatedly: createSale; addSaleLine ×2 (by product id, with a serial);
 * completeSale. A serial is picked from the units this bench has not yet seen sold, or, with
 * probability `--collide`, one that is on another register's open sale right now — so two
 * registers race for one unit. A line refused with NOT_IN_STOCK_HERE (the unit was sold in the
 * meantime) is retried with another serial; a completion refused with NOT_IN_STOCK_HERE voids the
 * refused line(s), adds other serials and completes again (at most 5 rounds, then the sale is
 * left open and counted in `sales_abandoned`).
 *
 * Afterwards, in SQL:
 *   - double_sales: distinct units with a SALE ledger event following another SALE without a
 *     RETURN in between, plus serials on fulfilled lines of more than one completed sale, plus
 *     serials two completions both reported as sold to this bench (must be 0);
 *   - state_mismatches: units whose state disagrees with their last ledger event (SOLD ⇔ last
 *     event SALE; IN_STOCK ⇔ last event an arrival at that store), and serials on completed
 *     carry-out lines that are not SOLD by a SALE event of that sale;
 *   - invariant_violations: test/support/invariants.ts (levels = ledger, ALWAYS levels = units);
 *   - collisions_refused: refusals (NOT_IN_STOCK_HERE) of a unit that is indeed SOLD by another
 *     sale; refusals_unexplained: refused although not sold elsewhere (must be 0).
 */
import os from 'node:os';
import pg from 'pg';
import { applyMovement } from '../../server/src/modules/stock/stock.service.js';
import { invariantViolations } from '../support/invariants.js';
import {
  BenchFailure,
  benchDatabase,
  benchFlags,
  environment,
  isInterrupted,
  percentile,
  report,
  runBench,
  startBenchServer,
  withPeakRss,
  type GraphQLClient,
} from './support.js';

const SALE_FIELDS = `sale { id status lines { id lineNo serial voided } } userErrors { code field message index }`;
const CREATE = `mutation($input: CreateSaleInput!) { createSale(input: $input) { ${SALE_FIELDS} } }`;
const ADD = `mutation($input: AddSaleLineInput!) { addSaleLine(input: $input) { ${SALE_FIELDS} } }`;
const COMPLETE = `mutation($input: SaleActionInput!) { completeSale(input: $input) { ${SALE_FIELDS} } }`;
const VOID = `mutation($input: SaleLineSerialInput!) { voidSaleLine(input: $input) { ${SALE_FIELDS} } }`;

const LINES_PER_SALE = 2;
const MAX_PICKS_PER_LINE = 20;
const MAX_COMPLETE_ROUNDS = 5;
const CALL_TIMEOUT_MS = 30_000;

interface Payload {
  sale: { id: string; status: string; lines: { id: string; lineNo: number; serial: string | null; voided: boolean }[] } | null;
  userErrors: { code: string; field: string | null; message: string; index: number | null }[];
}

/** A set with O(1) add, delete and random pick. */
class PickSet<T> {
  private items: T[] = [];
  private pos = new Map<T, number>();
  get size() {
    return this.items.length;
  }
  has(x: T) {
    return this.pos.has(x);
  }
  add(x: T) {
    if (this.pos.has(x)) return;
    this.pos.set(x, this.items.length);
    this.items.push(x);
  }
  delete(x: T) {
    const i = this.pos.get(x);
    if (i === undefined) return;
    const last = this.items.pop()!;
    this.pos.delete(x);
    if (i < this.items.length) {
      this.items[i] = last;
      this.pos.set(last, i);
    }
  }
  random(): T | undefined {
    return this.items.length ? this.items[Math.floor(Math.random() * this.items.length)] : undefined;
  }
}

await runBench(async () => {
  const f = benchFlags(
    { duration: 20, registers: 32, warmup: 2, units: 8000, collide: 0.25 },
    { integers: ['registers', 'units'], min: { duration: 0.1, registers: 1, units: 10 } },
  );
  if (f.collide > 1) throw new BenchFailure('--collide is a probability (0 … 1)');
  const db = await benchDatabase();
  const sql = new pg.Pool({ connectionString: db.url, max: 4 });
  let sqlEnded = false;
  sql.on('error', (e) => sqlEnded || isInterrupted() || console.error('idle SQL connection failed:', e.message));
  try {
    const s001 = (await sql.query(`select id from store where code = 'S001'`)).rows[0].id as number;
    const registers = (await sql.query(`select id from register where store_id = $1 order by code`, [s001])).rows.map((r) => String(r.id));
    const adminId = (await sql.query(`select id from app_user where username = 'admin'`)).rows[0].id as number;
    const items = (
      await sql.query(
        `select i.id, i.product_id from item i join item_policy p on p.item_id = i.id
         where p.level = 'ALWAYS' and p.serial_pattern is null order by i.id limit 20`,
      )
    ).rows as { id: number; product_id: string }[];
    if (!items.length || !registers.length)
      throw new BenchFailure('the demo data has no ALWAYS item without a pattern, or no register at S001');

    // ---- The shared pool: --units new units at S001 through the stock engine.
    console.log(`seeding ${f.units} units of ${items.length} ALWAYS items at S001 …`);
    const productOf = new Map<string, string>(); // serial → product id
    const moves = Array.from({ length: f.units }, (_, n) => {
      const item = items[n % items.length]!;
      const serial = `BS${String(n).padStart(6, '0')}`;
      productOf.set(serial, item.product_id);
      return { index: n, itemId: item.id, serial, serialKey: serial };
    });
    {
      const client = await sql.connect();
      try {
        await client.query('begin');
        await applyMovement(client, {
          type: 'RECEIVING',
          document: { kind: 'BENCH', id: 1, number: 'BENCH-SALES-POOL' },
          userId: adminId,
          destinationStoreId: s001,
          units: { moves, from: 'ARRIVING', to: { state: 'IN_STOCK', storeId: s001 } },
        });
        await client.query('commit');
      } catch (e) {
        await client.query('rollback').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    }

    const server = await startBenchServer(db.url);
    const users = ['clerk', 'manager'] as const;
    const clients = await Promise.all(users.map(async (u) => server.client(await server.signIn(u))));

    // ---- Shared state of the registers (single-threaded: no locking needed).
    const available = new PickSet<string>(); // not seen sold by this bench
    for (const m of moves) available.add(m.serial);
    const onOpenSale = new Map<string, number>(); // serial → register holding it on an open sale
    const hot = new PickSet<string>(); // the keys of onOpenSale, for random picks
    const soldBy = new Map<string, string>(); // serial → sale id, from successful completions
    const clientDoubles = new Set<string>();

    let measuring = false;
    const m = {
      sales: 0,
      completeMs: [] as number[],
      saleMs: [] as number[],
      refusedAtAdd: 0,
      refusedAtComplete: 0,
      deliberatePicks: 0,
      abandoned: 0,
      errors: 0,
      errorSamples: new Set<string>(),
      exhausted: 0,
    };
    const refusals: { serial: string; saleId: string; stage: 'add' | 'complete' }[] = [];

    const hold = (serial: string, reg: number) => {
      onOpenSale.set(serial, reg);
      hot.add(serial);
    };
    const release = (serial: string) => {
      onOpenSale.delete(serial);
      hot.delete(serial);
    };
    const gone = (serial: string) => {
      available.delete(serial);
      release(serial);
    };

    const pick = (reg: number, taken: Set<string>): string | undefined => {
      if (f.collide > 0 && Math.random() < f.collide) {
        for (let tries = 0; tries < 4; tries++) {
          const s = hot.random();
          if (s && onOpenSale.get(s) !== reg && !taken.has(s)) {
            if (measuring) m.deliberatePicks++;
            return s;
          }
        }
      }
      for (let tries = 0; tries < 8; tries++) {
        const s = available.random();
        if (s === undefined) return undefined;
        if (!taken.has(s)) return s;
      }
      return undefined;
    };

    const call = async (client: GraphQLClient, query: string, input: Record<string, unknown>, field: string): Promise<Payload> => {
      const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
      const data = await client.data<Record<string, Payload>>(query, { input }, signal);
      return data[field]!;
    };
    const unexpected = (what: string, p: Payload): never => {
      throw new Error(`${what}: ${JSON.stringify(p.userErrors)}`);
    };

    /** One sale; returns false when the pool ran dry. Throws on an unexpected answer. */
    const oneSale = async (reg: number, client: GraphQLClient, registerId: string): Promise<boolean> => {
      const t0 = performance.now();
      const created = await call(client, CREATE, { storeId: String(s001), registerId }, 'createSale');
      if (!created.sale || created.userErrors.length) unexpected('createSale', created);
      const saleId = created.sale!.id;
      const mine = new Map<string, string>(); // serial → line id, active lines
      const taken = new Set<string>();

      const addOne = async (): Promise<boolean> => {
        for (let attempt = 0; attempt < MAX_PICKS_PER_LINE; attempt++) {
          const serial = pick(reg, taken);
          if (!serial) return false;
          taken.add(serial);
          const p = await call(client, ADD, { saleId, code: productOf.get(serial)!, serial }, 'addSaleLine');
          if (!p.userErrors.length) {
            const line = p.sale!.lines.find((l) => !l.voided && l.serial === serial);
            if (!line) throw new Error(`addSaleLine: line with ${serial} missing in ${JSON.stringify(p.sale)}`);
            mine.set(serial, line.id);
            if (!onOpenSale.has(serial)) hold(serial, reg);
            return true;
          }
          if (p.userErrors.length === 1 && p.userErrors[0]!.code === 'NOT_IN_STOCK_HERE') {
            if (measuring) m.refusedAtAdd++;
            refusals.push({ serial, saleId, stage: 'add' });
            gone(serial);
            continue;
          }
          unexpected(`addSaleLine ${serial}`, p);
        }
        return false;
      };

      const dropAll = () => {
        for (const s of mine.keys()) if (onOpenSale.get(s) === reg) release(s);
      };

      for (let round = 0; round < MAX_COMPLETE_ROUNDS; round++) {
        while (mine.size < LINES_PER_SALE) {
          if (!(await addOne())) {
            dropAll();
            if (measuring) m.exhausted++;
            return false;
          }
        }
        const c0 = performance.now();
        const p = await call(client, COMPLETE, { saleId }, 'completeSale');
        const c1 = performance.now();
        if (!p.userErrors.length) {
          if (p.sale?.status !== 'COMPLETED') unexpected('completeSale (no error, not completed)', p);
          for (const s of mine.keys()) {
            if (soldBy.has(s)) clientDoubles.add(s);
            soldBy.set(s, saleId);
            gone(s);
          }
          if (measuring) {
            m.sales++;
            m.completeMs.push(c1 - c0);
            m.saleMs.push(c1 - t0);
          }
          return true;
        }
        if (!p.userErrors.every((e) => e.code === 'NOT_IN_STOCK_HERE')) unexpected('completeSale', p);
        // Lost the race for these lines' units: void them, add others, complete again.
        for (const e of p.userErrors) {
          const line = p.sale?.lines.find((l) => l.lineNo === e.index);
          if (!line?.serial || !mine.has(line.serial)) unexpected('completeSale refusal without a known line', p);
          const serial = line!.serial!;
          if (measuring) m.refusedAtComplete++;
          refusals.push({ serial, saleId, stage: 'complete' });
          const v = await call(client, VOID, { saleId, lineId: line!.id }, 'voidSaleLine');
          if (v.userErrors.length) unexpected('voidSaleLine', v);
          mine.delete(serial);
          gone(serial);
        }
      }
      dropAll();
      if (measuring) m.abandoned++;
      return true;
    };

    const runRegisters = async (seconds: number) => {
      const deadline = performance.now() + seconds * 1000;
      const t0 = performance.now();
      let stopAll = false;
      await Promise.all(
        Array.from({ length: f.registers }, async (_, reg) => {
          const client = clients[reg % clients.length]!;
          const registerId = registers[reg % registers.length]!;
          while (!stopAll && performance.now() < deadline) {
            try {
              if (!(await oneSale(reg, client, registerId))) {
                stopAll = true; // the pool ran dry: stop every register
                break;
              }
            } catch (e) {
              m.errors++;
              if (m.errorSamples.size < 5) m.errorSamples.add(e instanceof Error ? e.message.slice(0, 400) : String(e));
              if (m.errors > 100) stopAll = true;
            }
          }
        }),
      );
      return (performance.now() - t0) / 1000;
    };

    if (f.warmup > 0) {
      console.log(`warm-up ${f.warmup} s …`);
      await runRegisters(f.warmup);
      if (m.errors) throw new BenchFailure(`warm-up had ${m.errors} errors, e.g. ${[...m.errorSamples].join(' | ')}`);
    }
    console.log(`measured: ${f.registers} registers for ${f.duration} s (${available.size} units left in the pool) …`);
    measuring = true;
    const loadStart = os.loadavg()[0]!;
    const { result: elapsedS, peakRssMb } = await withPeakRss(() => runRegisters(f.duration));
    measuring = false;
    const loadEnd = os.loadavg()[0]!;

    // ---- Verification in SQL.
    const one = async (q: string, params: unknown[] = []) => Number((await sql.query(q, params)).rows[0].n);
    const ledgerDoubles = (
      await sql.query(
        `select distinct t.serial from (
           select unit_id, serial, type, lag(type) over (partition by unit_id order by id) as prev
           from stock_event where unit_id is not null and type in ('SALE', 'RETURN')) t
         where t.type = 'SALE' and t.prev = 'SALE'`,
      )
    ).rows.map((r) => String(r.serial).toUpperCase());
    const lineDoubles = (
      await sql.query(
        `select l.serial_key from sale_line l join sale s on s.id = l.sale_id
         where s.status = 'COMPLETED' and l.fulfilled and not l.voided and l.serial_key is not null
           and not exists (select 1 from serial_unit u join stock_event e on e.unit_id = u.id
                           where u.item_id = l.item_id and u.serial_key = l.serial_key and e.type = 'RETURN')
         group by l.item_id, l.serial_key having count(*) > 1`,
      )
    ).rows.map((r) => String(r.serial_key));
    const doubleSales = new Set([...ledgerDoubles, ...lineDoubles, ...clientDoubles]).size;

    const unitStateMismatches = await one(
      `select count(*) as n from serial_unit u
       left join lateral (select type, quantity, store_id from stock_event e where e.unit_id = u.id order by e.id desc limit 1) e on true
       where (u.state = 'SOLD') <> (e.type is not distinct from 'SALE')
          or (u.state = 'IN_STOCK' and not (e.quantity > 0 and e.store_id = u.store_id))`,
    );
    const lineStateMismatches = await one(
      `select count(*) as n from sale_line l join sale s on s.id = l.sale_id
       left join serial_unit u on u.item_id = l.item_id and u.serial_key = l.serial_key
       where s.status = 'COMPLETED' and l.fulfilment = 'CARRY_OUT' and not l.voided and l.serial_key is not null
         and (u.state is distinct from 'SOLD'
              or not exists (select 1 from stock_event e where e.unit_id = u.id and e.type = 'SALE' and e.document_kind = 'SALE' and e.document_id = s.id))`,
    );
    const completedSql = await one(`select count(*) as n from sale where status = 'COMPLETED'`);
    const completedClient = soldBy.size / LINES_PER_SALE;
    const violations = await invariantViolations(sql);

    // Each refusal must name a unit that another sale sold.
    const refusedCheck = (
      await sql.query(
        `select r.n, exists (select 1 from serial_unit u join stock_event e on e.unit_id = u.id
                             where u.serial_key = r.serial and u.state = 'SOLD' and e.type = 'SALE' and e.document_kind = 'SALE'
                               and e.document_id <> r.sale_id) as explained
         from unnest($1::text[], $2::int[]) with ordinality as r(serial, sale_id, n)`,
        [refusals.map((r) => r.serial), refusals.map((r) => Number(r.saleId))],
      )
    ).rows as { n: string; explained: boolean }[];
    const unexplained = refusedCheck.filter((r) => !r.explained);
    // Only the measured phase's refusals are reported as collisions; all were checked.
    const collisionsRefused = m.refusedAtAdd + m.refusedAtComplete;

    const complete = Float64Array.from(m.completeMs).sort();
    const whole = Float64Array.from(m.saleMs).sort();
    report(
      'sales',
      {
        duration_s: f.duration,
        registers: f.registers,
        warmup_s: f.warmup,
        units: f.units,
        collide: f.collide,
        lines_per_sale: LINES_PER_SALE,
        users: 'clerk, manager',
        server: 'in-process',
        load_avg_1m_start: Math.round(loadStart * 100) / 100,
        load_avg_1m_end: Math.round(loadEnd * 100) / 100,
        ...environment(db),
      },
      {
        sales_per_s: m.sales / elapsedS,
        complete_p50_ms: percentile(complete, 0.5),
        complete_p99_ms: percentile(complete, 0.99),
        complete_max_ms: complete.length ? complete[complete.length - 1]! : NaN,
        sale_p50_ms: percentile(whole, 0.5),
        sale_p99_ms: percentile(whole, 0.99),
        sales: m.sales,
        collisions_refused: collisionsRefused,
        refused_at_add_line: m.refusedAtAdd,
        refused_at_complete: m.refusedAtComplete,
        deliberate_picks: m.deliberatePicks,
        double_sales: doubleSales,
        state_mismatches: unitStateMismatches + lineStateMismatches,
        invariant_violations: violations.length,
        refusals_unexplained: unexplained.length,
        sales_abandoned: m.abandoned,
        errors: m.errors,
        units_left: available.size,
        peak_rss_mb: peakRssMb,
      },
    );

    const problems: string[] = [];
    if (doubleSales)
      problems.push(
        `${doubleSales} double sales (ledger ${ledgerDoubles.length}, lines ${lineDoubles.length}, client ${clientDoubles.size}): ${[...new Set([...ledgerDoubles, ...lineDoubles, ...clientDoubles])].slice(0, 10).join(', ')}`,
      );
    if (unitStateMismatches || lineStateMismatches)
      problems.push(
        `${unitStateMismatches} units disagree with their ledger, ${lineStateMismatches} completed lines whose unit is not sold by that sale`,
      );
    if (violations.length) problems.push(`${violations.length} invariant violations, e.g. ${violations.slice(0, 3).join('; ')}`);
    if (unexplained.length)
      problems.push(
        `${unexplained.length} refusals of units not sold elsewhere, e.g. ${unexplained
          .slice(0, 3)
          .map((r) => JSON.stringify(refusals[Number(r.n) - 1]))
          .join(', ')}`,
      );
    if (completedSql !== completedClient)
      problems.push(`${completedSql} completed sales in the database, ${completedClient} reported to the registers`);
    if (m.errors) problems.push(`${m.errors} calls failed, e.g.\n  ${[...m.errorSamples].join('\n  ')}`);
    if (m.exhausted) problems.push(`the pool ran out of units (raise --units)`);
    if (!m.sales) problems.push('no sale completed');
    if (problems.length) throw new BenchFailure(problems.join('\n'));
  } finally {
    sqlEnded = true;
    await sql.end();
  }
});
