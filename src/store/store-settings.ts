import type { ResolvedConfig } from '../config/index.js';
import { readPath } from '../config/value-path.js';

/** How a store connects: read from the `database.*` keys the project declares, with defaults. */
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
}

function number(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function names(value: unknown): readonly string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return [...new Set(list.filter((name): name is string => typeof name === 'string').map((name) => name.trim()))]
    .filter((name) => name !== '')
    .sort();
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function storeSettings(resolved: Pick<ResolvedConfig<unknown>, 'values'>): StoreSettings {
  const values = resolved.values as Record<string, unknown>;
  const get = (key: string) => readPath(values, ['database', key]);
  return {
    url: get('url'),
    poolSize: number(get('poolSize'), 5),
    connectTimeoutMs: number(get('connectTimeoutMs'), 5_000),
    statementTimeoutMs: number(get('statementTimeoutMs'), 30_000),
    fallback: text(get('fallback')),
    schema: text(get('schema')),
    tablePrefix: text(get('tablePrefix')),
    shareWith: names(get('shareWith')),
  };
}
