import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, type KyselyPlugin, SqliteDialect } from 'kysely';
import { importPeer } from '../peers.js';
import {
  type CopyColumn,
  type DataDatabase,
  type FoundValue,
  quoteIdentifier,
  type SampledValue,
} from './data-database.js';
import type { PlannedTable, TableShape } from './table-plan.js';

// SQLite's default limit of host parameters is 32766; stay far below it.
const SEARCH_CHUNK = 500;

type Value = string | number | bigint | Buffer | null;

/** A value as rules see it: text, with a blob as `\x` and hex (PostgreSQL's bytea text). */
function asText(value: Value): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return String(value);
}

/** Text affinity, or none declared (SQLite then keeps text as text): where names and addresses sit. */
function textual(type: string): boolean {
  const upper = type.toUpperCase();
  return upper === '' || upper.includes('CHAR') || upper.includes('CLOB') || upper.includes('TEXT');
}

/** A SQLite connection for data acts: better-sqlite3, rows streamed with iterate() and inserted in batches. */
class SqliteData implements DataDatabase {
  readonly dialect = 'sqlite' as const;
  readonly database: BetterSqlite3.Database;
  readonly #batchRows: number;
  readonly #plugins: readonly KyselyPlugin[];
  #kysely: Kysely<unknown> | undefined;
  #triggers: { name: string; sql: string }[] = [];

  constructor(database: BetterSqlite3.Database, batchRows: number, plugins: readonly KyselyPlugin[]) {
    this.database = database;
    this.#batchRows = batchRows;
    this.#plugins = plugins;
  }

  get kysely(): Kysely<unknown> {
    this.#kysely ??= new Kysely({
      dialect: new SqliteDialect({ database: this.database }),
      plugins: [...this.#plugins],
    });
    return this.#kysely;
  }

  #all<Row>(text: string, ...values: unknown[]): Row[] {
    return this.database.prepare(text).all(...values) as Row[];
  }

  async tables(prefix: string, excluded: readonly string[]): Promise<TableShape[]> {
    const names = this.#all<{ name: string }>(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' and sql not like 'create virtual%' order by name",
    ).map((row) => row.name);
    const own = names.filter(
      (name) =>
        name.startsWith(prefix) &&
        !name.startsWith(`${prefix}envward_`) &&
        !excluded.some((other) => other !== prefix && other.startsWith(prefix) && name.startsWith(other)),
    );
    return own.map((name) => {
      // hidden: 0 a plain column, 2 and 3 generated ones (computed by SQLite, never written).
      const columns = this.#all<{ name: string; type: string; pk: number; hidden: number }>(
        'select name, type, pk, hidden from pragma_table_xinfo(?)',
        name,
      );
      return {
        name,
        columns: columns
          .filter((column) => column.hidden === 0)
          .map((column) => ({ name: column.name, textual: textual(column.type) })),
        primaryKey: columns
          .filter((column) => column.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((column) => column.name),
        references: [
          ...new Set(
            this.#all<{ table: string }>('select "table" from pragma_foreign_key_list(?)', name).map(
              (row) => row.table,
            ),
          ),
        ],
      };
    });
  }

  async migrationNames(table: string): Promise<string[]> {
    const exists = this.#all("select 1 from sqlite_master where type = 'table' and name = ?", table).length > 0;
    if (!exists) return [];
    return this.#all<{ name: string }>(`select name from ${quoteIdentifier(table)} order by name`).map(
      (row) => row.name,
    );
  }

  async snapshot(): Promise<void> {
    // A read transaction holds its WAL snapshot from its first read on.
    this.database.exec('begin');
    this.database.prepare('select count(*) from sqlite_master').get();
  }

  async endSnapshot(): Promise<void> {
    if (this.database.inTransaction) this.database.exec('commit');
  }

  async rowCount(table: string): Promise<number> {
    const row = this.database.prepare(`select count(*) as n from ${quoteIdentifier(table)}`).get() as { n: number };
    return Number(row.n);
  }

  #keys(primaryKey: readonly string[]): string {
    return primaryKey.map((column, index) => `cast(${quoteIdentifier(column)} as text) as k${index}, `).join('');
  }

  #keyOf(row: Record<string, unknown>, primaryKey: readonly string[]): string[] {
    return primaryKey.map((_, index) => String(row[`k${index}`]));
  }

  async sample(table: string, column: string, primaryKey: readonly string[], limit: number): Promise<SampledValue[]> {
    // Text values only (a number or a blob is not a name), from a bounded read of the first rows.
    const rows = this.#all<Record<string, unknown>>(
      `select * from (select ${this.#keys(primaryKey)}${quoteIdentifier(column)} as v from ${quoteIdentifier(table)}
         where typeof(${quoteIdentifier(column)}) = 'text' and ${quoteIdentifier(column)} <> '' limit ?) group by v limit ?`,
      limit * 10,
      limit,
    );
    return rows.map((row) => ({ key: this.#keyOf(row, primaryKey), value: String(row.v) }));
  }

  async search(
    table: string,
    columns: readonly string[],
    primaryKey: readonly string[],
    values: readonly string[],
  ): Promise<FoundValue[]> {
    if (columns.length === 0) return [];
    const cells = columns.map((column, index) => `cast(${quoteIdentifier(column)} as text) as v${index}`).join(', ');
    const found: FoundValue[] = [];
    for (let at = 0; at < values.length; at += SEARCH_CHUNK) {
      const chunk = values.slice(at, at + SEARCH_CHUNK);
      const wanted = new Set(chunk);
      // One scan for every column of the table (the cost of a search is reading the table); the values
      // as one JSON parameter, so no column count meets SQLite's limit on parameters.
      const any = columns
        .map((column) => `cast(${quoteIdentifier(column)} as text) in (select value from json_each(:values))`)
        .join(' or ');
      const rows = this.#all<Record<string, unknown>>(
        `select ${this.#keys(primaryKey)}${cells} from ${quoteIdentifier(table)} where ${any}`,
        { values: JSON.stringify(chunk) },
      );
      for (const row of rows) {
        columns.forEach((column, index) => {
          const value = row[`v${index}`];
          if (value !== null && value !== undefined && wanted.has(String(value))) {
            found.push({ column, key: this.#keyOf(row, primaryKey), value: String(value) });
          }
        });
      }
    }
    return found;
  }

  async valueAt(
    table: string,
    column: string,
    primaryKey: readonly string[],
    key: readonly string[],
  ): Promise<string | null | undefined> {
    const where = primaryKey.map((name) => `cast(${quoteIdentifier(name)} as text) = ?`).join(' and ');
    const rows = this.#all<{ v: string | null }>(
      `select cast(${quoteIdentifier(column)} as text) as v from ${quoteIdentifier(table)} where ${where}`,
      ...key,
    );
    return rows.length === 0 ? undefined : (rows[0]?.v ?? null);
  }

  async suspendTriggers(tables: readonly string[], _options: { readonly foreignKeys: boolean }): Promise<void> {
    // SQLite cannot disable a trigger: each is dropped inside the transaction and made again from its own SQL.
    const placeholders = tables.map(() => '?').join(', ');
    this.#triggers = this.#all<{ name: string; sql: string }>(
      `select name, sql from sqlite_master where type = 'trigger' and tbl_name in (${placeholders})`,
      ...tables,
    );
    for (const trigger of this.#triggers) this.database.exec(`drop trigger ${quoteIdentifier(trigger.name)}`);
    // Foreign keys are checked at commit, once every table is in.
    this.database.pragma('defer_foreign_keys = on');
  }

  async restoreTriggers(): Promise<void> {
    for (const trigger of this.#triggers) this.database.exec(trigger.sql);
    this.#triggers = [];
    // Foreign keys are deferred to the commit, where a broken one would fail without saying where:
    // checked here, still inside the transaction, so it rolls back as any other copy failure does.
    const broken = this.#all<{ table: string }>('select distinct "table" from pragma_foreign_key_check');
    if (broken.length > 0) {
      throw Object.assign(new Error(`a foreign key of ${broken.map((row) => row.table).join(', ')} points nowhere`), {
        code: 'SQLITE_CONSTRAINT_FOREIGNKEY',
      });
    }
  }

  async empty(tables: readonly string[]): Promise<void> {
    for (const table of [...tables].reverse()) this.database.exec(`delete from ${quoteIdentifier(table)}`);
  }

  async copyFrom(
    source: DataDatabase,
    table: PlannedTable,
    columns: readonly CopyColumn[],
    onRows: (rows: number) => void,
  ): Promise<number> {
    const from = (source as SqliteData).database;
    const list = columns.map((column) => quoteIdentifier(column.name)).join(', ');
    // safeIntegers: a 64-bit amount arrives as a bigint, never rounded through a double.
    const read = from
      .prepare(`select ${list} from ${quoteIdentifier(table.source)}`)
      .raw(true)
      .safeIntegers(true);
    const insert = this.database.prepare(
      `insert into ${quoteIdentifier(table.target)} (${list}) values (${columns.map(() => '?').join(', ')})`,
    );
    const transforms = columns.map((column) => column.transform);
    const rewrites = transforms.some((transform) => transform !== undefined);
    let rows = 0;
    let batch = 0;
    for (const row of read.iterate() as Iterable<Value[]>) {
      if (rewrites) {
        for (let index = 0; index < transforms.length; index++) {
          const transform = transforms[index];
          if (transform) row[index] = transform(asText(row[index] ?? null));
        }
      }
      insert.run(row);
      rows += 1;
      batch += 1;
      if (batch === this.#batchRows) {
        onRows(batch);
        batch = 0;
        // Lets the progress bar draw and a signal arrive between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (batch > 0) onRows(batch);
    return rows;
  }

  async copySequences(source: DataDatabase, tables: readonly PlannedTable[]): Promise<void> {
    const from = (source as SqliteData).database;
    const has = (database: BetterSqlite3.Database) =>
      database.prepare("select 1 from sqlite_master where name = 'sqlite_sequence'").get() !== undefined;
    if (!has(from) || !has(this.database)) return;
    for (const table of tables) {
      const row = from.prepare('select seq from sqlite_sequence where name = ?').safeIntegers(true).get(table.source) as
        | { seq: bigint }
        | undefined;
      this.database.prepare('delete from sqlite_sequence where name = ?').run(table.target);
      if (row)
        this.database.prepare('insert into sqlite_sequence (name, seq) values (?, ?)').run(table.target, row.seq);
    }
  }

  async close(): Promise<void> {
    this.database.close();
  }
}

/** Opens the SQLite file for a data act: read-only for a source; foreign keys on; a busy timeout as the store has. */
export async function openSqliteData(
  path: string,
  readOnly: boolean,
  options: { readonly timeoutMs: number; readonly batchRows: number; readonly plugins: readonly KyselyPlugin[] },
): Promise<DataDatabase> {
  const { default: Database } = await importPeer('envward/data', () => import('better-sqlite3'), ['better-sqlite3']);
  const database = new Database(path, {
    timeout: options.timeoutMs,
    fileMustExist: true,
    ...(readOnly ? { readonly: true } : {}),
  });
  database.pragma('foreign_keys = on');
  return new SqliteData(database, options.batchRows, options.plugins);
}
