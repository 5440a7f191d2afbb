import type pg from 'pg';
import { hashPassword } from '../modules/auth/password.js';
import { seedSteps } from './steps.js';
import '../modules/catalog/catalog.seed.js';
import '../modules/receiving/receiving.seed.js';
import '../modules/sales/sales.seed.js';

export const DEMO_PASSWORD = 'serialdesk';

/** Demo users: one per role (SEC-1). All use DEMO_PASSWORD. */
export const demoUsers = [
  { username: 'admin', displayName: 'Ada Admin', role: 'ADMIN', allStores: true, stores: [], duties: [] },
  { username: 'merch', displayName: 'Mona Merchandiser', role: 'MERCHANDISER', allStores: true, stores: [], duties: [] },
  {
    username: 'manager',
    displayName: 'Manny Manager',
    role: 'STORE_MANAGER',
    allStores: false,
    stores: ['S001', 'S002'],
    duties: ['SERIAL_CORRECTIONS', 'NOT_READABLE_REGISTRATION'],
  },
  {
    username: 'clerk',
    displayName: 'Cleo Clerk',
    role: 'CLERK',
    allStores: false,
    stores: ['S001'],
    duties: ['NOT_READABLE_REGISTRATION'],
  },
  { username: 'clerk2', displayName: 'Carl Clerk', role: 'CLERK', allStores: false, stores: ['S002'], duties: [] },
  { username: 'viewer', displayName: 'Vera Viewer', role: 'REPORT_VIEWER', allStores: true, stores: [], duties: [] },
] as const;

export const demoStores = [
  { code: 'S001', name: 'Manhattan Flagship', venue: 'Northeast', kind: 'STORE', timeZone: 'America/New_York' },
  { code: 'S002', name: 'Boston Back Bay', venue: 'Northeast', kind: 'STORE', timeZone: 'America/New_York' },
  { code: 'S003', name: 'Chicago Loop', venue: 'Midwest', kind: 'STORE', timeZone: 'America/Chicago' },
  { code: 'S004', name: 'Denver Union Station', venue: 'Mountain', kind: 'STORE', timeZone: 'America/Denver' },
  { code: 'W001', name: 'Newark Distribution Center', venue: 'Northeast', kind: 'WAREHOUSE', timeZone: 'America/New_York' },
] as const;

/** True when the database has no users yet (a fresh install). */
export async function isEmpty(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from app_user');
  return rows[0]!.n === 0;
}

/** Loads the demo data in one transaction. Later modules add their part in `seedSteps`. */
export async function seedDemo(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await seedLocationsAndUsers(client);
    for (const step of seedSteps) await step(client);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    throw e;
  } finally {
    client.release();
  }
}

async function seedLocationsAndUsers(client: pg.PoolClient): Promise<void> {
  const venues = [...new Set(demoStores.map((s) => s.venue))];
  await client.query('insert into venue (name) select unnest($1::text[])', [venues]);
  await client.query(
    `insert into store (venue_id, code, name, kind, time_zone)
     select v.id, s.code, s.name, s.kind, s.tz
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as s(code, name, venue, kind, tz)
     join venue v on v.name = s.venue`,
    [
      demoStores.map((s) => s.code),
      demoStores.map((s) => s.name),
      demoStores.map((s) => s.venue),
      demoStores.map((s) => s.kind),
      demoStores.map((s) => s.timeZone),
    ],
  );
  await client.query(
    `insert into register (store_id, code, name)
     select s.id, r.code, r.name from store s cross join (values ('R1', 'Register 1'), ('R2', 'Register 2')) as r(code, name)
     where s.kind = 'STORE'`,
  );
  for (const u of demoUsers) {
    const { rows } = await client.query<{ id: number }>(
      `insert into app_user (username, display_name, password_hash, role, duties, all_stores)
       values ($1, $2, $3, $4, $5, $6) returning id`,
      [u.username, u.displayName, await hashPassword(DEMO_PASSWORD), u.role, u.duties, u.allStores],
    );
    await client.query('insert into user_store (user_id, store_id) select $1, id from store where code = any($2)', [rows[0]!.id, u.stores]);
  }
}
