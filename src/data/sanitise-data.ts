import { UsageError } from '../errors.js';
import { openStore, type Store } from '../store/index.js';
import { storeSettings } from '../store/store-settings.js';
import {
  anonymisationRules,
  copyColumns,
  type DataActOptions,
  openDataDatabase,
  otherPrefixes,
  projectOf,
  refreshSettings,
  resolveForData,
  runKeys,
  type TableRows,
} from './data-act-context.js';
import type { DataDatabase } from './data-database.js';
import { SanitiseTargetError } from './data-errors.js';
import type { Verification } from './leak-verification.js';
import { copyInTransaction, describe, failure } from './refresh-data.js';
import { planTables } from './table-plan.js';

export interface SanitiseRequest extends DataActOptions {
  /** The environment whose own database is rewritten in place: test, development or preview only. */
  readonly env: string;
  /** Why: recorded in its audit log; default `sanitise`. */
  readonly reason?: string;
}

export interface SanitiseResult {
  readonly env: string;
  readonly dialect: 'sqlite' | 'postgres';
  readonly tables: readonly TableRows[];
  readonly rows: number;
  readonly seconds: number;
  readonly verification: Verification;
  readonly seeded: boolean;
}

/**
 * Rewrites `env`'s own application tables through the anonymisation rules,
 * in one transaction: every rewritten column changed, `skip` tables emptied,
 * verified as a refresh is, audited as `data.sanitise`. For data that
 * reached a test or development database some other way; refused in
 * protected environments and the staging and production tiers.
 * @example
 * await sanitiseData({ env: 'test', reason: 'fixtures from a support dump' });
 */
export async function sanitiseDataNow(request: SanitiseRequest): Promise<SanitiseResult> {
  const project = await projectOf(request);
  const environment = project.environments.get(request.env, '--env');
  if (environment.protected || environment.tier === 'staging' || environment.tier === 'production') {
    throw new SanitiseTargetError(
      environment.name,
      environment.protected ? 'it is protected' : `it is of the ${environment.tier} tier`,
    );
  }
  const reason = request.reason?.trim() || undefined;
  if (request.reason !== undefined && reason === undefined) {
    throw new UsageError('--reason is empty.', 'Leave it out, or say why: --reason "fixtures from a support dump"');
  }
  const rules = anonymisationRules(project);
  const resolved = await resolveForData(project, environment.name, request);
  const settings = refreshSettings(resolved);
  let store: Store | undefined;
  let snapshot: DataDatabase | undefined;
  let writer: DataDatabase | undefined;
  try {
    store = await openStore(resolved, {
      ...(request.actor !== undefined ? { actor: request.actor } : {}),
      ...(request.force ? { force: request.force } : {}),
    });
    // Two connections to the one database: a snapshot taken before the write reads the rows as they were.
    snapshot = await openDataDatabase(resolved, store, true, settings.batchRows);
    writer = await openDataDatabase(resolved, store, false, settings.batchRows);
    const prefix = storeSettings(resolved).tablePrefix ?? '';
    await snapshot.snapshot();
    const shapes = await snapshot.tables(prefix, otherPrefixes(store));
    const plan = planTables({
      from: environment.name,
      to: environment.name,
      source: shapes,
      target: shapes,
      sourcePrefix: prefix,
      targetPrefix: prefix,
      rules,
    });
    const keys = await runKeys(plan, request.seed);
    const totals = new Map<string, number>();
    for (const table of plan) if (!table.skip) totals.set(table.rule, await snapshot.rowCount(table.source));
    const started = performance.now();
    const auditStore = store;
    const done = await copyInTransaction({
      source: snapshot,
      target: writer,
      plan,
      totals,
      verifySample: settings.verifySample,
      onProgress: request.onProgress,
      copyColumns: (table) => copyColumns(table, keys),
      audit: (tables, verification) => ({
        action: 'data.sanitise',
        target: `${environment.name}: ${describe(tables, verification)}`,
        ...(reason ? { reason } : {}),
        outcome: 'done',
      }),
      failpoint: 'sanitise',
      targetStore: store,
      how: 'delete',
      sequences: false,
    }).catch(async (error: unknown) => {
      await auditStore.audit
        .append({
          action: 'data.sanitise',
          target: `${environment.name}: ${failure(error)}`,
          ...(reason ? { reason } : {}),
          outcome: 'failed',
        })
        .catch(() => {});
      throw error;
    });
    const seconds = (performance.now() - started) / 1_000;
    return {
      env: environment.name,
      dialect: store.dialect,
      tables: done.tables,
      rows: done.tables.reduce((sum, table) => sum + table.rows, 0),
      seconds: Math.round(seconds * 1_000) / 1_000,
      verification: done.verification,
      seeded: request.seed !== undefined,
    };
  } finally {
    await Promise.allSettled([snapshot?.close(), writer?.close(), store?.close()]);
  }
}
