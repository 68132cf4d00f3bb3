/**
 * One production instance of the jobs test project (test/support/jobs-project.ts),
 * for the tests of several processes on one PostgreSQL database:
 *   node test/support/jobs-process.mjs <project dir> <leaseMs>
 * It runs the built library (dist/, `npm run build` first): resolves
 * production, opens its store, starts the jobs with an `everySecond` handler
 * that prints `{"start":slot}`, works 650 ms (so two runs back to back outlast
 * the one-second interval), then prints `{"done":slot}`.
 * It prints `{"ready":instance}` once scheduled. SIGTERM stops the jobs and
 * closes the store; it then ends by itself.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveConfig } from '../../dist/index.js';
import { startJobs } from '../../dist/jobs.js';
import { openStore } from '../../dist/store.js';

const [dir, leaseText] = process.argv.slice(2);
if (!dir || !leaseText) throw new Error('usage: jobs-process.mjs <dir> <leaseMs>');
const print = (object) => process.stdout.write(`${JSON.stringify(object)}\n`);
const report = (level) => (object, message) => process.stderr.write(`${level} ${message} ${JSON.stringify(object)}\n`);

const resolved = await resolveConfig({
  cwd: dir,
  env: 'production',
  hostname: 'prod-app',
  variables: { PAYMENTS_API_KEY: process.env.JOBS_CANARY },
});
const store = await openStore(resolved);
const handle = await startJobs(
  resolved,
  store,
  {
    everySecond: async ({ slot, signal }) => {
      print({ start: slot.toISOString() });
      await sleep(650, undefined, { signal });
      print({ done: slot.toISOString() });
    },
  },
  { leaseMs: Number(leaseText), logger: { info() {}, warn: report('warn'), error: report('error') } },
);
print({ ready: handle.instance });
process.once('SIGTERM', async () => {
  await handle.stop();
  await store.close();
});
