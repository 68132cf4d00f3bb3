import { z } from 'zod';
import { defineSettings, type SettingsFragment } from '../config/settings-fragment.js';
import { DataRuleError } from './data-errors.js';

/** What a custom rule is given besides the value: where it is, and the refresh's keyed hash. */
export interface ColumnRuleContext {
  readonly table: string;
  readonly column: string;
  /** HMAC-SHA256 of `text` under this run's salt, hex: the same input gives the same output within one run only. */
  hash(text: string): string;
}

/** A custom rule: the source value as text (null for NULL) in, the value to write out. */
export type ColumnRuleFunction = (value: string | null, context: ColumnRuleContext) => string | null;

/**
 * How one column's values travel to another environment:
 * - `keep`: as they are (ids, amounts, times);
 * - `null`: NULL;
 * - `hash`: HMAC-SHA256 under a salt made for each run (equal values stay equal, so joins hold; nothing links two runs);
 * - `hash.email`: the same hash as `<hex>@anonymised.invalid`, for columns that must hold an address;
 * - `mask`: every character but the last four replaced by `*` (all of them when four or fewer);
 * - `fake.<module>.<method>`: a value from @faker-js/faker (`fake.person.fullName`, `fake.internet.email`),
 *   seeded by the source value and the run's seed, so one source value gets one fake in every table;
 * - a function: your own (value as text in, text or null out).
 */
export type ColumnRule =
  | 'keep'
  | 'null'
  | 'hash'
  | 'hash.email'
  | 'mask'
  | `fake.${string}.${string}`
  | ColumnRuleFunction;

/** Every column of a table with its rule, or `skip`: the table arrives empty. */
export type TableRule = Readonly<Record<string, ColumnRule>> | 'skip';

/** Rules by table name (as the application names it, without a table prefix). */
export type AnonymisationRules = Readonly<Record<string, TableRule>>;

/** A rule checked: its kind, and for `fake` the faker path, for a function the function. */
export type CheckedColumnRule =
  | { readonly kind: 'keep' | 'null' | 'hash' | 'hash.email' | 'mask' }
  | { readonly kind: 'fake'; readonly path: readonly [string, string] }
  | { readonly kind: 'custom'; readonly run: ColumnRuleFunction };

export type CheckedTableRule =
  | { readonly skip: true }
  | { readonly skip: false; readonly columns: ReadonlyMap<string, CheckedColumnRule> };

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const FAKE = /^fake\.([a-z][A-Za-z]{0,40})\.([a-z][A-Za-z]{0,60})$/;
const PLAIN = new Set(['keep', 'null', 'hash', 'hash.email', 'mask']);

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
}

function checkedColumn(table: string, column: string, rule: unknown): CheckedColumnRule {
  if (typeof rule === 'function') return { kind: 'custom', run: rule as ColumnRuleFunction };
  if (typeof rule === 'string' && PLAIN.has(rule)) return { kind: rule as 'keep' };
  const fake = typeof rule === 'string' ? FAKE.exec(rule) : null;
  if (fake) return { kind: 'fake', path: [fake[1] as string, fake[2] as string] };
  throw new DataRuleError(
    `${table}.${column}`,
    `its rule ${shown(rule)} is not one of keep, null, hash, hash.email, mask, fake.<module>.<method> or a function`,
  );
}

/** Checks the rules' shape (names, rule words); whether a faker method exists is checked when faker loads. */
export function checkRules(rules: unknown): ReadonlyMap<string, CheckedTableRule> {
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    throw new DataRuleError('(all)', 'defineAnonymisation takes an object of table rules by table name');
  }
  const tables = new Map<string, CheckedTableRule>();
  for (const [table, rule] of Object.entries(rules)) {
    if (!NAME.test(table)) throw new DataRuleError(shown(table), 'a table name is letters, digits and _');
    if (rule === 'skip') {
      tables.set(table, { skip: true });
      continue;
    }
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
      throw new DataRuleError(table, "a table's rule is an object of column rules, or 'skip'");
    }
    const columns = new Map<string, CheckedColumnRule>();
    for (const [column, columnRule] of Object.entries(rule)) {
      if (!NAME.test(column))
        throw new DataRuleError(`${table}.${shown(column)}`, 'a column name is letters, digits and _');
      columns.set(column, checkedColumn(table, column, columnRule));
    }
    tables.set(table, { skip: false, columns });
  }
  return tables;
}

const NO_DEFAULTS = Object.freeze({ development: {}, test: {}, staging: {}, production: {} });

/** The `data` settings fragment, carrying the table rules it was made from. */
export type AnonymisationFragment = SettingsFragment<'data', ReturnType<typeof dataSchema>> & {
  readonly anonymisation: ReadonlyMap<string, CheckedTableRule>;
};

function dataSchema() {
  return z.object({
    refresh: z
      .object({
        /** How many source values of each non-`keep` column are searched for in the target after a refresh. */
        verifySample: z.number().int().min(1).max(100_000).default(200),
        /** Rows per batch where rows are written in batches (SQLite). */
        batchRows: z.number().int().min(1).max(1_000_000).default(5_000),
      })
      .prefault({}),
  });
}

/**
 * Declares how each table's data may leave its environment (`data refresh`,
 * `data sanitise`): every column of every table gets a rule, and a column
 * without one is refused, so a column added later never leaks. Put the
 * result in `use` of envward.config.ts; its settings are `data.refresh.*`.
 * @example
 * const data = defineAnonymisation({
 *   customers: { id: 'keep', name: 'fake.person.fullName', email: 'hash.email', created_at: 'keep' },
 *   idempotency_records: 'skip',
 * });
 * export default defineConfig({ use: [database, data], schema });
 */
export function defineAnonymisation<const Rules extends AnonymisationRules>(rules: Rules): AnonymisationFragment {
  const anonymisation = checkRules(rules);
  const settings = defineSettings({
    key: 'data',
    capability: 'envward/data',
    tierDefaults: NO_DEFAULTS,
    schema: dataSchema,
  });
  return Object.freeze(
    Object.defineProperties(
      {},
      {
        ...Object.getOwnPropertyDescriptors(settings),
        anonymisation: { value: anonymisation, enumerable: true },
      },
    ),
  ) as AnonymisationFragment;
}
