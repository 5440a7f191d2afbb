import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { repoRoot } from './config.js';
import { apiSchema } from './schema.js';

/** Writes schema/schema.graphql, or with --check fails when the committed file drifted. */
const file = path.join(repoRoot, 'schema/schema.graphql');
const sdl = printSchema(lexicographicSortSchema(await apiSchema())) + '\n';
if (process.argv.includes('--check')) {
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (committed !== sdl) {
    console.error('schema/schema.graphql is out of date: run `pnpm schema` and commit the result.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date.');
} else {
  fs.writeFileSync(file, sdl);
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}
