import {
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  sql,
} from 'kysely';
import { ApprovalRequiredError, approvalsNeeded } from '../environment/approval-policy.js';
import { ForceWithoutReasonError } from '../errors.js';
import { failpoint } from '../failpoint.js';
import type { Store } from '../store/index.js';
import { isApprovedFor } from './approved-run.js';
import { type StatementJudge, statementJudge } from './classify.js';
import { appliedMigrations, ensureHistory, MIGRATIONS_TABLE } from './history.js';
import {
  DestructiveMigrationError,
  MigrationChecksumError,
  MigrationFailedError,
  MigrationLoadError,
} from './migrate-errors.js';
import { type MigrationFile, migrationFiles } from './migration-files.js';
import { DEFAULT_WAIT_MS, withMigrationLock } from './migration-lock.js';
import {
  compare,
  firstDestructive,
  history,
  type LoadedMigration,
  load,
  type MigrationStatus,
  type PlannedMigration,
  planOf,
  type Run,
} from './migration-status.js';
import { RunGuardPlugin } from './run-guard.js';

export type ProgressEvent =
  | { readonly type: 'start'; readonly name: string; readonly index: number; readonly total: number }
  | {
      readonly type: 'done';
      readonly name: string;
      readonly index: number;
      readonly total: number;
      readonly ms: number;
    };

export interface MigrateOptions {
  /** Approval of destructive changes in a protected environment; needs a reason; audited. */
  readonly allowDestructive?: { readonly reason: string };
  /** Skip the backup of a protected environment; needs a reason; audited. */
  readonly noBackup?: { readonly reason: string };
  /** Why this run, audited with it (an approval's reason takes its place when given). */
  readonly reason?: string;
  /** How long to wait for another migrator (default 60 s). */
  readonly waitMs?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export { migrationPlan, migrationStatus } from './migration-status.js';
export type { MigrationStatus, PlannedMigration };

export interface UpResult {
  readonly applied: readonly string[];
  readonly backup: string | undefined;
  /** The backup taken after applying (`database.backups.afterMigrate`, protected environments); absent otherwise. */
  readonly backupAfter?: string;
}

function requireReason(approval: { readonly reason: string } | undefined): string | undefined {
  if (!approval) return undefined;
  if (!approval.reason?.trim()) throw new ForceWithoutReasonError();
  return approval.reason.trim();
}

/** The run's own reason, trimmed; undefined when empty. */
function runReason(options: MigrateOptions): string | undefined {
  return options.reason?.trim() || undefined;
}

/** Counts a migration's statements (for error messages) and offers a failpoint after each. */
class StatementCounter implements KyselyPlugin {
  count = 0;
  constructor(private readonly name: string) {}
  transformQuery(args: PluginTransformQueryArgs) {
    this.count++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    failpoint(`migrate:${this.name}:${this.count}`);
    return args.result;
  }
}

async function runOne(
  db: Kysely<unknown>,
  migration: LoadedMigration,
  planned: PlannedMigration,
  direction: 'up' | 'down',
  store: Store,
  judge: StatementJudge | undefined,
) {
  const counter = new StatementCounter(migration.name);
  const guard =
    judge &&
    new RunGuardPlugin(judge, {
      dialect: store.dialect,
      environment: store.environment.name,
      migration: migration.name,
      direction,
      safeReason: migration.safeReason,
    });
  const started = performance.now();
  try {
    await db.transaction().execute(async (trx) => {
      const run = (direction === 'up' ? migration.up : migration.down) as Run;
      const guarded = guard ? trx.withPlugin(guard) : trx;
      await run(guarded.withPlugin(counter));
      // A migration that caught the refusal still fails: its transaction rolls back.
      if (guard?.refusal) throw guard.refusal;
      const record = history(trx);
      if (direction === 'up') {
        await record
          .insertInto(MIGRATIONS_TABLE)
          .values({
            name: migration.name,
            checksum: migration.checksum,
            applied_at: new Date().toISOString(),
            duration_ms: Math.round(performance.now() - started),
            actor: store.actor,
            host: store.host,
            environment: store.environment.name,
          })
          .execute();
      } else {
        await record.deleteFrom(MIGRATIONS_TABLE).where('name', '=', migration.name).execute();
      }
    });
  } catch (error) {
    if (guard?.refusal) throw guard.refusal;
    const statement = planned.statements[Math.max(0, counter.count - 1)]?.sql;
    throw new MigrationFailedError(
      migration.name,
      statement,
      error instanceof Error ? error.message : String(error),
      error,
    );
  }
  failpoint(`migrate:${migration.name}:committed`);
  return Math.round(performance.now() - started);
}

/** The audited refusal of an unapproved destructive run in a protected environment. */
async function refuse(store: Store, error: DestructiveMigrationError, direction: 'up' | 'down'): Promise<never> {
  await store.audit.append({
    action: `migrate.${direction}`,
    target: `${error.details.migration} (${error.code})`,
    outcome: 'refused',
  });
  throw error;
}

/**
 * Before a protected environment is migrated (or after, with
 * `database.backups.afterMigrate`): a backup with its manifest, its path
 * audited as `migrate.backup`; or, with a reason, no backup, audited as such.
 */
async function backupFirst(store: Store, label: string, noBackupReason: string | undefined) {
  if (!store.environment.protected) return undefined;
  if (noBackupReason !== undefined) {
    await store.audit.append({
      action: 'migrate.no-backup',
      target: store.where,
      reason: noBackupReason,
      outcome: 'allowed',
    });
    return undefined;
  }
  const backup = await store.backup(label);
  await store.audit.append({ action: 'migrate.backup', target: backup, outcome: 'done' });
  return backup;
}

/** Runs `migrations` in order, reporting progress; a failure is audited with what ran before it, then thrown. */
async function runAll(
  store: Store,
  db: Kysely<unknown>,
  migrations: readonly LoadedMigration[],
  plans: readonly PlannedMigration[],
  direction: 'up' | 'down',
  options: MigrateOptions,
  reason: string | undefined,
  judge?: StatementJudge,
): Promise<string[]> {
  const done: string[] = [];
  const total = migrations.length;
  // On PostgreSQL the migrations' commits do not wait for the disk. The audit event below, committed
  // normally on another connection, does, and the log is flushed in order, so every migration is
  // durable when this returns; a server crash before that loses whole migrations, never part of one.
  const postgres = store.dialect === 'postgres';
  if (postgres) await sql`set synchronous_commit = off`.execute(db);
  try {
    for (const [index, migration] of migrations.entries()) {
      options.onProgress?.({ type: 'start', name: migration.name, index, total });
      try {
        const ms = await runOne(db, migration, plans[index] as PlannedMigration, direction, store, judge);
        done.push(migration.name);
        options.onProgress?.({ type: 'done', name: migration.name, index, total, ms });
      } catch (error) {
        const refused = error instanceof DestructiveMigrationError;
        await store.audit.append({
          action: `migrate.${direction}`,
          target: [...done, `${migration.name}${refused ? ` (${error.code})` : ''}`].join(', '),
          ...(reason ? { reason } : {}),
          outcome: `${refused ? 'refused' : 'failed'} at ${migration.name}`,
        });
        throw error;
      }
    }
  } finally {
    // A connection broken mid-run is discarded by the pool; its error, not this one, is the news.
    if (postgres) await sql`reset synchronous_commit`.execute(db).catch(() => undefined);
  }
  await store.audit.append({
    action: `migrate.${direction}`,
    target: done.join(', '),
    ...(reason ? { reason } : {}),
    outcome: 'done',
  });
  return done;
}

/**
 * Applies every pending migration, one transaction each, under the store's
 * migration lock: concurrent runs apply each migration once, the others
 * wait and find nothing pending. In a protected environment a destructive
 * statement is refused without an approval, and a backup is taken first.
 * Every run is audited, refusals too.
 */
export async function migrateUp(store: Store, options: MigrateOptions = {}): Promise<UpResult> {
  const allowReason = requireReason(options.allowDestructive);
  const noBackupReason = requireReason(options.noBackup);
  const files = migrationFiles(store.projectRoot, store.environment.name);
  return withMigrationLock(store, options.waitMs ?? DEFAULT_WAIT_MS, async (db) => {
    await ensureHistory(history(db));
    const status = compare(files, await appliedMigrations(history(db)));
    if (status.changed.length > 0 || status.missing.length > 0) {
      throw new MigrationChecksumError(status.changed, status.missing);
    }
    const pending = await Promise.all(files.filter((f) => status.pending.includes(f.name)).map(load));
    if (pending.length === 0) return { applied: [], backup: undefined };
    const plans = await Promise.all(pending.map((migration) => planOf(store, migration, 'up')));
    const { environment } = store;
    const destructive = firstDestructive(plans);
    const required = approvalsNeeded(environment, 'migrations');
    const unapproved = plans.find((plan) => plan.destructive && !isApprovedFor(options, plan.name));
    if (destructive && required > 0 && unapproved) {
      // The policy asks for a change request (docs/requests.md); --allow-destructive alone is not enough.
      await store.audit.append({
        action: 'migrate.up',
        target: `${unapproved.name} (EW_APPROVAL_REQUIRED)`,
        outcome: 'refused',
      });
      throw new ApprovalRequiredError(
        environment.name,
        'migrations',
        required,
        'migrate up with destructive statements',
      );
    }
    if (destructive && environment.protected) {
      if (allowReason === undefined) {
        const { plan, statement } = destructive;
        return refuse(
          store,
          new DestructiveMigrationError(environment.name, plan.name, statement.sql, statement.why ?? '', 'up'),
          'up',
        );
      }
      await store.audit.append({
        action: 'migrate.allow-destructive',
        target: plans
          .filter((p) => p.destructive)
          .map((p) => p.name)
          .join(', '),
        reason: allowReason,
        outcome: 'allowed',
      });
    }
    const backup = await backupFirst(store, 'before-migrate', noBackupReason);
    // Without an approval, a protected environment judges each statement again as it runs (run-guard.ts).
    const judge = environment.protected && allowReason === undefined ? await statementJudge(store.dialect) : undefined;
    const applied = await runAll(store, db, pending, plans, 'up', options, allowReason ?? runReason(options), judge);
    // Asked for (database.backups.afterMigrate): the migrated state too, so a restore need not replay the run.
    const after =
      store.backups.afterMigrate && backup !== undefined
        ? await backupFirst(store, 'after-migrate', undefined)
        : undefined;
    return { applied, backup, ...(after !== undefined ? { backupAfter: after } : {}) };
  });
}

/**
 * Rolls back the last `steps` applied migrations (default 1), newest first.
 * In a protected environment every rollback needs an approval (it undoes
 * what was applied, usually by dropping it), and a backup is taken first.
 */
export async function migrateDown(store: Store, options: MigrateOptions & { steps?: number } = {}): Promise<UpResult> {
  const allowReason = requireReason(options.allowDestructive);
  const noBackupReason = requireReason(options.noBackup);
  const files = migrationFiles(store.projectRoot, store.environment.name);
  return withMigrationLock(store, options.waitMs ?? DEFAULT_WAIT_MS, async (db) => {
    await ensureHistory(history(db));
    const records = await appliedMigrations(history(db));
    const status = compare(files, records);
    if (status.changed.length > 0 || status.missing.length > 0) {
      throw new MigrationChecksumError(status.changed, status.missing);
    }
    const order = new Map(files.map((file) => [file.name, file.order]));
    const last = records
      .sort((a, b) => (order.get(b.name) ?? 0) - (order.get(a.name) ?? 0))
      .slice(0, options.steps ?? 1);
    const targets = await Promise.all(
      last.map((record) => load(files.find((file) => file.name === record.name) as MigrationFile)),
    );
    if (targets.length === 0) return { applied: [], backup: undefined };
    for (const migration of targets) {
      if (!migration.down)
        throw new MigrationLoadError(migration.file, 'exports no `down(db)`, so it cannot be rolled back');
    }
    const plans = await Promise.all(targets.map((migration) => planOf(store, migration, 'down')));
    const { environment } = store;
    if (environment.protected && allowReason === undefined) {
      const first = plans[0] as PlannedMigration;
      const statement = first.statements.find((s) => s.destructive) ?? first.statements[0];
      return refuse(
        store,
        new DestructiveMigrationError(
          environment.name,
          first.name,
          statement?.sql ?? '(no statements)',
          statement?.why ?? 'a rollback',
          'down',
        ),
        'down',
      );
    }
    const backup = await backupFirst(store, 'before-rollback', noBackupReason);
    const rolledBack = await runAll(store, db, targets, plans, 'down', options, allowReason ?? runReason(options));
    return { applied: rolledBack, backup };
  });
}
