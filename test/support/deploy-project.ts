/**
 * Projects for the deployment tests: the store project of store-project.ts
 * with `deploy` used, and each environment on its own database (staging and
 * production must not share one: their stamps would refuse each other).
 * On SQLite: `var/<env>.db`; on PostgreSQL the one shared test database
 * (use one environment there).
 * `promotionOrder` sets `deploy.promotionOrder` in every environment's settings.yml.
 */
import { type Dialect, makeStoreProject, type StoreProject } from './store-project.ts';

export const DEPLOY_CONFIG = `import { database, defineConfig, z } from 'envward';
import { deploy } from 'envward/runtime';

export default defineConfig({
  project: 'deploy-test',
  use: [database, deploy],
  schema: z.object({}),
  environments: { qa: { tier: 'staging' } },
});
`;

export interface DeployProjectOptions {
  readonly promotionOrder?: readonly string[];
  readonly files?: Readonly<Record<string, string>>;
}

export async function makeDeployProject(dialect: Dialect, options: DeployProjectOptions = {}): Promise<StoreProject> {
  const order = options.promotionOrder ? `deploy:\n  promotionOrder: [${options.promotionOrder.join(', ')}]\n` : '';
  // On PostgreSQL every environment keeps the shared test database; on SQLite each gets its own file.
  const own = (env: string) => (dialect === 'sqlite' ? `database:\n  url: sqlite:var/${env}.db\n` : '');
  const settings: Record<string, string> = {};
  for (const env of ['development', 'test', 'staging', 'production', 'qa']) settings[env] = own(env) + order;
  return makeStoreProject(dialect, {
    settings,
    files: { 'envward.config.ts': DEPLOY_CONFIG, ...options.files },
  });
}
