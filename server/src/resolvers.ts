import type { NonEmptyArray } from 'type-graphql';
import { AuthResolver } from './modules/auth/auth.resolver.js';
import { LocationsQueryResolver, StoreResolver } from './modules/locations/locations.resolver.js';
import { UsersResolver } from './modules/auth/users.resolver.js';
import { ClassificationResolver, ItemResolver, PolicyResolver } from './modules/catalog/catalog.resolver.js';
import { ReceiptLineResolver, ReceiptResolver } from './modules/receiving/receiving.resolver.js';
import { RealtimeResolver } from './modules/realtime/realtime.resolver.js';
import { TransferLineResolver, TransferResolver } from './modules/transfers/transfers.resolver.js';
import { SaleLineResolver, SaleResolver } from './modules/sales/sales.resolver.js';
import { AdjustmentResolver } from './modules/adjustments/adjustments.resolver.js';
import { CountResolver } from './modules/counts/counts.resolver.js';
import { ReportsResolver, SerialOnHandRowResolver } from './modules/reports/reports.resolver.js';
import { HeartbeatResolver } from './modules/realtime/heartbeat.resolver.js';

/** Every resolver class. Modules append theirs here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  AuthResolver,
  StoreResolver,
  LocationsQueryResolver,
  UsersResolver,
  ClassificationResolver,
  ItemResolver,
  PolicyResolver,
  ReceiptResolver,
  ReceiptLineResolver,
  RealtimeResolver,
  TransferResolver,
  TransferLineResolver,
  SaleResolver,
  SaleLineResolver,
  AdjustmentResolver,
  CountResolver,
  HeartbeatResolver,
  ReportsResolver,
  SerialOnHandRowResolver,
];
