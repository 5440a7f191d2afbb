// `pnpm bench <name> [--duration s] [--concurrency n] [--warmup s]`: runs
// test/bench/<name>.bench.ts with tsx and the test tsconfig (for the server's legacy
// decorators), forwarding the flags. Without a known name it lists the benchmarks.
//
// The benchmark runs as `node --import tsx` (this same Node 22, the one pnpm put first in
// PATH from node_modules/.bin), with TSX_TSCONFIG_PATH, rather than through the tsx CLI: on
// Ctrl-C the CLI kills its child with SIGKILL when the child does not acknowledge the signal
// within ~60 ms, which a loaded event loop misses, and the clean-up (dropping the database,
// removing the embedded cluster) would never run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '../..');
const available = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (!name || name.startsWith('-') || !available.includes(name)) {
  if (name && !['-h', '--help'].includes(name)) console.error(`Unknown benchmark "${name}".\n`);
  console.error('Usage: pnpm bench <name> [--duration s] [--concurrency n] [--warmup s]\n');
  console.error('Benchmarks:');
  for (const b of available) console.error(`  ${b}`);
  process.exit(name && ['-h', '--help'].includes(name) ? 0 : 2);
}

const tsconfig = path.join(root, 'test/tsconfig.json');
const script = path.join(benchDir, `${name}.bench.ts`);
// Ctrl-C reaches the benchmark too (same process group); let it clean up, then report its code.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script, ...rest], {
  cwd: root,
  stdio: 'inherit',
  // Measured as `pnpm start` runs it: NODE_ENV=production (graphql-js, for one, skips its
  // development-only checks on every value it completes).
  env: { NODE_ENV: 'production', ...process.env, TSX_TSCONFIG_PATH: tsconfig },
});
if (r.error) {
  console.error(`could not start ${process.execPath}: ${r.error.message}`);
  process.exit(1);
}
if (r.signal) console.error(`benchmark ended by ${r.signal}`);
process.exit(r.status ?? 1);
