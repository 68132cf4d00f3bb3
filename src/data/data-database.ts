import type { Kysely } from 'kysely';
import type { ValueTransform } from './column-transforms.js';
import type { PlannedTable, TableShape } from './table-plan.js';

/** A column of a planned table with its transform (none for `keep`). */
export interface CopyColumn {
  readonly name: string;
  readonly transform: ValueTransform | undefined;
}

/** A sampled source value with its row's primary key, as text. */
export interface SampledValue {
  readonly key: readonly string[];
  readonly value: string;
}

/** Where a searched value was found in the target. */
export interface FoundValue {
  readonly column: string;
  readonly key: readonly string[];
  readonly value: string;
}

/**
 * One connection to one database for `data` acts, the same contract on
 * PostgreSQL (pg, COPY) and SQLite (better-sqlite3): the dialect lives behind
 * it, the acts do not branch on it. A source is opened read-only and reads
 * one snapshot; a target writes in the transaction its audit log opens.
 */
export interface DataDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  /** A Kysely over this very connection (with the store's plugins), for the audit event in the same transaction. */
  readonly kysely: Kysely<unknown>;
  /** Application tables: every table of this namespace starting with `prefix`, but envward's own and `excluded` prefixes. */
  tables(prefix: string, excluded: readonly string[]): Promise<TableShape[]>;
  /** Names of the applied migrations (`table`: envward_migrations with any prefix); none when never migrated. */
  migrationNames(table: string): Promise<string[]>;
  /** Starts the consistent read every later read of a source sees. */
  snapshot(): Promise<void>;
  /** Ends it. */
  endSnapshot(): Promise<void>;
  /** About how many rows `table` has, for progress (PostgreSQL's planner estimate when it has one: a count reads the table). */
  rowCount(table: string): Promise<number>;
  /** Up to `limit` distinct non-null, non-empty values of `column`, with their rows' keys. */
  sample(table: string, column: string, primaryKey: readonly string[], limit: number): Promise<SampledValue[]>;
  /** The cells of `columns` of `table` whose value (as text) is one of `values`: one scan of the table per chunk of values. */
  search(
    table: string,
    columns: readonly string[],
    primaryKey: readonly string[],
    values: readonly string[],
  ): Promise<FoundValue[]>;
  /** The value (as text) of `column` in the row of `table` with primary key `key`; undefined when there is no such row. */
  valueAt(
    table: string,
    column: string,
    primaryKey: readonly string[],
    key: readonly string[],
  ): Promise<string | null | undefined>;
  /**
   * Inside the write transaction: stops user triggers of `tables` from firing
   * until restoreTriggers; with `foreignKeys`, their foreign keys are checked
   * once at the end rather than row by row (needs the tables to itself).
   */
  suspendTriggers(tables: readonly string[], options: { readonly foreignKeys: boolean }): Promise<void>;
  restoreTriggers(): Promise<void>;
  /**
   * Inside the write transaction: removes every row of `tables` (given
   * parents first); `delete` rather than a faster truncate where a snapshot
   * reader of the same database must not be blocked (sanitise).
   */
  empty(tables: readonly string[], how: 'truncate' | 'delete'): Promise<void>;
  /** Copies `table` from `source` (the same dialect) through `columns`; returns the rows written. */
  copyFrom(
    source: DataDatabase,
    table: PlannedTable,
    columns: readonly CopyColumn[],
    onRows: (rows: number) => void,
  ): Promise<number>;
  /** Sets the target's sequences of `tables` as the source has them, so new rows do not collide with copied ones. */
  copySequences(source: DataDatabase, tables: readonly PlannedTable[]): Promise<void>;
  close(): Promise<void>;
}

/** An SQL identifier in double quotes (SQLite and PostgreSQL both read it so), its own quotes doubled. */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
