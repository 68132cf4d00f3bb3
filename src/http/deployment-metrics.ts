import type { Kysely } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import { DEPLOY_OUTCOMES } from '../deploy/deploy-outcomes.js';
import type { DeploymentTables } from '../deploy/deployment-table.js';
import type { Store } from '../store/index.js';

// Loaded at the first scrape: importing envward/fastify loads no Kysely.
const table = () => import('../deploy/deployment-table.js');

/**
 * `envward_deployments_total{outcome}` (the registry's default label adds
 * `environment`): the environment's deployment records per outcome, counted
 * in its store when scraped (one grouped query; nothing per request). No
 * table yet, or a failed read: no series; a scrape never creates the table
 * and never fails on the database.
 */
export function registerDeploymentMetrics(registry: Registry, store: Pick<Store, 'db' | 'environment'>): void {
  const db = store.db as unknown as Kysely<DeploymentTables>;
  const environment = store.environment.name;
  new Counter({
    name: 'envward_deployments_total',
    help: "Deployments recorded in this environment's store (envward deploy record), by outcome; read when scraped.",
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      const counts = await table()
        .then(({ outcomeCounts }) => outcomeCounts(db, environment))
        .catch(() => undefined);
      this.reset();
      if (!counts) return;
      for (const outcome of DEPLOY_OUTCOMES) this.labels(outcome).inc(counts.get(outcome) ?? 0);
    },
  });
}
