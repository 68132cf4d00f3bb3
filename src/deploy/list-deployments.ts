/**
 * `deploy list`: an environment's deployment records, newest first. Reads
 * only: the store is opened read-only, and a database or table that does
 * not exist yet means no records (nothing is created).
 */
import type { Kysely } from 'kysely';
import type { EnvironmentTarget } from '../acts/environment-target.js';
import { isEnvwardError } from '../errors.js';
import { resolveForAct } from '../runtime/revision-context.js';
import { openStore } from '../store/index.js';
import { type DeploymentEntry, entryOf } from './deployment-entry.js';
import { checkedLimit } from './deployment-input.js';
import { type DeploymentTables, deploymentRows } from './deployment-table.js';

export interface ListDeploymentsRequest extends EnvironmentTarget {
  /** At most this many records, newest first (default 50, at most 1000). */
  readonly limit?: number;
}

export interface DeploymentList {
  readonly environment: string;
  readonly deployments: readonly DeploymentEntry[];
}

/** See listDeployments in runtime/index.ts. */
export async function listDeploymentsNow(request: ListDeploymentsRequest): Promise<DeploymentList> {
  const limit = checkedLimit(request.limit);
  const { resolved } = await resolveForAct(request, { collectIssues: false });
  const environment = resolved.environment.name;
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(resolved, { stampMode: 'read' });
  } catch (error) {
    if (isEnvwardError(error) && error.code === 'EW_DB_MISSING') return { environment, deployments: [] };
    throw error;
  }
  try {
    const rows = await deploymentRows(store.db as unknown as Kysely<DeploymentTables>, environment, limit);
    return { environment, deployments: rows.map(entryOf) };
  } finally {
    await store.close();
  }
}
