import type { ResolvedConfig } from '../config/resolve.js';
import { suggestKey } from '../config/suggest.js';
import { ConfigKeyUnknownError, UsageError } from '../errors.js';
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

/** The longest value a revision takes (a settings file is at most 1 MiB; one value far less). */
export const MAX_REVISION_VALUE_BYTES = 64 * 1024;

/** Throws unless `text` can be stored and shown as a value: not too long, no NUL (PostgreSQL's text refuses it). */
export function assertRevisableValue(key: string, text: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_REVISION_VALUE_BYTES) {
    throw new UsageError(
      `the value of ${key} is ${bytes} bytes: a runtime revision takes values up to ${MAX_REVISION_VALUE_BYTES} bytes.`,
      'Keep large values in the settings files.',
    );
  }
  if (text.includes('\0')) {
    throw new UsageError(`the value of ${key} holds a NUL character, which no setting can store.`, 'Remove it.');
  }
}
