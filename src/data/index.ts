/**
 * envward/data: data between environments. `defineAnonymisation` declares,
 * in envward.config.ts, how every column of every table may leave its
 * environment. Importing it loads zod only. Every name is listed on purpose
 * and documented in docs/api.md.
 */

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
export { DataRuleError } from './data-errors.js';

/*
 * Backups load Kysely and the drivers: they are reached through these
 * wrappers, so that importing envward/data loads zod only.
 */
import type { BackupDatabaseRequest, BackupDatabaseResult } from '../backup/backup-database.js';
import type { RestoreDatabaseRequest, RestoreDatabaseResult } from '../backup/restore-database.js';
import { importPeer } from '../peers.js';

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
