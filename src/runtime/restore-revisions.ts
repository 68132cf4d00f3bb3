/**
 * The store part of a restore: an environment's runtime revisions brought
 * to the archive's head in one transaction with its `config.restore` audit
 * event, under the audit log's write lock (so a concurrent `config set`
 * goes before or after, never between the check and the write).
 */
import { type Kysely, sql } from 'kysely';
import type { AuditEvent, Store } from '../store/index.js';
import { appliedFrom, revisionDb } from './applied-revision.js';
import type { ArchivedRevision } from './config-archive.js';
import { REVISION_CHANNEL } from './revision-channel.js';
import { diffStates, type RevisionState, stateText } from './revision-state.js';
import {
  ensureRevisionTable,
  latestRevisionRow,
  REVISION_TABLE,
  type RevisionRow,
  type RevisionTables,
} from './revision-table.js';

/**
 * What became of the revisions: the archive's history `imported` into an
 * empty one (same numbers), one `restored` revision with the archive's
 * head state on top of the store's history, or `already` at that state.
 */
export type RevisionsOutcome = 'imported' | 'restored' | 'already';

export interface RevisionsRestored {
  readonly outcome: RevisionsOutcome;
  /** The environment's latest revision after the restore. */
  readonly revision: number;
  /** Its latest revision before. */
  readonly previous: number;
  /** Revisions written (imported rows, or the one restore revision). */
  readonly written: number;
}

export interface RevisionsPlan {
  readonly environment: string;
  readonly archived: readonly ArchivedRevision[];
  /** Import the archive's rows as they are when the store has none (false: another environment's history). */
  readonly importable: boolean;
  readonly reason: string | undefined;
  /** The audit event's target for an outcome (what was restored from where). */
  readonly describe: (restored: RevisionsRestored) => string;
}

/** Rows per insert statement: well under SQLite's and PostgreSQL's limits on parameters. */
const BATCH = 100;

function rowOf(environment: string, revision: ArchivedRevision): RevisionRow {
  return {
    environment,
    number: revision.number,
    at: revision.at,
    actor: revision.actor,
    host: revision.host,
    action: revision.action,
    reason: revision.reason,
    state: stateText(revision.state),
    changes: JSON.stringify(revision.changes),
  };
}

/** The archive's head state: its last revision's, or revision 0's (nothing set) when it has none. */
export function headState(archived: readonly ArchivedRevision[]): RevisionState {
  return archived.at(-1)?.state ?? {};
}

/** Brings the environment's revisions in `store` to the archive's head, audited in the same transaction. */
export async function restoreRevisions(store: Store, plan: RevisionsPlan): Promise<RevisionsRestored> {
  const { environment, archived } = plan;
  const head = headState(archived);
  const { value } = await store.audit.appendWith(async (trx) => {
    const db = trx as unknown as Kysely<RevisionTables>;
    // Made before the first read: on PostgreSQL a read of a missing table would abort the transaction.
    await ensureRevisionTable(db);
    const latest = appliedFrom(await latestRevisionRow(db, environment));
    let rows: RevisionRow[] = [];
    let outcome: RevisionsOutcome = 'already';
    if (latest.number === 0 && plan.importable && archived.length > 0) {
      rows = archived.map((revision) => rowOf(environment, revision));
      outcome = 'imported';
    } else if (diffStates(latest.state, head).length > 0) {
      outcome = 'restored';
      const number = latest.number + 1;
      rows = [
        rowOf(environment, {
          number,
          at: new Date().toISOString(),
          actor: store.actor,
          host: store.host,
          action: 'restore',
          reason: plan.reason ?? '',
          state: head,
          changes: diffStates(latest.state, head),
        }),
      ];
    }
    if (rows.length > 0) {
      for (let start = 0; start < rows.length; start += BATCH) {
        await db
          .insertInto(REVISION_TABLE)
          .values(rows.slice(start, start + BATCH))
          .execute();
      }
      if (store.dialect === 'postgres') {
        // Running instances apply the new head when this transaction commits.
        const payload = JSON.stringify({ environment, revision: rows.at(-1)?.number });
        await sql`select pg_notify(${REVISION_CHANNEL}, ${payload})`.execute(db);
      }
    }
    const restored: RevisionsRestored = {
      outcome,
      revision: rows.at(-1)?.number ?? latest.number,
      previous: latest.number,
      written: rows.length,
    };
    const event: AuditEvent = {
      action: 'config.restore',
      target: plan.describe(restored),
      ...(plan.reason !== undefined ? { reason: plan.reason } : {}),
      outcome: 'done',
    };
    return { event, value: restored };
  });
  return value;
}

/** The environment's latest revision in `store` now (a restore's plan, before its transaction). */
export async function latestIn(store: Store, environment: string) {
  return appliedFrom(await latestRevisionRow(revisionDb(store), environment));
}
