import type { DataDatabase } from './data-database.js';
import type { PlannedTable } from './table-plan.js';

/** What the verification did: how much it looked at, and where source values came through (never the values). */
export interface Verification {
  /** Distinct source values sampled from the rewritten columns. */
  readonly valuesSampled: number;
  /** Target columns searched for them. */
  readonly columnsSearched: number;
  /** `table.column` where a sampled value came through unchanged. */
  readonly leaks: readonly string[];
}

/**
 * Samples up to `sample` values of every rewritten column of `source`, and
 * searches every textual (and every rewritten) column of every copied table
 * of `target` for them. A value found counts as a leak when it came through
 * unchanged: found in a `keep` column, or at a row whose source row (same
 * table and primary key) holds the very same value in that column, or in a
 * table without a primary key. A fake that happens to equal another real
 * value elsewhere is no leak; a kept column holding names is.
 */
export async function verifyNoLeaks(
  source: DataDatabase,
  target: DataDatabase,
  tables: readonly PlannedTable[],
  sample: number,
): Promise<Verification> {
  const values = new Set<string>();
  for (const table of tables) {
    if (table.skip) continue;
    for (const column of table.columns) {
      if (column.rule.kind === 'keep') continue;
      for (const found of await source.sample(table.source, column.name, table.primaryKey, sample)) {
        values.add(found.value);
      }
    }
  }
  const searched = [...values];
  const leaks = new Set<string>();
  let columnsSearched = 0;
  for (const table of tables) {
    if (table.skip) continue;
    const rules = new Map(table.columns.map((column) => [column.name, column.rule.kind]));
    columnsSearched += table.searched.length;
    if (searched.length === 0) continue;
    for (const hit of await target.search(table.target, table.searched, table.primaryKey, searched)) {
      const where = `${table.rule}.${hit.column}`;
      if (leaks.has(where)) continue;
      const kept = (rules.get(hit.column) ?? 'keep') === 'keep';
      const unchanged =
        kept ||
        table.primaryKey.length === 0 ||
        (await source.valueAt(table.source, hit.column, table.primaryKey, hit.key)) === hit.value;
      if (unchanged) leaks.add(where);
    }
  }
  return { valuesSampled: searched.length, columnsSearched, leaks: [...leaks].sort() };
}
