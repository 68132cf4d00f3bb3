/**
 * A console project for the operations pages: the console test project's
 * environments with a secret() key, two jobs (`touch` allowed in
 * development, `nightly` in the production tier only, both appending to
 * var/touch.log) and a migrations folder whose second migration drops a
 * column (destructive). `stamp(env)` stamps a protected environment's
 * database as `envward db stamp` would, so acts there may open it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { type ConsoleProject, makeConsoleProject } from './console-project.ts';

const CONFIG = `import { database, defineConfig, live, secret, z } from 'envward';
import { defineJobs } from 'envward/jobs';

const jobs = defineJobs({
  touch: { schedule: '0 2 * * *', environments: ['development', 'production'], run: () => import('./jobs/touch.mjs') },
  nightly: { schedule: '0 3 * * *', tiers: ['production'], run: () => import('./jobs/touch.mjs') },
});

export default defineConfig({
  project: 'console-ops-test',
  use: [database, jobs],
  schema: z.object({
    app: z.object({ greeting: live(z.string().default('hello')), port: z.number().int().default(3000) }),
    payments: z.object({ apiKey: secret(z.string()).optional() }),
  }),
  environments: { qa: { tier: 'staging' } },
});
`;

const TOUCH = `import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const log = join(dirname(fileURLToPath(import.meta.url)), '..', 'var', 'touch.log');

export default async function touch({ environment }) {
  mkdirSync(dirname(log), { recursive: true });
  appendFileSync(log, environment + '\\n');
}
`;

const CREATE = `import type { Kysely } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('accounts').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('legacy', 'text').execute();
}
`;

const DROP = `import type { Kysely } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('legacy').execute();
}
`;

export interface OpsProject extends ConsoleProject {
  /** The environment's store, opened read-only by the test (closed by the caller). */
  open(env: string): Promise<Store>;
  /** Lines var/touch.log holds (one per run of the jobs). */
  touches(): string[];
}

export function makeOpsProject(extra: Readonly<Record<string, string>> = {}): OpsProject {
  const project = makeConsoleProject({
    'envward.config.ts': CONFIG,
    'jobs/touch.mjs': TOUCH,
    'migrations/001_create_accounts.ts': CREATE,
    'migrations/002_drop_legacy.ts': DROP,
    ...extra,
  });
  const resolved = (env: string) => resolveConfig<unknown>({ variables: {}, cwd: project.dir, env });
  return {
    ...project,
    open: async (env) => openStore(await resolved(env), { stampMode: 'read' }),
    touches: () => {
      const log = join(project.dir, 'var', 'touch.log');
      return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
    },
  };
}

/** What `answer` told the user in its flash (the page a redirect leads to). */
export function flashOf(body: string): { kind: string; text: string } | undefined {
  const match = /class="flash flash-(ok|error)" role="status">([^<]*)</.exec(body);
  return match ? { kind: match[1] as string, text: match[2] as string } : undefined;
}
