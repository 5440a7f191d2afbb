import type { MikroORM } from '@mikro-orm/postgresql';
import type pg from 'pg';
import type { AppConfig } from '../config.js';
import { AuthService } from '../modules/auth/auth.service.js';
import { CatalogService } from '../modules/catalog/catalog.service.js';
import { ItemImportService } from '../modules/catalog/item-import.service.js';
import { PolicyService } from '../modules/catalog/policy.service.js';
import { stockImpact } from '../modules/stock/stock.impact.js';
import { RealtimeHub } from '../modules/realtime/hub.js';
import { TransfersService } from '../modules/transfers/transfers.service.js';
import { SalesService } from '../modules/sales/sales.service.js';
import { CountsService } from '../modules/counts/counts.service.js';
import { ReceivingService } from '../modules/receiving/receiving.service.js';
import { ReportsService } from '../modules/reports/reports.service.js';

/** Long-lived services, created once per server instance. Their methods take the request context first. */
export interface Services {
  config: AppConfig;
  orm: MikroORM;
  pool: pg.Pool;
  auth: AuthService;
  policy: PolicyService;
  catalog: CatalogService;
  itemImport: ItemImportService;
  receiving: ReceivingService;
  realtime: RealtimeHub;
  transfers: TransfersService;
  sales: SalesService;
  counts: CountsService;
  reports: ReportsService;
}

export function createServices(config: AppConfig, orm: MikroORM, pool: pg.Pool): Services {
  const auth = new AuthService(config.sessionHours);
  const realtime = new RealtimeHub(config.databaseUrl, pool);
  realtime.watch('session_changed', { notify: () => auth.sessionsChanged(), live: (up) => auth.sessions.setLive(up) });
  return {
    config,
    orm,
    pool,
    auth,
    policy: new PolicyService([stockImpact]),
    catalog: new CatalogService(),
    itemImport: new ItemImportService(),
    receiving: new ReceivingService(),
    realtime,
    transfers: new TransfersService(),
    sales: new SalesService(),
    counts: new CountsService(),
    reports: new ReportsService(),
  };
}
