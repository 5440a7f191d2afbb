import path from 'node:path';
import pg from 'pg';
import { configFromEnv, repoRoot } from './config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { startServer } from './app.js';
import { migrate, openOrm } from './db/orm.js';
import { DEMO_PASSWORD, isEmpty, seedDemo } from './demo/seed.js';

let embedded: EmbeddedDatabase | undefined;
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  embedded = await startEmbeddedPostgres(process.env.EMBEDDED_PG_DIR ?? path.join(repoRoot, '.data/pg'));
  databaseUrl = await ensureDatabase(embedded.url, 'serialdesk');
  console.log(`Embedded PostgreSQL: ${databaseUrl}`);
}

const config = configFromEnv(databaseUrl);
await prepareDatabase(databaseUrl);
// Listens only once the database is migrated and the demo data loaded: nobody signs in to half a demo.
const server = await startServer(config, { migrate: false });
console.log(`SerialDesk is ready: http://localhost:${server.port}  (GraphQL at /graphql; demo sign-in admin / ${DEMO_PASSWORD})`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down …`);
    await server.close().catch((e) => console.error(e));
    await embedded?.stop().catch((e) => console.error(e));
    process.exit(0);
  });
}

/** Applies pending migrations, then loads the demo data into an empty database (unless SEED_DEMO=0). */
async function prepareDatabase(url: string): Promise<void> {
  const orm = await openOrm(url);
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    if (process.env.SEED_DEMO !== '0' && (await isEmpty(pool))) {
      console.log('Empty database: loading demo data …');
      await seedDemo(pool);
    }
  } finally {
    await pool.end();
  }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
  if (!rowCount) await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
