import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { isMissingTable } from '../store/internal-tables.js';

/** One row per job, environment and schedule slot: who ran it, when, and how it ended. */
export const JOB_RUN_TABLE = 'envward_job_run';

/** How a run ended, or that it is still running (or its holder died: see `lease_until`). */
export type JobOutcome = 'running' | 'succeeded' | 'failed' | 'gated' | 'abandoned';

/** A slot whose holder died this many times is abandoned, not run again: a handler that kills its process stops there. */
export const MAX_ATTEMPTS = 3;

export interface JobRunRow {
  environment: string;
  job: string;
  /** The scheduled time, ISO-8601 to the second (`2026-12-01T02:00:00Z`), or `manual:<uuid>`. */
  slot: string;
  /** The instance holding (or that last held) the run: host, pid and a random part. */
  instance: string;
  trigger: string;
  actor: string;
  reason: string;
  started_at: string;
  finished_at: string | null;
  outcome: string;
  /** The handler's error, scrubbed of secret values. */
  error: string | null;
  /** ISO-8601: the holder's lease ends here unless its heartbeat extends it; after it, another instance takes over. */
  lease_until: string;
  /** 1, plus one per takeover. */
  attempts: number;
  /** The instance a takeover took the slot from. */
  previous_instance: string | null;
}

export interface JobRunTables {
  [JOB_RUN_TABLE]: JobRunRow;
}

type Db = Kysely<JobRunTables>;

/** The row's key. */
export interface SlotKey {
  readonly environment: string;
  readonly job: string;
  readonly slot: string;
}

/** Made on the first run, as revisions make theirs (the store's table prefix and schema apply). */
export async function ensureJobRunTable(db: Db): Promise<void> {
  // Two instances starting at once may race on CREATE; the loser finds the table made.
  for (let attempt = 0; ; attempt++) {
    try {
      await db.schema
        .createTable(JOB_RUN_TABLE)
        .ifNotExists()
        .addColumn('environment', 'text', (column) => column.notNull())
        .addColumn('job', 'text', (column) => column.notNull())
        .addColumn('slot', 'text', (column) => column.notNull())
        .addColumn('instance', 'text', (column) => column.notNull())
        .addColumn('trigger', 'text', (column) => column.notNull().check(sql`trigger in ('schedule', 'manual')`))
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull())
        .addColumn('started_at', 'text', (column) => column.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('outcome', 'text', (column) =>
          column.notNull().check(sql`outcome in ('running', 'succeeded', 'failed', 'gated', 'abandoned')`),
        )
        .addColumn('error', 'text')
        .addColumn('lease_until', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('previous_instance', 'text')
        .addPrimaryKeyConstraint(`${JOB_RUN_TABLE}_pk`, ['environment', 'job', 'slot'])
        .execute();
      return;
    } catch (error) {
      if (attempt >= 2) throw error;
      await sql`select 1`.execute(db);
    }
  }
}

/** Rows an insert or update changed (both drivers report it; an insert ON CONFLICT DO NOTHING that lost: 0). */
function changed(
  result: { readonly numInsertedOrUpdatedRows?: bigint | undefined } | { readonly numUpdatedRows: bigint },
): number {
  return Number(('numUpdatedRows' in result ? result.numUpdatedRows : result.numInsertedOrUpdatedRows) ?? 0n);
}

/** Inserts the row unless the slot has one: true for the one instance whose insert won. */
export async function claimSlot(db: Db, row: JobRunRow): Promise<boolean> {
  const result = await db
    .insertInto(JOB_RUN_TABLE)
    .values(row)
    .onConflict((conflict) => conflict.columns(['environment', 'job', 'slot']).doNothing())
    .executeTakeFirst();
  return changed(result) > 0;
}

/** A slot taken over from a holder whose lease ran out. */
export interface TakenSlot {
  readonly slot: string;
  readonly attempts: number;
  readonly previousInstance: string;
}

/**
 * The job's scheduled runs whose holder stopped extending its lease: those
 * run too often are abandoned, the rest become this instance's (one UPDATE
 * each, so of several sweeping instances one wins a slot). Manual runs
 * whose holder died are abandoned: nobody asked a service to repeat them.
 */
export async function takeOverExpired(
  db: Db,
  target: { readonly environment: string; readonly job: string; readonly instance: string },
  now: Date,
  leaseUntil: Date,
): Promise<TakenSlot[]> {
  const at = now.toISOString();
  const expired = db
    .updateTable(JOB_RUN_TABLE)
    .where('environment', '=', target.environment)
    .where('job', '=', target.job)
    .where('outcome', '=', 'running')
    .where('lease_until', '<', at);
  await expired
    .where((eb) => eb.or([eb('trigger', '=', 'manual'), eb('attempts', '>=', MAX_ATTEMPTS)]))
    .set({
      outcome: 'abandoned',
      finished_at: at,
      error: sql<string>`'its holder stopped before finishing; not run again (' || instance || ')'`,
    })
    .execute();
  const rows = await expired
    .where('trigger', '=', 'schedule')
    .where('attempts', '<', MAX_ATTEMPTS)
    .set((eb) => ({
      instance: target.instance,
      previous_instance: eb.ref('instance'),
      attempts: eb('attempts', '+', 1),
      started_at: at,
      lease_until: leaseUntil.toISOString(),
    }))
    .returning(['slot', 'attempts', 'previous_instance'])
    .execute();
  return rows.map((row) => ({
    slot: row.slot,
    attempts: Number(row.attempts),
    previousInstance: row.previous_instance ?? '',
  }));
}

function held(db: Db, key: SlotKey, instance: string) {
  return db
    .updateTable(JOB_RUN_TABLE)
    .where('environment', '=', key.environment)
    .where('job', '=', key.job)
    .where('slot', '=', key.slot)
    .where('instance', '=', instance)
    .where('outcome', '=', 'running');
}

/** Extends the lease; false when this instance no longer holds the run (it was taken over). */
export async function extendLease(db: Db, key: SlotKey, instance: string, until: Date): Promise<boolean> {
  return changed(await held(db, key, instance).set({ lease_until: until.toISOString() }).executeTakeFirst()) > 0;
}

/** Records how the run ended; false when this instance no longer held it. */
export async function finishRun(
  db: Db,
  key: SlotKey,
  instance: string,
  end: { readonly outcome: 'succeeded' | 'failed'; readonly error?: string; readonly at: Date },
): Promise<boolean> {
  const result = await held(db, key, instance)
    .set({
      outcome: end.outcome,
      error: end.error ?? null,
      finished_at: end.at.toISOString(),
      lease_until: end.at.toISOString(),
    })
    .executeTakeFirst();
  return changed(result) > 0;
}

/** Ends the lease now, the run left `running`: the next sweep of another instance runs the slot again. */
export async function releaseLease(db: Db, key: SlotKey, instance: string, at: Date): Promise<void> {
  await held(db, key, instance)
    .set({ lease_until: new Date(at.getTime() - 1).toISOString() })
    .execute();
}

export interface HistoryFilter {
  readonly job?: string;
  readonly limit: number;
}

/** The environment's runs, newest first; none when no run was ever recorded (nothing is created). */
export async function jobRunRows(db: Db, environment: string, filter: HistoryFilter): Promise<JobRunRow[]> {
  let query = db.selectFrom(JOB_RUN_TABLE).selectAll().where('environment', '=', environment);
  if (filter.job !== undefined) query = query.where('job', '=', filter.job);
  try {
    const rows = await query.orderBy('started_at', 'desc').orderBy('slot', 'desc').limit(filter.limit).execute();
    return rows.map((row) => ({ ...row, attempts: Number(row.attempts) }));
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
}
