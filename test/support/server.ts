import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startServer, type RunningServer } from '../../server/src/app.js';
import { createTestDatabase } from './database.js';
import { ApiClient } from './client.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestServer {
  url: string;
  server: RunningServer;
  /** Direct SQL on this test's database, for assertions and invariant checks. */
  db: pg.Pool;
  databaseUrl: string;
  /** A client signed in as a demo user (password "serialdesk"). */
  as(username: string): Promise<ApiClient>;
  anonymous(): ApiClient;
  close(): Promise<void>;
}

/** Starts the real server over HTTP + WebSocket on a free port, on a fresh database. */
export async function startTestServer(opts: { web?: boolean } = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const server = await startServer({
    databaseUrl: database.url,
    port: 0,
    webDist: opts.web ? path.join(repoRoot, 'web/dist') : undefined,
    sessionHours: 12,
    secureCookies: false,
  });
  const db = new pg.Pool({ connectionString: database.url, max: 4 });
  const url = server.url;
  return {
    url,
    server,
    db,
    databaseUrl: database.url,
    async as(username: string) {
      const client = new ApiClient(url);
      await client.signIn(username);
      return client;
    },
    anonymous: () => new ApiClient(url),
    async close() {
      await db.end();
      await server.close();
      await database.drop();
    },
  };
}
