import type { ResolvedConfig } from '../config/resolve.js';
import { UsageError } from '../errors.js';
import { pgSessionOptions } from '../store/connect.js';
import { type DatabaseTarget, parseDatabaseUrl } from '../store/database-url.js';
import type { Store } from '../store/open-store.js';
import { storeSettings } from '../store/store-settings.js';

/** Where a live config watches for revisions: the store's own database, reached beside its pool. */
export type RevisionWatchTarget =
  | { readonly dialect: 'sqlite'; readonly path: string }
  | {
      readonly dialect: 'postgres';
      readonly target: Extract<DatabaseTarget, { dialect: 'postgres' }>;
      /** pg's `options`: the store's statement timeout and search_path (connect.ts). */
      readonly options: string;
      readonly connectTimeoutMs: number;
    };

/**
 * The database `store` was opened on, from the `database.*` settings of
 * `resolved` as the store read them: `database.url`, or in development the
 * `database.fallback` the store fell back to. Refused when the store is
 * another environment's or another database's (compared by what the store
 * shows, never a password).
 */
export function revisionWatchTarget(
  resolved: ResolvedConfig<unknown>,
  store: Pick<Store, 'dialect' | 'where' | 'environment'>,
): RevisionWatchTarget {
  const { environment, project } = resolved;
  if (store.environment.name !== environment.name) {
    throw new UsageError(
      `openLiveConfig was given ${environment.name}'s configuration and ${store.environment.name}'s store.`,
      `Open the store from the same resolved configuration: openStore(resolved).`,
    );
  }
  const settings = storeSettings(resolved);
  const candidates = [settings.url, ...(settings.fallback !== undefined ? [settings.fallback] : [])];
  for (const url of candidates) {
    const target = parseDatabaseUrl(url, project.root, environment.name);
    if (target.dialect !== store.dialect || target.shown !== store.where) continue;
    if (target.dialect === 'sqlite') return { dialect: 'sqlite', path: target.path };
    return {
      dialect: 'postgres',
      target,
      // Writes nothing: LISTEN is allowed in a read-only session.
      options: pgSessionOptions(settings, true),
      connectTimeoutMs: settings.connectTimeoutMs,
    };
  }
  throw new UsageError(
    `openLiveConfig was given a store on ${store.where}, which ${environment.name}'s database.url does not name.`,
    `Open the store from the same resolved configuration: openStore(resolved).`,
  );
}
