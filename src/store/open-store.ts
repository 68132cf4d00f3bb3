import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Kysely, type KyselyPlugin, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ResolvedConfig } from '../config/index.js';
import type { ForceOverride, GuardOverride } from '../environment/index.js';
import { ForceWithoutReasonError } from '../errors.js';
import { type QueryLogger, slowQueryLogger, slowQueryThresholdMs } from '../observe/index.js';
import { writeBackupAtomically } from './atomic-backup.js';
import { type AuditLog, auditLog } from './audit-log.js';
import { type Connection, connect } from './connect.js';
import { CrossEnvironmentIdPlugin } from './cross-environment-plugin.js';
import { identityRecordsMore, sameDatabase } from './database-identity.js';
import { type DatabaseTarget, parseDatabaseUrl } from './database-url.js';
import { type EnvironmentIds, environmentIds } from './environment-ids.js';
import { type EnvironmentPaths, environmentPaths } from './environment-paths.js';
import { withFileLock } from './file-lock.js';
import { ensureInternalTables, type InternalTables } from './internal-tables.js';
import { claimStamp, readStamp, recordStampedDatabase, type Stamp, writeStamp } from './stamp.js';
import { stampRefusal } from './stamp-refusal.js';
import {
  DatabaseIdentityMismatchError,
  DatabaseUnavailableError,
  DatabaseUnstampedError,
  StoreLockTimeoutError,
} from './store-errors.js';
import { storeSettings } from './store-settings.js';
import { TablePrefixPlugin } from './table-prefix-plugin.js';

export interface OpenStoreOptions {
  /** Lets a refused stamp check through; needs a reason, prints nothing itself, and is audited. */
  readonly force?: ForceOverride;
  /**
   * 'enforce' (default): a different stamp is refused, an unstamped database
   * is stamped in development and test and refused elsewhere; a protected
   * environment's stamp made on another database (a copy) is refused, a
   * non-protected one's is recorded anew. 'inspect': nothing is checked or
   * written (db status). 'stamp': the database is stamped for this
   * environment and where it is now (db stamp; another environment's or
   * project's stamp needs force).
   */
  readonly stampMode?: 'enforce' | 'inspect' | 'stamp';
  /** Who acts, for stamps and audit events; default the OS user. */
  readonly actor?: string;
  /** Logs queries slower than `database.slowQueryMs` (SQL and duration, never parameters) at warn. */
  readonly logger?: QueryLogger;
}

export interface Store<DB = unknown> {
  /** The application's query builder; table prefixes and the cross-environment id check apply. */
  readonly db: Kysely<DB>;
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the database is, safe to print (no password). */
  readonly where: string;
  /**
   * Which database this is, as the stamp records it: `sqlite:<real path>` or
   * `postgres:<system identifier, or ? when the role may not read it>/<database>/<schema>`.
   */
  readonly identity: string;
  readonly environment: ResolvedConfig<unknown>['environment'];
  /** The project's root directory (migrations/ and seeds/ live there). */
  readonly projectRoot: string;
  /** The project's name (`project` in envward.config.ts; '' when it declares none), as stamps record it. */
  readonly project: string;
  /** Who acts (OS user unless given) and on which host, as the audit log records them. */
  readonly actor: string;
  readonly host: string;
  /** The stamp as found on open (after any automatic or explicit stamping). */
  readonly stamp: Stamp | undefined;
  /** Reads the stamp again, as it is in the database now (readiness checks; someone may have restamped it). */
  readStamp(): Promise<Stamp | undefined>;
  /** Guards this open overrode (each one audited). */
  readonly overrides: readonly GuardOverride[];
  /** Warnings to show the user, e.g. a development fallback to SQLite. */
  readonly warnings: readonly string[];
  readonly audit: AuditLog;
  readonly ids: EnvironmentIds;
  readonly paths: EnvironmentPaths;
  /** The plugins `db` applies (table prefix, id check), for tools that build their own Kysely over this store. */
  readonly plugins: readonly KyselyPlugin[];
  /**
   * Runs `work` while holding a named lock across processes: a PostgreSQL
   * session advisory lock on the connection `work` gets (freed by the server
   * if the process dies), or for SQLite an exclusive lock on a file beside
   * the database (freed by the OS if the process dies). Waits up to
   * `waitMs`, then throws StoreLockTimeoutError.
   */
  exclusive<T>(name: string, waitMs: number, work: (db: Kysely<DB>) => Promise<T>): Promise<T>;
  /** Copies the database into `var/<env>/backups/` (written aside, checked, then renamed) and returns the file's path. */
  backup(label: string): Promise<string>;
  close(): Promise<void>;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

async function connectWithFallback(
  resolved: ResolvedConfig<unknown>,
  target: DatabaseTarget,
  settings: ReturnType<typeof storeSettings>,
  warnings: string[],
): Promise<Connection> {
  const { environment } = resolved;
  try {
    return await connect(target, settings, environment);
  } catch (error) {
    // Only development may fall back, only when configured to, never a protected tier.
    if (!(error instanceof DatabaseUnavailableError) || environment.tier !== 'development' || !settings.fallback) {
      throw error;
    }
    const fallback = parseDatabaseUrl(settings.fallback, resolved.project.root, environment.name);
    if (fallback.dialect !== 'sqlite') throw error;
    warnings.push(`${error.message} Falling back to ${fallback.shown} (database.fallback, development only).`);
    return connect(fallback, settings, environment);
  }
}

/**
 * On an open that passed the stamp check: a stamp without the database's
 * identity (or with less of it than this role sees) gets it; a
 * non-protected environment's stamp made on another database (the file was
 * copied or moved, a dump restored) is moved along, with a warning. Each
 * write is audited; a protected environment's copy never gets here.
 */
async function recordIdentity(
  stamp: Stamp,
  context: {
    internal: Kysely<InternalTables>;
    identity: string;
    environment: ResolvedConfig<unknown>['environment'];
    where: string;
    audit: AuditLog;
    warnings: string[];
  },
): Promise<Stamp> {
  const { internal, identity, environment, where, audit, warnings } = context;
  const filling = identityRecordsMore(stamp.database, identity);
  if (!filling && sameDatabase(stamp.database, identity)) return stamp;
  const { stamp: now, recorded } = await recordStampedDatabase(internal, stamp.database, identity);
  if (recorded) {
    const reason = filling ? 'identity recorded' : `automatic: database moved or copied (was ${stamp.database})`;
    await audit.append({ action: 'db.stamp', target: where, reason, outcome: 'done' });
    if (!filling) {
      warnings.push(
        `The database at ${where} is not the one ${environment.name}'s stamp was made on (${stamp.database}; now ${identity}): it was copied or moved. ${environment.name} is not protected, so the stamp now records where it is (audited).`,
      );
    }
  }
  return now ?? stamp;
}

/**
 * Opens the environment's store: a Kysely instance over better-sqlite3 or pg,
 * from `database.*` of the resolved configuration, after checking that the
 * database is stamped for this environment.
 */
export async function openStoreNow<DB>(
  resolved: ResolvedConfig<unknown>,
  options: OpenStoreOptions = {},
): Promise<Store<DB>> {
  const { environment, project } = resolved;
  if (options.force && !options.force.reason?.trim()) throw new ForceWithoutReasonError();
  const settings = storeSettings(resolved);
  const slowQueryMs = options.logger ? slowQueryThresholdMs(resolved) : 0;
  const target = parseDatabaseUrl(settings.url, project.root, environment.name);
  const warnings: string[] = [];
  const connection = await connectWithFallback(resolved, target, settings, warnings);
  const ids = environmentIds(environment, project.environments, uuidv7);
  const plugins = [
    ...(settings.tablePrefix ? [new TablePrefixPlugin(settings.tablePrefix)] : []),
    new CrossEnvironmentIdPlugin(ids),
  ];
  const db = new Kysely<DB>({
    dialect: connection.dialect,
    plugins,
    ...(options.logger ? { log: slowQueryLogger(options.logger, slowQueryMs) } : {}),
  });
  const internal = db as unknown as Kysely<InternalTables>;
  const dialect = connection.target.dialect;
  const where = connection.target.shown;
  const { identity } = connection;
  const actor = options.actor ?? osUser();
  const mode = options.stampMode ?? 'enforce';
  // Inspection (db status, preflight) creates nothing; the tables are made when something is written.
  let tablesMade: Promise<void> | undefined;
  const makeTables = () => {
    tablesMade ??= ensureInternalTables(internal);
    return tablesMade;
  };
  const audit = auditLog(
    internal,
    dialect,
    { environment: environment.name, actor, host: resolved.hostname },
    makeTables,
  );
  const overrides: GuardOverride[] = [];
  let stamp: Stamp | undefined;
  const stamper = { host: resolved.hostname, actor, project: project.definition.project ?? '' };
  try {
    if (mode !== 'inspect') await makeTables();
    stamp = await readStamp(internal);
    if (mode !== 'inspect') {
      if (!stamp) {
        if (mode === 'enforce' && environment.protected) throw new DatabaseUnstampedError(environment.name, where);
        // Another process may stamp it between our read and write: the stamp that holds is checked below.
        const claim = await claimStamp(internal, environment, stamper, identity);
        stamp = claim.stamp;
        if (claim.claimed) {
          await audit.append({
            action: 'db.stamp',
            target: where,
            ...(mode === 'stamp' ? {} : { reason: `automatic: first open in ${environment.tier}` }),
            outcome: 'done',
          });
        }
      }
      const refusal = stampRefusal(stamp, { environment, project: stamper.project, identity }, where);
      // `db stamp` is the audited act that says a copy or a move is now this environment's database.
      if (refusal && !(mode === 'stamp' && refusal instanceof DatabaseIdentityMismatchError)) {
        if (!options.force) throw refusal;
        const override = { guard: refusal.code, reason: options.force.reason.trim(), message: refusal.message };
        overrides.push(override);
        await audit.append({
          action: 'guard.override',
          target: `${refusal.code} ${where}`,
          reason: override.reason,
          outcome: 'allowed',
        });
        if (mode === 'stamp') {
          stamp = await writeStamp(internal, environment, stamper, identity);
          await audit.append({ action: 'db.stamp', target: where, reason: override.reason, outcome: 'done' });
        }
      } else if (mode === 'stamp') {
        if (!sameDatabase(stamp.database, identity) || identityRecordsMore(stamp.database, identity)) {
          stamp = await writeStamp(internal, environment, stamper, identity);
          await audit.append({ action: 'db.stamp', target: where, outcome: 'done' });
        }
      } else {
        stamp = await recordIdentity(stamp, { internal, identity, environment, where, audit, warnings });
      }
    }
    // A host-check override of this process's configuration is audited here, where the log is.
    if (resolved.override) {
      overrides.push(resolved.override);
      await audit.append({
        action: 'guard.override',
        target: `${resolved.override.guard} ${resolved.hostname}`,
        reason: resolved.override.reason,
        outcome: 'allowed',
      });
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const paths = environmentPaths(project.root, environment.name);
  return {
    db,
    dialect,
    where,
    identity,
    environment,
    projectRoot: project.root,
    project: stamper.project,
    actor,
    host: resolved.hostname,
    stamp,
    readStamp: () => readStamp(internal),
    overrides,
    warnings,
    audit,
    ids,
    paths,
    plugins,
    exclusive: (name, waitMs, work) =>
      dialect === 'postgres'
        ? db.connection().execute(async (connection) => {
            const key = `${settings.schema ?? ''}.${settings.tablePrefix ?? ''}${name}`;
            // Waiting is bounded by lock_timeout alone: database.statementTimeoutMs must not cut it short.
            await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(waitMs))}ms`}, false), set_config('statement_timeout', '0', false)`.execute(
              connection,
            );
            try {
              await sql`select pg_advisory_lock(hashtext(${key}))`.execute(connection);
            } catch (error) {
              if ((error as { code?: string }).code === '55P03') throw new StoreLockTimeoutError(name, waitMs);
              throw error;
            } finally {
              await sql`select set_config('lock_timeout', '0', false)`.execute(connection);
              await sql`reset statement_timeout`.execute(connection);
            }
            try {
              return await work(connection);
            } finally {
              await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(connection);
            }
          })
        : withFileLock(`${(connection.target as { path: string }).path}.${name}`, name, waitMs, () => work(db)),
    async backup(label) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = join(paths.dir('backups'), `${stamp}-${label}.${dialect === 'sqlite' ? 'db' : 'dump'}`);
      await writeBackupAtomically(file, connection.backup, connection.checkBackup);
      return file;
    },
    close: () => db.destroy(),
  };
}
