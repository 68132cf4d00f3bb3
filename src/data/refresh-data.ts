import type { Kysely } from 'kysely';
import { EnvwardError, UsageError } from '../errors.js';
import { failpoint } from '../failpoint.js';
import { auditLog } from '../store/audit-log.js';
import { sameDatabase } from '../store/database-identity.js';
import { openStore, type Store } from '../store/index.js';
import type { InternalTables } from '../store/internal-tables.js';
import { storeSettings } from '../store/store-settings.js';
import {
  anonymisationRules,
  copyColumns,
  type DataActOptions,
  type DataProgress,
  openDataDatabase,
  otherPrefixes,
  projectOf,
  refreshSettings,
  resolveForData,
  runKeys,
  type TableRows,
} from './data-act-context.js';
import type { DataDatabase } from './data-database.js';
import { RefreshCopyError, RefreshSameDatabaseError, RefreshSchemaError, RefreshTargetError } from './data-errors.js';
import { type Verification, verifyNoLeaks } from './leak-verification.js';
import { preloadFaker } from './seeded-faker.js';
import { type PlannedTable, planTables } from './table-plan.js';

const MIGRATIONS_TABLE = 'envward_migrations';

export interface RefreshRequest extends DataActOptions {
  /** The environment whose data is copied (read only). */
  readonly from: string;
  /** The environment whose application tables are replaced; never of the production tier. */
  readonly to: string;
  /** Why: recorded in both audit logs. Required. */
  readonly reason: string;
}

export interface RefreshResult {
  readonly from: string;
  readonly to: string;
  readonly dialect: 'sqlite' | 'postgres';
  readonly tables: readonly TableRows[];
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly verification: Verification;
  /** Whether fakes were made from a given seed (reproducible) rather than a random one. */
  readonly seeded: boolean;
}

/** The migrations of one side the other lacks, named for the refusal. */
function compareHeads(from: string, to: string, source: readonly string[], target: readonly string[]): void {
  const behind = source.filter((name) => !target.includes(name));
  const ahead = target.filter((name) => !source.includes(name));
  if (behind.length === 0 && ahead.length === 0) return;
  const parts = [
    ...(behind.length > 0 ? [`${to} lacks migration(s) ${behind.join(', ')}`] : []),
    ...(ahead.length > 0 ? [`${from} lacks migration(s) ${ahead.join(', ')}`] : []),
  ];
  throw new RefreshSchemaError(
    from,
    to,
    `the two are at different migration heads (${parts.join('; ')})`,
    `Migrate ${behind.length > 0 ? to : from} first (\`envward migrate up --env ${behind.length > 0 ? to : from}\`), so both have the same migrations.`,
  );
}

async function closeAll(...items: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  await Promise.allSettled(items.map((item) => item?.close()));
}

/**
 * Copies `from`'s application tables into `to` through the anonymisation
 * rules, all or nothing: one transaction on the target (its user triggers
 * held off, its tables emptied, every table copied in foreign-key order,
 * the verification run, the audit event written), committed only when the
 * verification finds no source value come through unchanged. The target
 * keeps its own envward tables (stamp, audit, migrations). Audited as
 * `data.refresh` in both environments, also when it fails.
 * @example
 * const result = await refreshData({ from: 'production', to: 'staging', reason: 'OPS-12 fresh staging data' });
 */
export async function refreshDataNow(request: RefreshRequest): Promise<RefreshResult> {
  const reason = request.reason?.trim();
  if (!reason) {
    throw new UsageError(
      'data refresh needs --reason: it is recorded in both audit logs.',
      'Example: --reason "OPS-12 fresh staging data"',
    );
  }
  const { from, to } = request;
  const project = await projectOf(request);
  const sourceEnvironment = project.environments.get(from, '--from');
  const targetEnvironment = project.environments.get(to, '--to');
  if (targetEnvironment.tier === 'production') throw new RefreshTargetError(to, targetEnvironment.tier);
  if (from === to) throw new RefreshSameDatabaseError(from, to, '');
  const rules = anonymisationRules(project);
  preloadFaker(rules);
  const [sourceConfig, targetConfig] = await Promise.all([
    resolveForData(project, sourceEnvironment.name, request),
    resolveForData(project, targetEnvironment.name, request),
  ]);
  const settings = refreshSettings(sourceConfig);
  const who = {
    ...(request.actor !== undefined ? { actor: request.actor } : {}),
    ...(request.force ? { force: request.force } : {}),
  };
  let sourceStore: Store | undefined;
  let targetStore: Store | undefined;
  let source: DataDatabase | undefined;
  let target: DataDatabase | undefined;
  try {
    // The source is only read; writable for its audit event alone. Its stamp must be its own.
    sourceStore = await openStore(sourceConfig, { ...who, stampMode: 'read', writable: true });
    // Where the target is, before anything is stamped or written there.
    const peek = await openStore(targetConfig, { stampMode: 'inspect' }).catch((error: unknown) => {
      if (error instanceof EnvwardError && error.code === 'EW_DB_MISSING') return undefined;
      throw error;
    });
    if (peek) {
      const same = sameDatabase(sourceStore.identity, peek.identity);
      await peek.close();
      if (same) throw new RefreshSameDatabaseError(from, to, sourceStore.where);
    }
    // The target as `db stamp` would: unstamped is stamped for `to`, another environment's stamp refused.
    targetStore = await openStore(targetConfig, { ...who, stampMode: 'stamp' });
    if (targetStore.dialect !== sourceStore.dialect) {
      throw new RefreshSchemaError(
        from,
        to,
        `${from} is on ${sourceStore.dialect} and ${to} on ${targetStore.dialect}`,
        'Refresh between databases of the same kind.',
      );
    }
    source = await openDataDatabase(sourceConfig, sourceStore, true, settings.batchRows);
    target = await openDataDatabase(targetConfig, targetStore, false, settings.batchRows);
    const sourcePrefix = storeSettings(sourceConfig).tablePrefix ?? '';
    const targetPrefix = storeSettings(targetConfig).tablePrefix ?? '';
    // One snapshot for every read of the source: tables, counts, rows and the verification agree.
    await source.snapshot();
    compareHeads(
      from,
      to,
      await source.migrationNames(`${sourcePrefix}${MIGRATIONS_TABLE}`),
      await target.migrationNames(`${targetPrefix}${MIGRATIONS_TABLE}`),
    );
    const plan = planTables({
      from,
      to,
      source: await source.tables(sourcePrefix, otherPrefixes(sourceStore)),
      target: await target.tables(targetPrefix, otherPrefixes(targetStore)),
      sourcePrefix,
      targetPrefix,
      rules,
    });
    const keys = await runKeys(plan, request.seed);
    const totals = new Map<string, number>();
    for (const table of plan) if (!table.skip) totals.set(table.rule, await source.rowCount(table.source));
    const started = performance.now();
    const copied = await copyInTransaction({
      source,
      target,
      plan,
      totals,
      verifySample: settings.verifySample,
      onProgress: request.onProgress,
      copyColumns: (table) => copyColumns(table, keys),
      audit: (written, verification) => ({
        action: 'data.refresh',
        target: `${from} -> ${to}: ${describe(written, verification)}`,
        reason,
        outcome: 'done',
      }),
      failpoint: 'refresh',
      targetStore,
      how: 'truncate',
      sequences: true,
    }).catch(async (error: unknown) => {
      const failed = {
        action: 'data.refresh',
        target: `${from} -> ${to}: ${failure(error)}`,
        reason,
        outcome: 'failed',
      };
      await targetStore?.audit.append(failed).catch(() => {});
      await sourceStore?.audit.append(failed).catch(() => {});
      throw error;
    });
    await source.endSnapshot();
    await sourceStore.audit.append({
      action: 'data.refresh',
      target: `${from} -> ${to}: ${describe(copied.tables, copied.verification)}`,
      reason,
      outcome: 'done',
    });
    const seconds = (performance.now() - started) / 1_000;
    const rows = copied.tables.reduce((sum, table) => sum + table.rows, 0);
    return {
      from,
      to,
      dialect: sourceStore.dialect,
      tables: copied.tables,
      rows,
      seconds: Math.round(seconds * 1_000) / 1_000,
      rowsPerSecond: seconds > 0 ? Math.round(rows / seconds) : rows,
      verification: copied.verification,
      seeded: request.seed !== undefined,
    };
  } finally {
    await closeAll(source, target, sourceStore, targetStore);
  }
}

/** `customers 10000, accounts 12000 rows; 400 values checked in 9 columns` for the audit log. */
export function describe(tables: readonly TableRows[], verification: Verification): string {
  const counts = tables.map((table) => `${table.table} ${table.skipped ? 'emptied' : table.rows}`).join(', ');
  return `${counts}; verified ${verification.valuesSampled} value(s) in ${verification.columnsSearched} column(s)`;
}

/** A failure for the audit log: its code, never a value (a message may quote a database error with data). */
export function failure(error: unknown): string {
  if (error instanceof EnvwardError) {
    const leaks = (error.details as { leaks?: readonly string[] }).leaks;
    return leaks ? `${error.code} in ${leaks.join(', ')}` : error.code;
  }
  return 'failed (rolled back)';
}

/** What the one transaction of a refresh or sanitise needs. */
export interface TransactionPlan {
  readonly source: DataDatabase;
  readonly target: DataDatabase;
  readonly plan: readonly PlannedTable[];
  readonly totals: ReadonlyMap<string, number>;
  readonly verifySample: number;
  readonly onProgress: ((event: DataProgress) => void) | undefined;
  readonly copyColumns: (table: PlannedTable) => ReturnType<typeof copyColumns>;
  readonly audit: (
    tables: readonly TableRows[],
    verification: Verification,
  ) => { action: string; target: string; reason?: string; outcome: string };
  /** Failpoints `<name>:copied` and `<name>:verified`. */
  readonly failpoint: string;
  readonly targetStore: Store;
  readonly how: 'truncate' | 'delete';
  readonly sequences: boolean;
}

/**
 * The target's write: one transaction, opened by its audit log so the event
 * is in it too (a kill anywhere leaves the target as it was, and a done
 * refresh always has its event). A leak or any error rolls it all back.
 */
export async function copyInTransaction(
  work: TransactionPlan,
): Promise<{ tables: TableRows[]; verification: Verification }> {
  const { source, target, plan, targetStore } = work;
  const log = auditLog(target.kysely as Kysely<InternalTables>, target.dialect, {
    environment: targetStore.environment.name,
    actor: targetStore.actor,
    host: targetStore.host,
  });
  const progress = work.onProgress ?? (() => {});
  const { value } = await log.appendWith(async () => {
    const names = plan.map((table) => table.target);
    await target.suspendTriggers(names, { foreignKeys: work.how === 'truncate' });
    await target.empty(names, work.how);
    const tables: TableRows[] = [];
    for (const table of plan) {
      if (table.skip) {
        tables.push({ table: table.rule, rows: 0, skipped: true });
        continue;
      }
      const totalRows = work.totals.get(table.rule) ?? 0;
      let rows = 0;
      progress({ phase: 'copying', table: table.rule, rows, totalRows });
      const written = await target
        .copyFrom(source, table, work.copyColumns(table), (more) => {
          rows += more;
          progress({ phase: 'copying', table: table.rule, rows, totalRows });
        })
        .catch((error: unknown) => {
          if (error instanceof EnvwardError) throw error;
          const code = (error as { code?: unknown }).code;
          throw new RefreshCopyError(table.rule, targetStore.environment.name, typeof code === 'string' ? code : '', {
            cause: error,
          });
        });
      progress({ phase: 'copied', table: table.rule, rows: written, totalRows });
      tables.push({ table: table.rule, rows: written, skipped: false });
    }
    if (work.sequences) await target.copySequences(source, plan);
    // Triggers back, and keys, indexes and foreign keys made again (checked in one pass each), before the verification.
    await target.restoreTriggers().catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      throw new RefreshCopyError(
        '(keys, indexes and foreign keys)',
        targetStore.environment.name,
        typeof code === 'string' ? code : '',
        {
          cause: error,
        },
      );
    });
    failpoint(`${work.failpoint}:copied`);
    progress({ phase: 'verifying', table: '', rows: 0, totalRows: 0 });
    const verification = await verifyNoLeaks(source, target, plan, work.verifySample);
    progress({ phase: 'verified', table: '', rows: verification.valuesSampled, totalRows: verification.valuesSampled });
    if (verification.leaks.length > 0) {
      const { RefreshLeakError } = await import('./data-errors.js');
      throw new RefreshLeakError(
        targetStore.environment.name,
        verification.leaks,
        work.failpoint === 'refresh' ? 'refresh' : 'sanitise',
      );
    }
    failpoint(`${work.failpoint}:verified`);
    return { event: work.audit(tables, verification), value: { tables, verification } };
  });
  return value;
}
