import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/src/db/embedded.js';
import { migrate, openOrm } from '../../server/src/db/orm.js';
import { seedDemo } from '../../server/src/demo/seed.js';

export const TEMPLATE_DB = 'serialdesk_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;

/**
 * Once per run: a PostgreSQL (TEST_DATABASE_URL, or an embedded one), and a template
 * database that is migrated and seeded with the demo data. Each test file clones it.
 */
export async function setup(project: TestProject): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = path.join(os.tmpdir(), `serialdesk-test-pg-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    embedded = await startEmbeddedPostgres(dir, () => {});
    adminUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // Old per-file databases from an interrupted run on a shared server.
  const { rows } = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like 'sd_test_%' or datname = $1`,
    [TEMPLATE_DB],
  );
  for (const r of rows) await admin.query(`drop database if exists "${r.datname}" with (force)`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();

  const templateUrl = withDatabase(adminUrl, TEMPLATE_DB);
  const orm = await openOrm(templateUrl);
  await migrate(orm);
  await orm.close();
  const pool = new pg.Pool({ connectionString: templateUrl });
  await seedDemo(pool);
  await pool.end();
  project.provide('pgAdminUrl', adminUrl);
}

export async function teardown(): Promise<void> {
  if (embedded) {
    await embedded.stop();
  }
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
