// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx).
// Node 20's --test does not expand globs itself, hence this list.
//
// Test files run in parallel processes: each makes its own temporary
// directories, SQLite files and PostgreSQL databases, so none shares state
// with another. Much of a file's time is waiting (on PostgreSQL, a child
// process, a timer), so as many files as cores run at once; node's default is
// one less than the cores, a single file at a time on a 2-core machine. Not
// more: the suite has tests of timing (leases, locks, TTLs) that a machine
// loaded far past its cores slows beyond their margins.
// ENVWARD_TEST_CONCURRENCY sets the number (1 runs the files one by one).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const only = process.argv.slice(2);
const files = readdirSync('test', { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => `test/${file}`)
  .filter((file) => only.length === 0 || only.some((part) => file.includes(part)))
  .sort();
const concurrency = Number(process.env.ENVWARD_TEST_CONCURRENCY) || availableParallelism();
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,

    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exitCode = result.status ?? 1;
