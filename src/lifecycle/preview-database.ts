import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PreviewRecord } from '../environment/index.js';
import { importPeer } from '../peers.js';
import { PreviewInputError, PreviewNotOursError } from './lifecycle-errors.js';

type Made = PreviewRecord['database'];

/** Where a preview's database goes: a schema of a PostgreSQL database, or a SQLite file of its own. */
export interface PreviewDatabase {
  /** `database.url` of the preview. */
  readonly url: string;
  /** `database.schema` of the preview (PostgreSQL). */
  readonly schema?: string;
  readonly made: Made;
}

/** `preview_pr_7` for `pr-7`: a plain lower-case name, as database.schema wants. */
export function previewSchema(name: string): string {
  return `preview_${name.replaceAll('-', '_')}`;
}

/**
 * The preview's database from `--database` (or none: a SQLite file under
 * var/<name>/). A password in the URL is refused: it would be written into
 * the preview's settings.yml; the server's password comes from PGPASSWORD
 * or ~/.pgpass, which node-postgres reads.
 */
export function previewDatabase(name: string, url: string | undefined): PreviewDatabase {
  if (url === undefined || url.trim() === '') {
    const file = `var/${name}/app.db`;
    return { url: `sqlite:${file}`, made: { kind: 'sqlite-file', file } };
  }
  const text = url.trim();
  if (!/^postgres(ql)?:\/\//.test(text)) {
    throw new PreviewInputError(
      '--database must be a postgres:// URL (each preview gets a schema in it); leave it out for a SQLite file per preview.',
      'Example: --database postgres://ci@db.internal:5432/previews',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new PreviewInputError(
      '--database is not a valid postgres:// URL.',
      'Example: --database postgres://ci@db.internal:5432/previews',
    );
  }
  if (parsed.password !== '') {
    throw new PreviewInputError(
      "--database holds a password, which would be written into the preview's settings.yml.",
      'Give the password in PGPASSWORD or ~/.pgpass instead; node-postgres reads both.',
    );
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new PreviewInputError(
      '--database may not carry parameters (?...) or a fragment.',
      'Give the server and database only.',
    );
  }
  const schema = previewSchema(name);
  return { url: text, schema, made: { kind: 'postgres-schema', schema } };
}

async function withClient<T>(url: string, use: (client: import('pg').Client) => Promise<T>): Promise<T> {
  const pg = await importPeer('envward/store', () => import('pg'));
  const client = new pg.default.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Whether the namespace is there already (then `preview up` did not make it, and will not use it). */
export async function namespaceExists(root: string, database: PreviewDatabase): Promise<boolean> {
  const { made } = database;
  if (made.kind === 'sqlite-file') return existsSync(join(root, made.file));
  return withClient(database.url, async (client) => {
    const found = await client.query('select 1 from information_schema.schemata where schema_name = $1', [made.schema]);
    return (found.rowCount ?? 0) > 0;
  });
}

/**
 * Drops what `preview up` made, after reading its stamp: a namespace stamped
 * for any other environment is refused, whatever the catalogue says. An
 * unstamped or missing one (an up that failed half-way) is dropped or left.
 */
export async function dropPreviewNamespace(root: string, name: string, url: string, made: Made): Promise<void> {
  if (made.kind === 'sqlite-file') {
    const path = join(root, made.file);
    if (!existsSync(path)) return;
    const stamped = await sqliteStamp(path);
    if (stamped !== undefined && stamped !== name)
      throw new PreviewNotOursError(name, `${made.file} is stamped for ${stamped}`);
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
    return;
  }
  await withClient(url, async (client) => {
    const schema = made.schema;
    const stampTable = await client.query(
      "select 1 from information_schema.tables where table_schema = $1 and table_name = 'envward_stamp'",
      [schema],
    );
    if ((stampTable.rowCount ?? 0) > 0) {
      const { rows } = await client.query<{ environment: string }>(
        `select environment from "${schema}".envward_stamp where id = 1`,
      );
      const stamped = rows[0]?.environment;
      if (stamped !== undefined && stamped !== name)
        throw new PreviewNotOursError(name, `schema ${schema} is stamped for ${stamped}`);
    }
    await client.query(`drop schema if exists "${schema}" cascade`);
  });
}

async function sqliteStamp(path: string): Promise<string | undefined> {
  const { default: Database } = await importPeer('envward/store', () => import('better-sqlite3'));
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'envward_stamp'").get();
    if (!table) return undefined;
    const row = db.prepare('select environment from envward_stamp where id = 1').get() as
      | { environment?: string }
      | undefined;
    return row?.environment;
  } finally {
    db.close();
  }
}
