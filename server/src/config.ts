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
}

export function configFromEnv(databaseUrl: string): AppConfig {
  return {
    databaseUrl,
    port: Number(process.env.PORT ?? 4000),
    webDist: process.env.SERVE_WEB === '0' ? undefined : path.join(repoRoot, 'web/dist'),
    sessionHours: Number(process.env.SESSION_HOURS ?? 12),
    secureCookies: process.env.SECURE_COOKIES === '1',
  };
}
