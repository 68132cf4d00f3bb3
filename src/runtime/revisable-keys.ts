import type { ResolvedConfig } from '../config/resolve.js';
import { suggestKey } from '../config/suggest.js';
import { ConfigKeyUnknownError } from '../errors.js';
import { RevisionKeyError } from './revision-errors.js';

/** Keys that say where the store is: revisions live in that store, so none of them can move it. */
export const STORE_LOCATION_KEYS: ReadonlySet<string> = new Set([
  'database.url',
  'database.schema',
  'database.tablePrefix',
  'database.fallback',
]);

/** Throws unless runtime revisions may set `key`: declared, not secret, not where the store is. */
export function assertRevisable(resolved: ResolvedConfig<unknown>, key: string): void {
  const leaf = resolved.project.schema.leaves.get(key);
  const environment = resolved.environment.name;
  if (!leaf) throw new ConfigKeyUnknownError(key, `environment ${environment}`, suggestKey(key, resolved.keys));
  if (leaf.secret) throw new RevisionKeyError(key, environment, 'secret');
  if (STORE_LOCATION_KEYS.has(key)) throw new RevisionKeyError(key, environment, 'store-location');
}
