import type pg from 'pg';

export type SeedStep = (client: pg.PoolClient) => Promise<void>;
/** Seed steps of later modules (catalog, stock), run in order after locations and users. */
export const seedSteps: SeedStep[] = [];
