// The one test command: schema and codegen drift checks, the console build the browser
// tests need, then every vitest suite. Ends with the plain line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const steps = [
  ['pnpm', ['schema:check']],
  ['pnpm', ['codegen:check']],
  ['pnpm', ['--filter', '@serialdesk/web', 'build']],
];
const results = 'test/.artifacts/results.json';
fs.rmSync(results, { force: true });
let failedChecks = 0;
for (const [cmd, args] of steps) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed`);
    failedChecks += 1;
  }
}
const extra = process.argv.slice(2);
const vitest = spawnSync('vitest', ['run', '--config', 'test/vitest.config.ts', ...extra], { stdio: 'inherit' });
let passed = 0;
let failed = failedChecks;
if (fs.existsSync(results)) {
  const json = JSON.parse(fs.readFileSync(results, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  // A file that fails to load has no failed tests of its own but must still count.
  if (json.numFailedTests === 0) failed += json.numFailedTestSuites ?? 0;
  if (json.numTotalTests === 0) failed += 1;
} else {
  failed += 1;
}
if (vitest.status !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
