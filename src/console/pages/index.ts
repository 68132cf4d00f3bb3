/** Every console page, registered in one place. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleSite } from '../site.js';
import { registerAuditPages } from './audit.js';
import { registerJobsPages } from './jobs.js';
import { registerMigrationsPages } from './migrations.js';
import { registerOverview } from './overview.js';
import { registerSecretsPages } from './secrets.js';

export function registerPages(app: FastifyInstance, site: ConsoleSite): void {
  registerOverview(app, site);
  registerSecretsPages(app, site);
  registerMigrationsPages(app, site);
  registerAuditPages(app, site);
  registerJobsPages(app, site);
}
