import { Migration20261123000001_locations_users } from './Migration20261123000001_locations_users.js';
import { Migration20261123000002_catalog } from './Migration20261123000002_catalog.js';

/** Every migration, in order. New migrations are appended here. */
export const migrationsList = [Migration20261123000001_locations_users, Migration20261123000002_catalog];
