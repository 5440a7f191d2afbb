import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface AppConfig {
  /** PostgreSQL connection string. */
  databaseUrl: string;
  /** HTTP + WebSocket port; 0 picks a free one. */
  port: number;
  /** Folder with the built console to serve, if any. */
  webDist?: string;
  /** Session lifetime in hours. */
  sessionHours: number;
  /** Secure cookies (behind HTTPS). */
  secureCookies: boolean;
  /**
   * Execute operations with graphql-jit (compiled; the default) or graphql-js's interpreter
   * (`GRAPHQL_EXECUTOR=graphql-js`). Both give the same answers; the interpreter is the fallback
   * to reach for if a compiled answer is ever in doubt.
   */
  executor?: 'compiled' | 'graphql-js';
}

export function configFromEnv(databaseUrl: string): AppConfig {
  return {
    databaseUrl,
    port: Number(process.env.PORT ?? 4000),
    webDist: process.env.SERVE_WEB === '0' ? undefined : path.join(repoRoot, 'web/dist'),
    sessionHours: Number(process.env.SESSION_HOURS ?? 12),
    secureCookies: process.env.SECURE_COOKIES === '1',
    executor: executorFromEnv(process.env.GRAPHQL_EXECUTOR),
  };
}

function executorFromEnv(value: string | undefined): AppConfig['executor'] {
  if (value === undefined || value === '' || value === 'compiled') return 'compiled';
  if (value === 'graphql-js') return 'graphql-js';
  throw new Error(`GRAPHQL_EXECUTOR must be "compiled" or "graphql-js", not "${value}".`);
}
