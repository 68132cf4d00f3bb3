/**
 * `deploy record`: a CI job says where a version went and how it ended.
 * The record and its `deploy.record` audit event are written in one
 * transaction of the environment's own store, or neither.
 */
import type { Kysely } from 'kysely';
import type { EnvironmentTarget } from '../acts/environment-target.js';
import { resolveForAct } from '../runtime/revision-context.js';
import { openStore } from '../store/index.js';
import type { DeployOutcome } from './deploy-outcomes.js';
import { type DeploymentEntry, entryOf } from './deployment-entry.js';
import { checkedCommit, checkedOutcome, checkedReason, checkedVersion } from './deployment-input.js';
import {
  DEPLOYMENT_TABLE,
  type DeploymentTables,
  ensureDeploymentTable,
  nextDeploymentId,
} from './deployment-table.js';

export interface RecordDeploymentRequest extends EnvironmentTarget {
  /** 1 to 100 printable ASCII characters: `1.4.2`. */
  readonly version: string;
  /** The git commit deployed: 7 to 64 hex digits. */
  readonly commit?: string;
  readonly outcome: DeployOutcome;
  /** One line, at most 500 characters; recorded with the row and in the audit event. */
  readonly reason?: string;
  /** Who records it; default the OS user (a CI job: its own user, or `ci:<pipeline>`). */
  readonly actor?: string;
}

/** See recordDeployment in runtime/index.ts. */
export async function recordDeploymentNow(request: RecordDeploymentRequest): Promise<DeploymentEntry> {
  // Checked before anything is resolved or opened: bad input writes nothing anywhere.
  const version = checkedVersion(request.version);
  const commit = checkedCommit(request.commit);
  const outcome = checkedOutcome(request.outcome);
  const reason = checkedReason(request.reason);
  // No host check: the pipeline records production's deployment from its own runner.
  const { resolved } = await resolveForAct(request, { collectIssues: true });
  const environment = resolved.environment.name;
  const store = await openStore(resolved, request.actor !== undefined ? { actor: request.actor } : {});
  try {
    const { value } = await store.audit.appendWith(async (trx) => {
      const db = trx as unknown as Kysely<DeploymentTables>;
      await ensureDeploymentTable(db);
      const row = {
        id: await nextDeploymentId(db),
        environment,
        version,
        commit,
        outcome,
        actor: store.actor,
        host: store.host,
        at: new Date().toISOString(),
        reason: reason ?? '',
      };
      await db.insertInto(DEPLOYMENT_TABLE).values(row).execute();
      return {
        event: {
          action: 'deploy.record',
          target: `deployment ${row.id}: ${version}${commit ? ` (${commit})` : ''} ${outcome}`,
          ...(reason !== undefined ? { reason } : {}),
          outcome: 'done',
        },
        value: row,
      };
    });
    return entryOf(value);
  } finally {
    await store.close();
  }
}
