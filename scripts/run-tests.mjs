// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx).
// Node 20's --test does not expand globs itself, hence this list.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const files = readdirSync('test', { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => `test/${file}`)
  .filter((file) => only.length === 0 || only.some((part) => file.includes(part)))
  .sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exitCode = result.status ?? 1;
