/**
 * envward/store: the environment's store (a Kysely database stamped for one
 * environment), its audit log and environment-coded ids. Every name is
 * listed on purpose and documented in docs/api.md; stamp helpers and the
 * internal tables are imported from their modules.
 */
import type { ResolvedConfig } from '../config/resolve.js';
import { driversFor, importPeer } from '../peers.js';
import type { OpenStoreOptions, Store } from './open-store.js';
import { storeSettings } from './store-settings.js';

export type {
  AuditAnchor,
  AuditBreak,
  AuditEvent,
  AuditedWork,
  AuditFilter,
  AuditLog,
  AuditVerification,
  AuditVerifyOptions,
} from './audit-log.js';
export { database } from './database-settings-schema.js';
export type { EnvironmentIds } from './environment-ids.js';
export type { EnvironmentPaths } from './environment-paths.js';
export type { AuditRow } from './internal-tables.js';
export type { OpenStoreOptions, Store } from './open-store.js';
export type { Stamp } from './stamp.js';
export type { Namespace, NamespaceStamp } from './stamp-survey.js';
export {
  BackupError,
  CrossEnvironmentIdError,
  DatabaseBusyError,
  DatabaseIdentityMismatchError,
  DatabaseMissingError,
  DatabaseUnavailableError,
  DatabaseUnstampedError,
  DatabaseUrlError,
  EnvironmentMismatchError,
  type NamespaceOwner,
  ProjectMismatchError,
  SharedDatabaseError,
  StoreLockTimeoutError,
  StoreNameError,
} from './store-errors.js';

/**
 * Opens the environment's store (see open-store.ts). Kysely, the drivers and
 * the plugins load here, on first use, not when envward is imported; without
 * them this is EW_PEER_MISSING with the install line for the URL's driver.
 * @example
 * const config = await resolveConfig();
 * const store = await openStore(config);
 * await store.db.insertInto('transfers').values({ id: store.ids.next('txn'), ... }).execute();
 */
export async function openStore<DB = unknown>(
  resolved: ResolvedConfig<unknown>,
  options: OpenStoreOptions = {},
): Promise<Store<DB>> {
  const { openStoreNow } = await importPeer('envward/store', () => import('./open-store.js'), [
    ...driversFor(storeSettings(resolved).url),
  ]);
  return openStoreNow<DB>(resolved, options);
}
