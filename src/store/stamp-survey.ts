import { type Kysely, sql } from 'kysely';
import { STAMP_TABLE, type StampRow } from './internal-tables.js';
import { fromRow, type Stamp } from './stamp.js';

/** Where a stamp table sits: its PostgreSQL schema ('' on SQLite) and the table prefix before `envward_stamp`. */
export interface Namespace {
  readonly schema: string;
  readonly prefix: string;
}

/** One stamp found in the database, with its namespace. */
export interface NamespaceStamp {
  readonly namespace: Namespace;
  /** Its stamp table, as messages name it (stampTableOf). */
  readonly table: string;
  readonly stamp: Stamp;
}

export const sameNamespace = (a: Namespace, b: Namespace) => a.schema === b.schema && a.prefix === b.prefix;

/** `prd_envward_stamp`, or on PostgreSQL `prd.envward_stamp`: how messages name a namespace. */
export const stampTableOf = (namespace: Namespace) =>
  `${namespace.schema ? `${namespace.schema}.` : ''}${namespace.prefix}${STAMP_TABLE}`;

type Row = Omit<StampRow, 'project' | 'database' | 'shares'> & Partial<StampRow>;

/**
 * Every stamp in the database, whatever its table prefix or schema: SQLite's
 * tables named `*envward_stamp`, PostgreSQL's in every schema of the current
 * database (two round trips: the tables, then one row of each). Reads only,
 * so it runs before anything is created. `db` must apply no table prefix.
 * A PostgreSQL stamp table this role may not read is left out: the role
 * cannot touch that namespace's tables either.
 */
export async function surveyStamps(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<NamespaceStamp[]> {
  if (dialect === 'sqlite') {
    const tables = await sql<{ name: string }>`select name from sqlite_master
      where type = 'table' and name like ${`%${STAMP_TABLE}`}`.execute(db);
    const found: NamespaceStamp[] = [];
    for (const { name } of tables.rows) {
      if (!name.endsWith(STAMP_TABLE)) continue;
      const { rows } = await sql<Row>`select * from ${sql.id(name)} where id = 1`.execute(db);
      const prefix = name.slice(0, -STAMP_TABLE.length);
      if (rows[0]) found.push({ namespace: { schema: '', prefix }, table: name, stamp: fromRow(rows[0]) });
    }
    return found;
  }
  const tables = await sql<{ schema: string; name: string }>`select n.nspname as schema, c.relname as name
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and c.relname like ${`%${STAMP_TABLE}`}
      and n.nspname not in ('pg_catalog', 'information_schema')
      and has_schema_privilege(n.oid, 'usage') and has_table_privilege(c.oid, 'select')`.execute(db);
  const readable = tables.rows.filter((table) => table.name.endsWith(STAMP_TABLE));
  if (readable.length === 0) return [];
  // One query for every table's row: row_to_json copes with tables made before some columns existed.
  const reads = readable.map(
    (table, index) =>
      sql`select ${index}::int as i, row_to_json(t)::text as row from ${sql.id(table.schema, table.name)} t where t.id = 1`,
  );
  const { rows } = await sql<{ i: number; row: string }>`${sql.join(reads, sql` union all `)}`.execute(db);
  return rows.map(({ i, row }) => {
    const table = readable[i] as { schema: string; name: string };
    const namespace = { schema: table.schema, prefix: table.name.slice(0, -STAMP_TABLE.length) };
    return { namespace, table: stampTableOf(namespace), stamp: fromRow(JSON.parse(row) as Row) };
  });
}
