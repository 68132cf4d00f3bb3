import type { CheckedColumnRule, CheckedTableRule } from './anonymisation-rules.js';
import { RefreshSchemaError, RefreshUnruledError } from './data-errors.js';

/** A column as a database has it. */
export interface ColumnShape {
  readonly name: string;
  /** Holds text (where a leaked name or address could sit): searched by the verification. */
  readonly textual: boolean;
}

/** An application table as a database has it (its name with any table prefix). */
export interface TableShape {
  readonly name: string;
  /** Columns the copy writes, in table order (generated columns left out: the database computes them). */
  readonly columns: readonly ColumnShape[];
  /** Primary-key columns, in key order; empty when there is none. */
  readonly primaryKey: readonly string[];
  /** Tables (database names) its foreign keys point at. */
  readonly references: readonly string[];
}

export interface PlannedColumn {
  readonly name: string;
  readonly rule: CheckedColumnRule;
}

/** One table to copy (or, for `skip`, to empty), in foreign-key order. */
export interface PlannedTable {
  /** The name rules use, without a table prefix. */
  readonly rule: string;
  readonly source: string;
  readonly target: string;
  readonly skip: boolean;
  readonly columns: readonly PlannedColumn[];
  readonly primaryKey: readonly string[];
  /** Target columns the verification searches: the textual ones and every rewritten one. */
  readonly searched: readonly string[];
}

/** How rules and tables of both sides line up; every mismatch is refused before anything is written. */
export interface PlanInput {
  readonly from: string;
  readonly to: string;
  readonly source: readonly TableShape[];
  readonly target: readonly TableShape[];
  readonly sourcePrefix: string;
  readonly targetPrefix: string;
  readonly rules: ReadonlyMap<string, CheckedTableRule>;
}

/** Parents before children, so foreign keys hold as rows arrive; a cycle keeps its name order. */
function foreignKeyOrder(tables: readonly TableShape[]): TableShape[] {
  const byName = new Map(tables.map((table) => [table.name, table]));
  const ordered: TableShape[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: TableShape) => {
    if (state.has(table.name)) return;
    state.set(table.name, 'visiting');
    for (const parent of table.references) {
      const found = byName.get(parent);
      if (found && parent !== table.name) visit(found);
    }
    state.set(table.name, 'done');
    ordered.push(table);
  };
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(table);
  return ordered;
}

/**
 * The copy plan: every source table with its rule, in foreign-key order.
 * Refused (nothing written yet): a table or column without a rule, a rule
 * for a table or column the source does not have (a typo would otherwise
 * leave a column unruled), and a target without a table or column the
 * source has.
 */
export function planTables(input: PlanInput): PlannedTable[] {
  const unruled: string[] = [];
  const unknown: string[] = [];
  const planned: PlannedTable[] = [];
  const targets = new Map(input.target.map((table) => [table.name, table]));
  const seen = new Set<string>();
  const missing: string[] = [];
  for (const table of foreignKeyOrder(input.source)) {
    const name = table.name.slice(input.sourcePrefix.length);
    seen.add(name);
    const rule = input.rules.get(name);
    if (!rule) {
      unruled.push(name);
      continue;
    }
    const target = targets.get(`${input.targetPrefix}${name}`);
    if (!target) missing.push(name);
    const columns: PlannedColumn[] = [];
    if (!rule.skip) {
      const have = new Set(table.columns.map((column) => column.name));
      for (const column of table.columns) {
        const columnRule = rule.columns.get(column.name);
        if (columnRule) columns.push({ name: column.name, rule: columnRule });
        else unruled.push(`${name}.${column.name}`);
      }
      for (const ruled of rule.columns.keys()) if (!have.has(ruled)) unknown.push(`${name}.${ruled}`);
      const targetColumns = new Set(target?.columns.map((column) => column.name));
      if (target)
        for (const column of columns) if (!targetColumns.has(column.name)) missing.push(`${name}.${column.name}`);
    }
    const rewritten = new Set(columns.filter((column) => column.rule.kind !== 'keep').map((column) => column.name));
    planned.push({
      rule: name,
      source: table.name,
      target: `${input.targetPrefix}${name}`,
      skip: rule.skip,
      columns,
      primaryKey: table.primaryKey,
      searched: rule.skip
        ? []
        : (target?.columns ?? [])
            .filter((column) => column.textual || rewritten.has(column.name))
            .map((column) => column.name),
    });
  }
  for (const name of input.rules.keys()) if (!seen.has(name)) unknown.push(name);
  if (unruled.length > 0 || unknown.length > 0) throw new RefreshUnruledError(input.from, unruled, unknown);
  const extra = input.target
    .map((table) => table.name.slice(input.targetPrefix.length))
    .filter((name) => !seen.has(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new RefreshSchemaError(
      input.from,
      input.to,
      [
        ...(missing.length > 0 ? [`${input.to} lacks ${missing.join(', ')}`] : []),
        ...(extra.length > 0 ? [`${input.to} has tables ${input.from} has not: ${extra.join(', ')}`] : []),
      ].join('; '),
      `Migrate both to the same schema (\`envward migrate status --env ${input.to}\`), then refresh again.`,
    );
  }
  return planned;
}
