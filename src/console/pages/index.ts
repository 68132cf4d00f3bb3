/** Every console page, registered in one place. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleSite } from '../site.js';
import { registerOverview } from './overview.js';
import { registerUsersPages } from './users.js';

export function registerPages(app: FastifyInstance, site: ConsoleSite): void {
  registerOverview(app, site);
  registerUsersPages(app, site);
}
