import path from 'node:path';
import pg from 'pg';
import { configFromEnv, repoRoot } from './config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { startServer } from './app.js';
import { DEMO_PASSWORD, isEmpty, seedDemo } from './demo/seed.js';

let embedded: EmbeddedDatabase | undefined;
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  embedded = await startEmbeddedPostgres(process.env.EMBEDDED_PG_DIR ?? path.join(repoRoot, '.data/pg'));
  databaseUrl = await ensureDatabase(embedded.url, 'serialdesk');
  console.log(`Embedded PostgreSQL: ${databaseUrl}`);
}

const config = configFromEnv(databaseUrl);
const server = await startServer(config);
if (process.env.SEED_DEMO !== '0' && (await isEmpty(server.services.pool))) {
  console.log('Empty database: loading demo data …');
  await seedDemo(server.services.pool);
}
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
