import { settingsOf } from '../config/capability-settings.js';
import type { ResolvedConfig } from '../config/index.js';
import { database } from './database-settings-schema.js';

/** How a store connects, from the `database.*` settings. */
export interface StoreSettings {
  readonly url: unknown;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** Development only: a sqlite: URL to use when PostgreSQL cannot be reached. */
  readonly fallback: string | undefined;
  /** PostgreSQL schema (search_path) of this environment on a shared server. */
  readonly schema: string | undefined;
  /** A prefix on every table name of this environment on a shared server. */
  readonly tablePrefix: string | undefined;
  /**
   * Environments of the same tier this (protected) environment lets into
   * other namespaces of its database; recorded in its stamp when it opens.
   */
  readonly shareWith: readonly string[];
  /** Backups: how many var/<env>/backups/ keeps, and whether `migrate up` takes one after applying too. */
  readonly backups: { readonly keep: number; readonly afterMigrate: boolean };
}

function names(list: readonly string[]): readonly string[] {
  return [...new Set(list.map((name) => name.trim()))].filter((name) => name !== '').sort();
}

/** The store's settings: the project's validated `database.*` values (the `database` fragment in `use`). */
export function storeSettings(
  resolved: Pick<ResolvedConfig<unknown>, 'values' | 'environment' | 'project'>,
): StoreSettings {
  const settings = settingsOf(resolved, database);
  return {
    url: settings.url,
    poolSize: settings.poolSize,
    connectTimeoutMs: settings.connectTimeoutMs,
    statementTimeoutMs: settings.statementTimeoutMs,
    fallback: settings.fallback,
    schema: settings.schema,
    tablePrefix: settings.tablePrefix,
    shareWith: names(settings.shareWith),
    backups: { keep: settings.backups.keep, afterMigrate: settings.backups.afterMigrate },
  };
}
