import { randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, type KyselyPlugin, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { importPeer } from '../peers.js';
import { pgSessionOptions } from '../store/connect.js';
import type { StoreSettings } from '../store/store-settings.js';
import { coalesce, rowCounter } from './copy-streams.js';
import {
  type CopyColumn,
  type DataDatabase,
  type FoundValue,
  quoteIdentifier,
  type SampledValue,
} from './data-database.js';
import { SuspendedConstraints } from './postgres-constraints.js';
import type { PlannedTable, TableShape } from './table-plan.js';

const SEARCH_CHUNK = 1_000;

async function loadPeers() {
  return importPeer(
    'envward/data',
    () =>
      Promise.all([import('pg'), import('pg-copy-streams'), import('csv-parse'), import('csv-stringify')]).then(
        ([pgModule, copy, parse, stringify]) => ({
          pg: pgModule.default,
          copyTo: copy.default.to,
          copyFrom: copy.default.from,
          parse: parse.parse,
          stringify: stringify.stringify,
        }),
      ),
    ['pg', 'pg-copy-streams', 'csv-parse', 'csv-stringify'],
  );
}

type Peers = Awaited<ReturnType<typeof loadPeers>>;

/** A PostgreSQL connection for data acts: one pg client, COPY through pg-copy-streams. */
class PostgresData implements DataDatabase {
  readonly dialect = 'postgres' as const;
  readonly client: pg.Client;
  readonly peers: Peers;
  readonly schema: string;
  readonly #plugins: readonly KyselyPlugin[];
  #kysely: Kysely<unknown> | undefined;
  #suspended: SuspendedConstraints | undefined;

  constructor(client: pg.Client, peers: Peers, schema: string, plugins: readonly KyselyPlugin[]) {
    this.client = client;
    this.peers = peers;
    this.schema = schema;
    this.#plugins = plugins;
  }

  get kysely(): Kysely<unknown> {
    // A pool of this one client: Kysely's transaction and our COPY run on the same session.
    const client = Object.assign(this.client, { release() {} });
    this.#kysely ??= new Kysely({
      dialect: new PostgresDialect({ pool: { connect: async () => client, end: async () => {} } }),
      plugins: [...this.#plugins],
    });
    return this.#kysely;
  }

  #name(table: string): string {
    return `${quoteIdentifier(this.schema)}.${quoteIdentifier(table)}`;
  }

  async #rows<Row>(text: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.client.query(text, values)).rows as Row[];
  }

  async tables(prefix: string, excluded: readonly string[]): Promise<TableShape[]> {
    const found = await this.#rows<{ oid: number; name: string }>(
      `select c.oid::int as oid, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition`,
    );
    const own = found.filter(
      ({ name }) =>
        name.startsWith(prefix) &&
        !name.startsWith(`${prefix}envward_`) &&
        !excluded.some((other) => other !== prefix && other.startsWith(prefix) && name.startsWith(other)),
    );
    const oids = own.map((table) => table.oid);
    const columns = await this.#rows<{ oid: number; name: string; textual: boolean }>(
      `select a.attrelid::int as oid, a.attname as name, t.typcategory = 'S' as textual
       from pg_attribute a join pg_type t on t.oid = a.atttypid
       where a.attrelid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
       order by a.attrelid, a.attnum`,
      [oids],
    );
    const keys = await this.#rows<{ oid: number; name: string }>(
      `select i.indrelid::int as oid, a.attname as name
       from pg_index i cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
       where i.indisprimary and i.indrelid = any($1::oid[]) order by i.indrelid, k.ord`,
      [oids],
    );
    const references = await this.#rows<{ oid: number; parent: string }>(
      `select c.conrelid::int as oid, r.relname as parent from pg_constraint c join pg_class r on r.oid = c.confrelid
       where c.contype = 'f' and c.conrelid = any($1::oid[])`,
      [oids],
    );
    return own.map(({ oid, name }) => ({
      name,
      columns: columns.filter((row) => row.oid === oid).map((row) => ({ name: row.name, textual: row.textual })),
      primaryKey: keys.filter((row) => row.oid === oid).map((row) => row.name),
      references: references.filter((row) => row.oid === oid).map((row) => row.parent),
    }));
  }

  async migrationNames(table: string): Promise<string[]> {
    const exists = await this.#rows<{ found: boolean }>('select to_regclass($1) is not null as found', [
      this.#name(table),
    ]);
    if (!exists[0]?.found) return [];
    return (await this.#rows<{ name: string }>(`select name from ${this.#name(table)} order by name`)).map(
      (row) => row.name,
    );
  }

  async snapshot(): Promise<void> {
    await this.client.query('begin isolation level repeatable read read only');
  }

  async endSnapshot(): Promise<void> {
    await this.client.query('commit');
  }

  async rowCount(table: string): Promise<number> {
    // The planner's estimate (kept by ANALYZE and autovacuum) is enough for a progress bar; a table
    // never analyzed (-1) is counted. Counting a million rows costs half a second before the copy starts.
    const [estimate] = await this.#rows<{ n: string }>(
      'select c.reltuples::bigint as n from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = $1 and c.relname = $2',
      [this.schema, table],
    );
    if (estimate && Number(estimate.n) >= 0) return Number(estimate.n);
    const [row] = await this.#rows<{ n: string }>(`select count(*) as n from ${this.#name(table)}`);
    return Number(row?.n ?? 0);
  }

  #keys(primaryKey: readonly string[]): string {
    return primaryKey.map((column, index) => `${quoteIdentifier(column)}::text as k${index}`).join(', ');
  }

  #keyOf(row: Record<string, string>, primaryKey: readonly string[]): string[] {
    return primaryKey.map((_, index) => row[`k${index}`] as string);
  }

  async sample(table: string, column: string, primaryKey: readonly string[], limit: number): Promise<SampledValue[]> {
    const keys = this.#keys(primaryKey);
    // A bounded read (the first rows), not a scan of the whole table: a sample, distinct by value.
    const rows = await this.#rows<Record<string, string>>(
      `select distinct on (v) * from (select ${keys}${keys ? ', ' : ''}${quoteIdentifier(column)}::text as v
         from ${this.#name(table)} where ${quoteIdentifier(column)} is not null limit $2) s
       where v <> '' order by v limit $1`,
      [limit, limit * 10],
    );
    return rows.map((row) => ({ key: this.#keyOf(row, primaryKey), value: row.v as string }));
  }

  async search(
    table: string,
    columns: readonly string[],
    primaryKey: readonly string[],
    values: readonly string[],
  ): Promise<FoundValue[]> {
    if (columns.length === 0) return [];
    const keys = this.#keys(primaryKey);
    const cells = columns.map((column, index) => `${quoteIdentifier(column)}::text as v${index}`).join(', ');
    const any = columns.map((column) => `${quoteIdentifier(column)}::text = any($1::text[])`).join(' or ');
    const found: FoundValue[] = [];
    for (let at = 0; at < values.length; at += SEARCH_CHUNK) {
      const chunk = values.slice(at, at + SEARCH_CHUNK);
      const wanted = new Set(chunk);
      // One scan for every column of the table: the cost of a search is reading the table.
      const rows = await this.#rows<Record<string, string | null>>(
        `select ${keys}${keys ? ', ' : ''}${cells} from ${this.#name(table)} where ${any}`,
        [chunk],
      );
      for (const row of rows) {
        columns.forEach((column, index) => {
          const value = row[`v${index}`];
          if (typeof value === 'string' && wanted.has(value)) {
            found.push({ column, key: this.#keyOf(row as Record<string, string>, primaryKey), value });
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
    // Untyped parameters take the key columns' types, so the primary key's index serves the lookup.
    const where = primaryKey.map((name, index) => `${quoteIdentifier(name)} = $${index + 1}`).join(' and ');
    const rows = await this.#rows<{ v: string | null }>(
      `select ${quoteIdentifier(column)}::text as v from ${this.#name(table)} where ${where}`,
      [...key],
    );
    return rows.length === 0 ? undefined : (rows[0]?.v ?? null);
  }

  async suspendTriggers(tables: readonly string[], options: { readonly foreignKeys: boolean }): Promise<void> {
    this.#suspended = new SuspendedConstraints(this.client, this.schema);
    await this.#suspended.suspend(tables, options);
  }

  async restoreTriggers(): Promise<void> {
    await this.#suspended?.restore();
    this.#suspended = undefined;
  }

  async empty(tables: readonly string[], how: 'truncate' | 'delete' = 'truncate'): Promise<void> {
    if (tables.length === 0) return;
    if (how === 'truncate') {
      // One statement for all: the tables reference each other, and TRUNCATE checks that as a whole.
      await this.client.query(`truncate ${tables.map((table) => this.#name(table)).join(', ')}`);
      return;
    }
    // DELETE keeps a snapshot reader of the same database unblocked (sanitise); children first.
    for (const table of [...tables].reverse()) await this.client.query(`delete from ${this.#name(table)}`);
  }

  async copyFrom(
    source: DataDatabase,
    table: PlannedTable,
    columns: readonly CopyColumn[],
    onRows: (rows: number) => void,
  ): Promise<number> {
    const from = source as PostgresData;
    const list = columns.map((column) => quoteIdentifier(column.name)).join(', ');
    const select = `select ${list} from ${from.#name(table.source)}`;
    const transforms = columns.map((column) => column.transform);
    const { copyTo, copyFrom, parse, stringify } = this.peers;
    if (transforms.every((transform) => transform === undefined)) {
      // Every column kept: COPY's own text format, piped without being parsed.
      const into = this.client.query(copyFrom(`copy ${this.#name(table.target)} (${list}) from stdin`));
      await pipeline(from.client.query(copyTo(`copy (${select}) to stdout`)), rowCounter(onRows), into);
      return into.rowCount;
    }
    // Out: NULL as a random word of this run (a value equal to it is quoted by COPY, and no value is
    // 128 random bits by chance), so NULL is told from '' without csv-parse's per-field quoting info,
    // which costs more than the rest of the parse. In: NULL an unquoted empty field, '' a quoted one
    // (quoted_string), as COPY's CSV reads them.
    const nullWord = `envward-null-${randomBytes(16).toString('hex')}`;
    const into = this.client.query(copyFrom(`copy ${this.#name(table.target)} (${list}) from stdin with (format csv)`));
    let pending = 0;
    await pipeline(
      from.client.query(copyTo(`copy (${select}) to stdout with (format csv, null '${nullWord}')`)),
      parse(),
      new Transform({
        objectMode: true,
        transform(row: (string | null)[], _encoding, done) {
          try {
            for (let index = 0; index < row.length; index++) {
              const value = row[index] === nullWord ? null : (row[index] ?? null);
              const transform = transforms[index];
              row[index] = transform ? transform(value) : value;
            }
          } catch (error) {
            done(error as Error);
            return;
          }
          pending += 1;
          if (pending >= 1_000) {
            onRows(pending);
            pending = 0;
          }
          done(null, row);
        },
        flush(done) {
          if (pending > 0) onRows(pending);
          done();
        },
      }),
      stringify({ quoted_string: true }),
      coalesce(),
      into,
    );
    return into.rowCount;
  }

  async #sequences(
    tables: readonly string[],
  ): Promise<Map<string, { sequence: string; last: string; called: boolean }>> {
    const owned = await this.#rows<{ table: string; column: string; sequence: string }>(
      `select c.relname as table, a.attname as column, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) as sequence
       from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid
       where n.nspname = current_schema() and c.relname = any($1::text[]) and a.attnum > 0 and not a.attisdropped`,
      [[...tables]],
    );
    const found = new Map<string, { sequence: string; last: string; called: boolean }>();
    for (const row of owned) {
      if (!row.sequence) continue;
      const [state] = await this.#rows<{ last: string; called: boolean }>(
        `select last_value::text as last, is_called as called from ${row.sequence}`,
      );
      if (state) found.set(`${row.table}\0${row.column}`, { sequence: row.sequence, ...state });
    }
    return found;
  }

  async copySequences(source: DataDatabase, tables: readonly PlannedTable[]): Promise<void> {
    const from = await (source as PostgresData).#sequences(tables.map((table) => table.source));
    const into = await this.#sequences(tables.map((table) => table.target));
    for (const table of tables) {
      for (const [key, state] of from) {
        const [name, column] = key.split('\0') as [string, string];
        if (name !== table.source) continue;
        const target = into.get(`${table.target}\0${column}`);
        if (target) await this.client.query('select setval($1, $2, $3)', [target.sequence, state.last, state.called]);
      }
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}

/**
 * Opens one PostgreSQL session for a data act, with the store's session
 * settings (schema, read-only for a source). No statement timeout: a COPY
 * of a large table outlasts an application's per-query limit, and is
 * bounded by its size instead; waiting for a lock is bounded at 30 s.
 */
export async function openPostgresData(
  url: string,
  settings: StoreSettings,
  readOnly: boolean,
  plugins: readonly KyselyPlugin[],
): Promise<DataDatabase> {
  const peers = await loadPeers();
  const client = new peers.pg.Client({
    connectionString: url,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    options: pgSessionOptions(settings, readOnly),
  });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query("set statement_timeout = 0; set lock_timeout = '30s'");
    const { rows } = await client.query<{ schema: string | null }>('select current_schema() as schema');
    return new PostgresData(client, peers, settings.schema ?? rows[0]?.schema ?? 'public', plugins);
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}
