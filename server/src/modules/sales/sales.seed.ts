import type pg from 'pg';
import { seedSteps } from '../../demo/steps.js';

/** A few customers for the register page and the history report's customer columns. */
export async function seedCustomers(client: pg.PoolClient): Promise<void> {
  const customers = [
    ['C-1001', 'Jordan Lee'],
    ['C-1002', 'Priya Raman'],
    ['C-1003', "Seán O'Neill"],
    ['C-1004', 'Maria García'],
    ['C-1005', 'Chen Wei'],
    ['C-1006', 'Acme Corp, Inc.'],
  ];
  await client.query(`insert into customer (number, name) select * from unnest($1::text[], $2::text[])`, [
    customers.map((c) => c[0]),
    customers.map((c) => c[1]),
  ]);
}

seedSteps.push(seedCustomers);
