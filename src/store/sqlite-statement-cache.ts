/**
 * The SQLite handle a store gives Kysely: better-sqlite3's own, except that
 * `prepare` keeps the statements it made. Kysely's SQLite driver prepares
 * every query it runs, and SQLite compiles the whole statement each time,
 * the triggers an insert fires included: for a ledger transfer (a handful of
 * short statements, two of them firing triggers) that was about a tenth of
 * the service's CPU. SQLite re-prepares a kept statement by itself when the
 * schema changes, so one stays valid across migrations.
 */
import type BetterSqlite3 from 'better-sqlite3';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/** How many distinct SQL texts are kept: an application's queries, with room for migrations' one-off ones. */
export const STATEMENTS_KEPT = 256;

/** What Kysely's SqliteDialect calls on the database it is given. */
export interface SqliteDatabaseForKysely {
  prepare(sql: string): Statement;
  close(): void;
}

/**
 * `database` with its prepared statements kept, the least recently used
 * dropped beyond `kept`. A kept statement still busy (a query streamed with
 * `.stream()` that another query runs again while it is being read) is not
 * shared: that query gets a statement of its own.
 */
export function keepPreparedStatements(database: Database, kept = STATEMENTS_KEPT): SqliteDatabaseForKysely {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const statements = new Map<string, Statement>();
  return {
    prepare(sql) {
      const statement = statements.get(sql);
      if (statement !== undefined) {
        if (statement.busy) return database.prepare(sql);
        statements.delete(sql);
        statements.set(sql, statement);
        return statement;
      }
      const made = database.prepare(sql);
      statements.set(sql, made);
      if (statements.size > kept) statements.delete(statements.keys().next().value as string);
      return made;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
