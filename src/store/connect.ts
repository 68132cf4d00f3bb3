import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Dialect } from 'kysely';
import type { Environment } from '../environment/index.js';
import { importPeer } from '../peers.js';
import { checkPgDump, checkSqliteBackup, settleSqliteCopy } from './atomic-backup.js';
import { postgresIdentity, sqliteIdentity } from './database-identity.js';
import type { DatabaseTarget } from './database-url.js';
import { STAMP_TABLE } from './internal-tables.js';
import { keepPreparedStatements } from './sqlite-statement-cache.js';
import { useWal } from './sqlite-wal.js';
import {
  BackupError,
  DatabaseBusyError,
  DatabaseMissingError,
  DatabaseUnavailableError,
  PgClientMissingError,
} from './store-errors.js';
import type { StoreSettings } from './store-settings.js';

export interface Connection {
  readonly dialect: Dialect;
  readonly target: DatabaseTarget;
  /** Which database this is, as the stamp records it (database-identity.ts); never a password. */
  readonly identity: string;
  /** PostgreSQL: the schema this connection works in (`database.schema`, else the server's current schema); SQLite: ''. */
  readonly schema: string;
  /** Copies the whole database to `file`: SQLite's online backup API, or pg_dump. */
  backup(file: string): Promise<void>;
  /** Throws BackupError unless `file` is a complete backup (see atomic-backup.ts). */
  checkBackup(file: string): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// pg_control_system() may be closed to application roles (managed servers revoke it): they still
// open the store, with the system identifier unknown. Its privilege is checked when a query
// starts, even in a CASE branch never taken, so the call sits in a PL/pgSQL branch, planned only
// when taken; the value is passed on in a transaction-local setting, all in one round trip
// (the statements of one simple query share a transaction).
const IDENTITY_QUERY = `do $$ begin
  if has_function_privilege('pg_control_system()', 'execute') then
    perform set_config('envward.system_identifier', (select system_identifier::text from pg_control_system()), true);
  end if;
end $$;
select nullif(current_setting('envward.system_identifier', true), '') as system,
  current_database() as database, current_schema() as schema`;

interface IdentityRow {
  system: string | null;
  database: string;
  schema: string | null;
}

/**
 * How a connection may touch the database: `readOnly` opens SQLite read-only
 * and PostgreSQL sessions with read-only transactions; `mustExist` refuses to
 * create a missing SQLite file (DatabaseMissingError). No schema is ever
 * created here: the first write makes it (open-store.ts).
 */
export interface ConnectAccess {
  readonly readOnly: boolean;
  readonly mustExist: boolean;
}

/**
 * Opens the database of `target`: better-sqlite3 for a file (WAL, a busy
 * timeout so concurrent writers wait instead of failing), a pg pool for
 * PostgreSQL, checked with one connection so an unreachable server fails
 * here, by host and port, not on the first query.
 */
export async function connect(
  target: DatabaseTarget,
  settings: StoreSettings,
  environment: Environment,
  access: ConnectAccess = { readOnly: false, mustExist: false },
): Promise<Connection> {
  if (target.dialect === 'sqlite') {
    const [{ default: Database }, { SqliteDialect }] = await importPeer(
      'envward/store',
      () => Promise.all([import('better-sqlite3'), import('kysely')]),
      ['better-sqlite3'],
    );
    if ((access.readOnly || access.mustExist) && !existsSync(target.path)) {
      throw new DatabaseMissingError(environment.name, target.shown, environment.protected);
    }
    if (!access.readOnly) mkdirSync(dirname(target.path), { recursive: true });
    // Read-only, SQLite still opens a WAL database's -shm and -wal coordination files (empty of data).
    const database = new Database(target.path, {
      timeout: settings.connectTimeoutMs,
      ...(access.readOnly ? { readonly: true, fileMustExist: true } : {}),
    });
    // Setting WAL writes the file's header: a read-only open reads it in whatever mode it is.
    if (!access.readOnly) {
      try {
        useWal(database, () => new DatabaseBusyError(environment.name, target.shown, settings.connectTimeoutMs));
      } catch (error) {
        database.close();
        throw error;
      }
    }
    database.pragma('foreign_keys = ON');
    return {
      dialect: new SqliteDialect({ database: keepPreparedStatements(database) }),
      target,
      identity: sqliteIdentity(realpathSync(target.path)),
      schema: '',
      backup: async (file) => {
        mkdirSync(dirname(file), { recursive: true });
        await database.backup(file);
        await settleSqliteCopy(file);
      },
      checkBackup: (file) => checkSqliteBackup(file, `${settings.tablePrefix ?? ''}${STAMP_TABLE}`),
    };
  }
  const [{ default: pg }, { PostgresDialect }] = await importPeer(
    'envward/store',
    () => Promise.all([import('pg'), import('kysely')]),
    ['pg'],
  );
  if (settings.schema !== undefined && !SCHEMA_NAME.test(settings.schema)) {
    throw new DatabaseUnavailableError(
      environment.name,
      target.shown,
      `schema "${settings.schema}" is not a plain lower-case name`,
      environment.protected,
    );
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    options: pgSessionOptions(settings, access.readOnly),
  });
  // A dropped idle connection must not crash the process.
  pool.on('error', () => {});
  let identity: string;
  let schema: string;
  try {
    const client = await pool.connect();
    try {
      const result: unknown = await client.query(IDENTITY_QUERY);
      const last = (Array.isArray(result) ? result.at(-1) : result) as { rows: IdentityRow[] };
      const [row] = last.rows;
      if (!row) throw new Error('the server did not say which database this is');
      // A named schema not made yet (the first write makes it) is still the one this connection works in.
      identity = postgresIdentity({ ...row, schema: settings.schema ?? row.schema });
      schema = settings.schema ?? row.schema ?? 'public';
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(
      environment.name,
      target.shown,
      unavailableReason(error, target),
      environment.protected,
    );
  }
  return {
    dialect: new PostgresDialect({ pool }),
    target,
    identity,
    schema,
    backup: (file) => pgDump(target.url, settings.schema, file),
    checkBackup: checkPgDump,
  };
}

/**
 * The session settings of every PostgreSQL connection to a store (pg's
 * `options`): the statement timeout, the schema as search_path, and
 * read-only transactions when reading only. A connection made beside the
 * store's pool (the config listener) uses the same, so it sees the same
 * namespace.
 */
export function pgSessionOptions(
  settings: Pick<StoreSettings, 'statementTimeoutMs' | 'schema'>,
  readOnly: boolean,
): string {
  const options = [`-c statement_timeout=${Math.round(settings.statementTimeoutMs)}`];
  if (settings.schema) options.push(`-c search_path=${settings.schema}`);
  if (readOnly) options.push('-c default_transaction_read_only=on');
  return options.join(' ');
}

/**
 * The driver's reason (`database "x" does not exist (3D000)`, `connect
 * ECONNREFUSED 127.0.0.1:1`), with the URL and its password taken out: a
 * bare SQLSTATE tells the user nothing, and a message must never carry the password.
 */
export function unavailableReason(error: unknown, target: Extract<DatabaseTarget, { dialect: 'postgres' }>): string {
  const code = (error as { code?: unknown }).code;
  let text = error instanceof Error ? error.message.replaceAll(target.url, target.shown) : '';
  const { password } = new URL(target.url);
  if (password) {
    text = text.replaceAll(password, '***');
    try {
      text = text.replaceAll(decodeURIComponent(password), '***');
    } catch {
      // A password that is not valid percent-encoding was replaced as written.
    }
  }
  if (typeof code !== 'string' || code === '') return text || 'unreachable';
  return text === '' ? code : text.includes(code) ? text : `${text} (${code})`;
}

/**
 * The variables that point a PostgreSQL client program (pg_dump, pg_restore,
 * psql) at `url`: the URL goes in the environment, never in the argument
 * list others can see.
 */
export function pgClientEnvironment(url: string): NodeJS.ProcessEnv {
  const { username, password, hostname, port, pathname } = new URL(url);
  return {
    ...process.env,
    PGHOST: hostname || 'localhost',
    PGPORT: port || '5432',
    PGDATABASE: decodeURIComponent(pathname.slice(1)),
    ...(username ? { PGUSER: decodeURIComponent(username) } : {}),
    ...(password ? { PGPASSWORD: decodeURIComponent(password) } : {}),
  };
}

/** pg_dump in custom format; the URL goes in the environment, not the argument list others can see. */
function pgDump(url: string, schema: string | undefined, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const args = ['--format=custom', `--file=${file}`, ...(schema ? [`--schema=${schema}`] : [])];
  return new Promise((resolve, reject) => {
    execFile('pg_dump', args, { env: pgClientEnvironment(url) }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      rmSync(file, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new PgClientMissingError('pg_dump'));
      reject(new BackupError(stderr.trim().split('\n')[0] || error.message));
    });
  });
}
