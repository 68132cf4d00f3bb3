/**
 * envward/data: data between environments. `defineAnonymisation` declares,
 * in envward.config.ts, how every column of every table may leave its
 * environment; `refreshData` and `sanitiseData` apply it; `backupDatabase`
 * and `restoreDatabase` keep an environment's own data. Importing it loads
 * zod only: the acts, Kysely, the drivers, faker and the COPY and CSV
 * packages load on first use. Every name is listed on purpose and documented
 * in docs/api.md.
 */
import type { BackupDatabaseRequest, BackupDatabaseResult } from '../backup/backup-database.js';
import type { RestoreDatabaseRequest, RestoreDatabaseResult } from '../backup/restore-database.js';
import { importPeer } from '../peers.js';
import type { RefreshRequest, RefreshResult } from './refresh-data.js';
import type { SanitiseRequest, SanitiseResult } from './sanitise-data.js';

export type { BackupDatabaseRequest, BackupDatabaseResult } from '../backup/backup-database.js';
export {
  BackupExistsError,
  BackupInvalidError,
  RestoreDialectError,
  RestoreFailedError,
  RestoreNewerError,
  RestoreOtherEnvironmentError,
  RestoreProjectError,
  RestoreSharedError,
} from '../backup/backup-errors.js';
export type { BackupManifest } from '../backup/manifest.js';
export type { RestoreDatabaseRequest, RestoreDatabaseResult } from '../backup/restore-database.js';
export { PgClientMissingError } from '../store/store-errors.js';
export {
  type AnonymisationFragment,
  type AnonymisationRules,
  type ColumnRule,
  type ColumnRuleContext,
  type ColumnRuleFunction,
  defineAnonymisation,
  type TableRule,
} from './anonymisation-rules.js';
export type { DataActOptions, DataProgress, TableRows } from './data-act-context.js';
export {
  DataRuleError,
  RefreshCopyError,
  RefreshLeakError,
  RefreshSameDatabaseError,
  RefreshSchemaError,
  RefreshTargetError,
  RefreshUnruledError,
  SanitiseTargetError,
} from './data-errors.js';
export type { Verification } from './leak-verification.js';
export type { RefreshRequest, RefreshResult } from './refresh-data.js';
export type { SanitiseRequest, SanitiseResult } from './sanitise-data.js';

/**
 * Copies `from`'s application tables into `to` through the anonymisation
 * rules, in one transaction on the target, verified before it commits, and
 * audited in both environments as `data.refresh` (docs/data.md).
 * @example
 * const result = await refreshData({ from: 'production', to: 'staging', reason: 'OPS-12 fresh staging data' });
 * result.verification.leaks; // [] (a leak throws EW_REFRESH_LEAK and nothing is written)
 */
export async function refreshData(request: RefreshRequest): Promise<RefreshResult> {
  const { refreshDataNow } = await importPeer('envward/data', () => import('./refresh-data.js'));
  return refreshDataNow(request);
}

/**
 * Rewrites a test, development or preview environment's own tables through
 * the same rules, in one transaction, verified and audited as `data.sanitise`.
 * @example
 * await sanitiseData({ env: 'test', reason: 'fixtures from a support dump' });
 */
export async function sanitiseData(request: SanitiseRequest): Promise<SanitiseResult> {
  const { sanitiseDataNow } = await importPeer('envward/data', () => import('./sanitise-data.js'));
  return sanitiseDataNow(request);
}

/**
 * Backs up an environment's database with its manifest (docs/backup.md); audited as `db.backup`.
 * @example
 * const { file, manifest } = await backupDatabase({ env: 'production' });
 */
export async function backupDatabase(request: BackupDatabaseRequest): Promise<BackupDatabaseResult> {
  return (await importPeer('envward/data', () => import('../backup/backup-database.js'))).backupDatabase(request);
}

/**
 * Restores a backup of an environment into its database, after checking it is that environment's,
 * intact and not newer than the code (docs/backup.md); audited as `db.restore`.
 * @example
 * await restoreDatabase({ env: 'staging', file: 'var/staging/backups/x-manual.db', reason: 'INC-42' });
 */
export async function restoreDatabase(request: RestoreDatabaseRequest): Promise<RestoreDatabaseResult> {
  return (await importPeer('envward/data', () => import('../backup/restore-database.js'))).restoreDatabase(request);
}
