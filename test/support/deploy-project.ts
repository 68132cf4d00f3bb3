/**
 * Projects for the deployment tests: the store project of store-project.ts
 * with `deploy` used, and each environment on its own database (staging and
 * production must not share one: their stamps would refuse each other).
 * On SQLite: `var/<env>.db`; on PostgreSQL: one fresh test database for
 * development, the project's own for the rest is not needed by these tests.
 * `promotionOrder` sets `deploy.promotionOrder` in config/base.yml.
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
  const own = (env: string) => `database:\n  url: sqlite:var/${env}.db\n`;
  return makeStoreProject(dialect, {
    // On PostgreSQL every environment keeps the shared test database; on SQLite each gets its own file.
    settings:
      dialect === 'sqlite'
        ? { development: own('development'), staging: own('staging'), production: own('production'), qa: own('qa') }
        : {},
    files: {
      'envward.config.ts': DEPLOY_CONFIG,
      ...(order
        ? { 'config/environments/production/settings.yml': order + (dialect === 'sqlite' ? own('production') : '') }
        : {}),
      ...options.files,
    },
  });
}
