import type { DeployOutcome } from './deploy-outcomes.js';
import type { DeploymentRow } from './deployment-table.js';

/** One deployment record as the API and `deploy list --json` show it. */
export interface DeploymentEntry {
  readonly id: number;
  readonly environment: string;
  readonly version: string;
  /** Lower-case hex; null when none was given. */
  readonly commit: string | null;
  readonly outcome: DeployOutcome;
  readonly actor: string;
  readonly host: string;
  /** ISO-8601. */
  readonly at: string;
  /** null when none was given. */
  readonly reason: string | null;
}

export function entryOf(row: DeploymentRow): DeploymentEntry {
  return Object.freeze({
    id: Number(row.id),
    environment: row.environment,
    version: row.version,
    commit: row.commit,
    outcome: row.outcome as DeployOutcome,
    actor: row.actor,
    host: row.host,
    at: row.at,
    reason: row.reason === '' ? null : row.reason,
  });
}
