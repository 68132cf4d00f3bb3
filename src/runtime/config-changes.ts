import { isDeepStrictEqual } from 'node:util';
import { displayValue } from '../config/mask.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { readPath } from '../config/value-path.js';

/** One key whose value differs between two snapshots, as it may be shown (secrets masked). */
export interface ConfigValueChange {
  readonly key: string;
  readonly from: unknown;
  readonly to: unknown;
}

/**
 * Every key whose validated value differs from `before` to `after`, in
 * schema order, values masked as every output masks them: a secret key's
 * value is MASK, a URL's password `***`. Revisions never set secrets, but
 * resolving again reads the secret files again, so a secret may change too.
 */
export function changedValues(
  before: ResolvedConfig<unknown>,
  after: ResolvedConfig<unknown>,
): readonly ConfigValueChange[] {
  const changes: ConfigValueChange[] = [];
  for (const leaf of after.project.schema.leaves.values()) {
    const from = readPath(before.values, leaf.path);
    const to = readPath(after.values, leaf.path);
    if (isDeepStrictEqual(from, to)) continue;
    const secret = after.isSecret(leaf.key) || before.isSecret(leaf.key);
    changes.push(Object.freeze({ key: leaf.key, from: displayValue(from, secret), to: displayValue(to, secret) }));
  }
  return Object.freeze(changes);
}
