import { userInfo } from 'node:os';
import { Kysely, type KyselyPlugin, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { takeBackup } from '../backup/take-backup.js';
import type { ResolvedConfig } from '../config/index.js';
import type { ForceOverride, GuardOverride } from '../environment/index.js';
import { type EnvwardError, ForceWithoutReasonError } from '../errors.js';
import { type QueryLogger, slowQueryLogger, slowQueryThresholdMs } from '../observe/index.js';
import { withAdvisoryLock } from './advisory-lock.js';
import { writeBackupAtomically } from './atomic-backup.js';
import { type AuditLog, auditLog } from './audit-log.js';
import { type ConnectAccess, type Connection, connect } from './connect.js';
import { CrossEnvironmentIdPlugin } from './cross-environment-plugin.js';
import { identityRecordsMore, sameDatabase } from './database-identity.js';
import { type DatabaseTarget, parseDatabaseUrl } from './database-url.js';
import { type EnvironmentIds, environmentIds } from './environment-ids.js';
import { type EnvironmentPaths, environmentPaths } from './environment-paths.js';
import { withFileLock } from './file-lock.js';
import { ensureInternalTables, type InternalTables } from './internal-tables.js';
import { type SharingDecision, sharingDecision } from './sharing-refusal.js';
import { claimStamp, readStamp, type Stamp, sameShares, writeStamp } from './stamp.js';
import { stampRefusal } from './stamp-refusal.js';
import { type NamespaceStamp, sameNamespace, surveyStamps } from './stamp-survey.js';
import { auditFirstSharing, recordDeclaredSharing, recordIdentity } from './stamp-upkeep.js';
import {
  DatabaseIdentityMismatchError,
  DatabaseUnavailableError,
  DatabaseUnstampedError,
  type SharedDatabaseError,
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
   * non-protected one's is recorded anew. 'read': checked as 'enforce', but
   * the database is opened read-only and nothing is written (an unstamped
   * database is not stamped; a missing SQLite file is EW_DB_MISSING): for
   * commands that only read (migrate status, audit list). 'inspect': nothing
   * is refused or written (db status, preflight: the findings are on the
   * store). 'stamp': the database is stamped for this environment and where
   * it is now (db stamp; another environment's or project's stamp needs
   * force). In every mode, every stamp in the database (other table
   * prefixes, other schemas) is looked at before anything is made: see
   * sharingDecision. An override (force) is audited, so a forced 'read' or
   * 'inspect' writes that event.
   */
  readonly stampMode?: 'enforce' | 'read' | 'inspect' | 'stamp';
  /**
   * Opens a 'read' or 'inspect' store writable all the same, so that audit
   * events can be appended (an act audited in a database nobody stamped yet);
   * it still never stamps, and a missing SQLite file is still EW_DB_MISSING.
   */
  readonly writable?: boolean;
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
  /** The stamps of the database's other namespaces (table prefixes, PostgreSQL schemas), as found on open. */
  readonly otherStamps: readonly NamespaceStamp[];
  /** Why this environment may not share the database with those stamps (reported, not thrown, by 'inspect'). */
  readonly sharingRefusal: SharedDatabaseError | undefined;
  /** Reads the stamp again, as it is in the database now (readiness checks; someone may have restamped it). */
  readStamp(): Promise<Stamp | undefined>;
  /** Guards this open overrode (each one audited). */
  readonly overrides: readonly GuardOverride[];
  /** Warnings to show the user, e.g. a development fallback to SQLite. */
  readonly warnings: readonly string[];
  readonly audit: AuditLog;
  /** The same log, its events recorded as `actor` (a console user acting through this process). */
  auditAs(actor: string): AuditLog;
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
  /**
   * Copies the database into `var/<env>/backups/` with its manifest (see
   * docs/backup.md; retention applies) and returns the file's path.
   */
  backup(label: string): Promise<string>;
  /**
   * The copy under every backup: the database written to `file` aside,
   * checked, then `seal(partial)` (the manifest is written there), then
   * renamed in. Use `backup()` or envward/data's `backupDatabase`, which add the manifest.
   */
  backupTo(file: string, seal: (partial: string) => Promise<void>): Promise<void>;
  /** `database.backups`: how many backups var/<env>/backups/ keeps, and whether `migrate up` backs up after too. */
  readonly backups: { readonly keep: number; readonly afterMigrate: boolean };
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
  access: ConnectAccess,
): Promise<Connection> {
  const { environment } = resolved;
  try {
    return await connect(target, settings, environment, access);
  } catch (error) {
    // Only development may fall back, only when configured to, never a protected tier.
    if (!(error instanceof DatabaseUnavailableError) || environment.tier !== 'development' || !settings.fallback) {
      throw error;
    }
    const fallback = parseDatabaseUrl(settings.fallback, resolved.project.root, environment.name);
    if (fallback.dialect !== 'sqlite') throw error;
    warnings.push(`${error.message} Falling back to ${fallback.shown} (database.fallback, development only).`);
    return connect(fallback, settings, environment, access);
  }
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
  const mode = options.stampMode ?? 'enforce';
  const reading = mode === 'read' || mode === 'inspect';
  // Reading writes nothing, unless an override must be audited. A protected environment's
  // database is never created by an open that would refuse it unstamped anyway.
  const access = {
    readOnly: reading && !options.force && !resolved.override && !options.writable,
    mustExist: reading || (mode === 'enforce' && environment.protected),
  };
  const connection = await connectWithFallback(resolved, target, settings, warnings, access);
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
  // Nothing is made before the checks pass: the schema and envward's tables come with the first write.
  let tablesMade: Promise<void> | undefined;
  const makeTables = () => {
    tablesMade ??= (async () => {
      if (dialect === 'postgres' && settings.schema) {
        await sql`create schema if not exists ${sql.id(settings.schema)}`.execute(db.withoutPlugins());
      }
      await ensureInternalTables(internal, dialect);
    })();
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
  let otherStamps: NamespaceStamp[] = [];
  let sharing: SharingDecision = { refusal: undefined, declared: [] };
  const stamper = {
    host: resolved.hostname,
    actor,
    project: project.definition.project ?? '',
    shares: settings.shareWith,
  };
  try {
    const namespace = { schema: connection.schema, prefix: settings.tablePrefix ?? '' };
    const found = await surveyStamps(db.withoutPlugins() as Kysely<unknown>, dialect);
    stamp = found.find((entry) => sameNamespace(entry.namespace, namespace))?.stamp;
    otherStamps = found.filter((entry) => !sameNamespace(entry.namespace, namespace));
    sharing = sharingDecision(
      otherStamps,
      {
        environment,
        namespace,
        shares: settings.shareWith,
        recorded: stamp?.environment === environment.name ? stamp.shares : [],
        catalogue: project.environments,
      },
      where,
    );
    const ownRefusal = (found: Stamp) => {
      const refusal = stampRefusal(found, { environment, project: stamper.project, identity }, where);
      // `db stamp` is the audited act that says a copy or a move is now this environment's database.
      return refusal && !(mode === 'stamp' && refusal instanceof DatabaseIdentityMismatchError) ? refusal : undefined;
    };
    // Refusals force lets through, audited once the checks are done.
    const forced: EnvwardError[] = [];
    const refuse = (refusal: EnvwardError) => {
      if (!options.force) throw refusal;
      forced.push(refusal);
    };
    let overriddenStamp = false;
    if (mode !== 'inspect') {
      if (sharing.refusal) refuse(sharing.refusal);
      const refusal = stamp && ownRefusal(stamp);
      if (refusal) {
        refuse(refusal);
        overriddenStamp = true;
      }
      if (!stamp && mode !== 'stamp' && environment.protected) {
        throw new DatabaseUnstampedError(environment.name, where);
      }
    }
    // Checked: a writing open makes (or upgrades) envward's tables now.
    if (mode === 'enforce' || mode === 'stamp') await makeTables();
    if (!stamp && (mode === 'enforce' || mode === 'stamp')) {
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
      } else {
        const refusal = ownRefusal(stamp);
        if (refusal) {
          refuse(refusal);
          overriddenStamp = true;
        }
      }
    }
    for (const refusal of forced) {
      const override = { guard: refusal.code, reason: options.force?.reason.trim() ?? '', message: refusal.message };
      overrides.push(override);
      await audit.append({
        action: 'guard.override',
        target: `${refusal.code} ${where}`,
        reason: override.reason,
        outcome: 'allowed',
      });
    }
    if (stamp && mode === 'stamp') {
      if (
        overriddenStamp ||
        !sameDatabase(stamp.database, identity) ||
        identityRecordsMore(stamp.database, identity) ||
        !sameShares(stamp.shares, stamper.shares)
      ) {
        await makeTables();
        stamp = await writeStamp(internal, environment, stamper, identity);
        const reason = overriddenStamp ? options.force?.reason.trim() : undefined;
        await audit.append({ action: 'db.stamp', target: where, ...(reason ? { reason } : {}), outcome: 'done' });
      }
    } else if (stamp && mode === 'enforce' && !overriddenStamp) {
      stamp = await recordIdentity(stamp, { internal, identity, environment, where, audit, warnings });
      stamp = await recordDeclaredSharing(stamp, { internal, shares: stamper.shares, where, audit, makeTables });
    }
    if (mode === 'enforce' || mode === 'stamp') {
      await auditFirstSharing(sharing.declared, { where, audit, makeTables });
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
  const store: Store<DB> = {
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
    otherStamps,
    sharingRefusal: sharing.refusal,
    readStamp: () => readStamp(internal),
    overrides,
    warnings,
    audit,
    auditAs: (other: string) =>
      auditLog(internal, dialect, { environment: environment.name, actor: other, host: resolved.hostname }, makeTables),
    ids,
    paths,
    plugins,
    exclusive: (name, waitMs, work) =>
      dialect === 'postgres'
        ? db
            .connection()
            .execute((connection) =>
              withAdvisoryLock(
                connection,
                `${settings.schema ?? ''}.${settings.tablePrefix ?? ''}${name}`,
                name,
                waitMs,
                () => work(connection),
              ),
            )
        : withFileLock(`${(connection.target as { path: string }).path}.${name}`, name, waitMs, () => work(db)),
    backup: async (label) => (await takeBackup(store as Store, { label })).file,
    backupTo: (file, seal) =>
      writeBackupAtomically(file, connection.backup, async (partial) => {
        await connection.checkBackup(partial);
        await seal(partial);
      }),
    backups: settings.backups,
    close: () => db.destroy(),
  };
  return store;
}
