/** Every console page, registered in one place. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleSite } from '../site.js';
import { registerAuditPages } from './audit.js';
import { registerConfigPage } from './config-page.js';
import { registerDiffPage } from './diff-page.js';
import { registerFlagsPage } from './flags-page.js';
import { registerJobsPages } from './jobs.js';
import { registerMigrationsPages } from './migrations.js';
import { registerOverview } from './overview.js';
import { registerRequestsPages } from './requests.js';
import { registerRevisionsPage } from './revisions-page.js';
import { registerSecretsPages } from './secrets.js';
import { registerUsersPages } from './users.js';

export function registerPages(app: FastifyInstance, site: ConsoleSite): void {
  registerOverview(app, site);
  registerUsersPages(app, site);
  registerConfigPage(app, site);
  registerDiffPage(app, site);
  registerRevisionsPage(app, site);
  registerFlagsPage(app, site);
  registerSecretsPages(app, site);
  registerMigrationsPages(app, site);
  registerAuditPages(app, site);
  registerJobsPages(app, site);
  registerRequestsPages(app, site);
}
