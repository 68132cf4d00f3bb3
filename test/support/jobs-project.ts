/**
 * Projects for the jobs tests: the store project of store-project.ts (one
 * database every environment shares: a SQLite file, or a fresh PostgreSQL
 * database) with jobs declared by `defineJobs`:
 * - `everySecond` ('* * * * * *') in `development` and the production tier,
 *   its handler module `jobs/every-second.mjs` appending each slot to
 *   `var/every-second.log` (so `envward jobs run` can run it too);
 * - `nightly` ('0 2 * * *') in the production tier only, with the same module;
 * - `failing` ('0 3 * * *') in `development` and the production tier, whose
 *   module throws an error that carries the secret `payments.apiKey` (a
 *   canary for scrubbing).
 */
import type { Dialect, StoreProject, StoreProjectOptions } from './store-project.ts';
import { makeStoreProject } from './store-project.ts';

/** The secret production's `payments.apiKey` gets from PAYMENTS_API_KEY in these tests. */
export const JOBS_CANARY = 'sk_live_canary_7d1e5b2c9f';

export const JOBS_CONFIG = `import { database, defineConfig, secret, z } from 'envward';
import { defineJobs } from 'envward/jobs';

const jobs = defineJobs({
  everySecond: {
    schedule: '* * * * * *',
    environments: ['development'],
    tiers: ['production'],
    run: () => import('./jobs/every-second.mjs'),
  },
  nightly: { schedule: '0 2 * * *', tiers: ['production'], run: () => import('./jobs/every-second.mjs') },
  failing: {
    schedule: '0 3 * * *',
    environments: ['development'],
    tiers: ['production'],
    run: () => import('./jobs/failing.mjs'),
  },
});

export default defineConfig({
  project: 'jobs-test',
  use: [database, jobs],
  schema: z.object({ payments: z.object({ apiKey: secret(z.string()).optional() }) }),
  variables: { 'payments.apiKey': 'PAYMENTS_API_KEY' },
  environments: { qa: { tier: 'staging' } },
});
`;

const EVERY_SECOND = `import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const log = join(dirname(fileURLToPath(import.meta.url)), '..', 'var', 'every-second.log');

export default async function everySecond({ slot, trigger, environment }) {
  mkdirSync(dirname(log), { recursive: true });
  appendFileSync(log, JSON.stringify({ slot: slot.toISOString(), trigger, environment }) + '\\n');
}
`;

const FAILING = `export default async function failing({ resolved }) {
  throw new Error('gateway refused key ' + resolved.values.payments.apiKey);
}
`;

export async function makeJobsProject(dialect: Dialect, options: StoreProjectOptions = {}): Promise<StoreProject> {
  return makeStoreProject(dialect, {
    ...options,
    files: {
      'envward.config.ts': JOBS_CONFIG,
      'jobs/every-second.mjs': EVERY_SECOND,
      'jobs/failing.mjs': FAILING,
      ...options.files,
    },
  });
}
