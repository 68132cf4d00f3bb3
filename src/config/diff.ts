import type { ConfigIssue } from '../errors.js';
import { type ConfigEntry, describeSource } from './layer.js';
import { displayValue } from './mask.js';
import type { ResolvedConfig } from './resolve.js';
import { readPath } from './value-path.js';

export type DifferenceKind = 'only-a' | 'only-b' | 'changed' | 'same';

/** One key compared across two environments; secret values never leave as values. */
export interface KeyDifference {
  readonly key: string;
  readonly kind: DifferenceKind;
  readonly secret: boolean;
  readonly a?: { readonly value: unknown; readonly source: string };
  readonly b?: { readonly value: unknown; readonly source: string };
}

export interface ConfigDiff {
  readonly a: string;
  readonly b: string;
  /** Keys set differently (or set in one only); secret keys appear as same or changed, masked. */
  readonly differences: readonly KeyDifference[];
  /**
   * Each side's validation issues (when it was resolved with `collectIssues`).
   * A side with any is invalid: its values are compared as the layers gave
   * them, unvalidated (no transforms, no defaults the schema would add).
   */
  readonly issues: { readonly a: readonly ConfigIssue[]; readonly b: readonly ConfigIssue[] };
}

function side(value: unknown, winner: ConfigEntry | undefined, secret: boolean) {
  return { value: displayValue(value, secret), source: winner ? describeSource(winner.source) : 'unset' };
}

/** Compares two resolved environments key by key, either of them invalid or not. */
export function diffConfigs(a: ResolvedConfig<unknown>, b: ResolvedConfig<unknown>): ConfigDiff {
  const differences: KeyDifference[] = [];
  for (const key of a.keys) {
    const secret = a.isSecret(key);
    const path = key.split('.');
    const valueA = readPath(a.values, path);
    const valueB = readPath(b.values, path);
    const same = JSON.stringify(valueA) === JSON.stringify(valueB);
    if (same && !secret) continue;
    const kind: DifferenceKind = same
      ? 'same'
      : valueA === undefined
        ? 'only-b'
        : valueB === undefined
          ? 'only-a'
          : 'changed';
    differences.push({
      key,
      kind,
      secret,
      ...(valueA !== undefined ? { a: side(valueA, a.explain(key).winner, secret) } : {}),
      ...(valueB !== undefined ? { b: side(valueB, b.explain(key).winner, secret) } : {}),
    });
  }
  return { a: a.environment.name, b: b.environment.name, differences, issues: { a: a.issues, b: b.issues } };
}
