import { EnvwardError } from '../errors.js';

/** `database.url` is missing or not a URL envward can open. */
export class DatabaseUrlError extends EnvwardError {
  constructor(environment: string, reason: string) {
    super(
      'EW_DB_URL',
      'problem',
      `database.url of ${environment} ${reason}.`,
      'Set database.url to `sqlite:<path>` (relative to the project) or `postgres://user@host:port/database`; DATABASE_URL overrides it.',
      { environment },
    );
  }
}

/** A SQLite file whose write lock another process held past the busy timeout, where envward had to write. */
export class DatabaseBusyError extends EnvwardError {
  constructor(environment: string, where: string, timeoutMs: number) {
    super(
      'EW_DB_BUSY',
      'problem',
      `${environment}'s database at ${where} is busy: another process held its write lock longer than ${timeoutMs} ms; nothing was written.`,
      'Run the command again when the other writer (a long migration, a bulk load) has finished, or raise database.connectTimeoutMs.',
      { environment, where },
    );
  }
}

/** The database server cannot be reached; never names the password. */
export class DatabaseUnavailableError extends EnvwardError {
  constructor(environment: string, where: string, reason: string, protectedTier: boolean) {
    super(
      'EW_DB_UNAVAILABLE',
      'problem',
      `${environment} cannot reach its database at ${where}: ${reason}.${protectedTier ? ` ${environment} is protected and never falls back to SQLite.` : ''}`,
      protectedTier
        ? 'Check that the server runs and accepts connections from this host, and the host and port in database.url.'
        : 'Start the server, fix database.url, or (development only) set database.fallback to a sqlite: URL.',
      { environment, where },
    );
  }
}

/** The database belongs to another environment. */
export class EnvironmentMismatchError extends EnvwardError {
  constructor(
    environment: string,
    owner: { environment: string; tier: string; host: string; at: string },
    where: string,
  ) {
    super(
      'EW_ENV_MISMATCH',
      'refused',
      `This process runs as ${environment}, but the database at ${where} belongs to ${owner.environment} (${owner.tier}; stamped ${owner.at} on ${owner.host}). Refused: one environment's process never touches another's data.`,
      `Point database.url at ${environment}'s own database, run as ${owner.environment}, or, if you are sure, --force --reason "..." (audited).`,
      { environment, owner: owner.environment, where },
    );
  }
}

/** The database belongs to another project (a restored dump, a copied file, a shared server). */
export class ProjectMismatchError extends EnvwardError {
  constructor(project: string, owner: { project: string; environment: string; at: string }, where: string) {
    super(
      'EW_DB_PROJECT_MISMATCH',
      'refused',
      `This process is project ${project}, but the database at ${where} belongs to project ${owner.project} (${owner.environment}, stamped ${owner.at}). Refused: one project never writes into another's data.`,
      `Point database.url at ${project}'s own database, or, if this database now belongs to ${project} (a rename), \`envward db stamp --force --reason "..."\` (audited).`,
      { project, owner: owner.project, where },
    );
  }
}

/**
 * A protected environment's stamp was made on another database: this one is
 * a copy (a restored dump, a copied or moved file) that carries it along.
 */
export class DatabaseIdentityMismatchError extends EnvwardError {
  constructor(
    environment: string,
    owner: { stamped: string; current: string; host: string; at: string },
    where: string,
  ) {
    super(
      'EW_DB_IDENTITY_MISMATCH',
      'refused',
      `The database at ${where} carries ${environment}'s stamp, but it is not the database that was stamped: the stamp records ${owner.stamped} (stamped ${owner.at} on ${owner.host}), this is ${owner.current}. A restored dump or a copied or moved file keeps the original's stamp; ${environment} is protected and does not take it as its own.`,
      `If the database was restored or moved on purpose, run \`envward db stamp --env ${environment}\` to record where it is now (audited); otherwise check DATABASE_URL (database.url) points at ${environment}'s database.`,
      { environment, where, stamped: owner.stamped, current: owner.current },
    );
  }
}

/** A protected environment's database has no stamp yet. */
export class DatabaseUnstampedError extends EnvwardError {
  constructor(environment: string, where: string) {
    super(
      'EW_DB_UNSTAMPED',
      'refused',
      `The database at ${where} has no environment stamp, and ${environment} is protected: it is not stamped automatically.`,
      `If this is ${environment}'s database, stamp it once with \`envward db stamp --env ${environment}\` (audited).`,
      { environment, where },
    );
  }
}

/** A record carries an id coded for another environment. */
export class CrossEnvironmentIdError extends EnvwardError {
  constructor(environment: string, code: string, owner: string) {
    super(
      'EW_CROSS_ENV_ID',
      'refused',
      `A write in ${environment} carries an id coded ${code}, which is ${owner}'s: records never cross environments.`,
      `Make ids with store.ids.next(kind) in ${environment}; data copied from ${owner} must be re-keyed.`,
      { environment, code, owner },
    );
  }
}

/** A name for ids or per-environment directories that is not safe. */
export class StoreNameError extends EnvwardError {
  constructor(what: 'id kind' | 'directory name', name: string) {
    super(
      'EW_STORE_NAME',
      'usage',
      what === 'id kind'
        ? `Invalid id kind ${JSON.stringify(name)}: use 1-12 lower-case letters and digits, starting with a letter (it becomes the id's upper-case middle part).`
        : `Invalid directory name ${JSON.stringify(name)}: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (no '/' or '..').`,
      `Example: ${what === 'id kind' ? "ids.next('txn')" : "paths.dir('csv-processing')"}.`,
      { name },
    );
  }
}

/** A backup before a protected migration could not be made. */
export class BackupError extends EnvwardError {
  constructor(reason: string) {
    super(
      'EW_BACKUP_FAILED',
      'problem',
      `The backup could not be made: ${reason}. No backup file is left, and nothing was changed.`,
      'Free disk space or fix what the reason names; before a migration, --no-backup --reason "..." skips the backup (audited).',
    );
  }
}

/**
 * A PostgreSQL client program (pg_dump, pg_restore, psql) is not on this
 * host's PATH. `serverMajor`: the server's major version, when known (a
 * client older than the server cannot dump it).
 */
export class PgClientMissingError extends EnvwardError {
  constructor(program: string, serverMajor?: number) {
    const version = serverMajor === undefined ? "the server's major version" : String(serverMajor);
    super(
      'EW_PG_CLIENT_MISSING',
      'usage',
      `${program} is not on this host's PATH: install the Debian package postgresql-client (${program} ${version} or newer). Nothing was changed.`,
      `On Debian or Ubuntu: \`apt-get install postgresql-client\` (for a newer server, postgresql-client-${serverMajor ?? 'NN'} from apt.postgresql.org); elsewhere, your platform's PostgreSQL client package. Then run the command again (before a migration, --no-backup --reason "..." skips the backup, audited).`,
      { program, ...(serverMajor === undefined ? {} : { serverMajor }) },
    );
  }
}

/** A named store lock was held by another process for longer than the caller would wait. */
export class StoreLockTimeoutError extends EnvwardError {
  constructor(name: string, waitedMs: number) {
    super(
      'EW_STORE_LOCKED',
      'problem',
      `Another process held the store's ${name} lock; waited ${Math.round(waitedMs / 1000)} s.`,
      'Wait for it to finish and run again, or wait longer (--wait).',
      { name },
    );
  }
}

/** Where another namespace's stamp sits: its stamp table, schema-qualified on PostgreSQL. */
export interface NamespaceOwner {
  readonly environment: string;
  readonly tier: string;
  /** `prd_envward_stamp`, or on PostgreSQL `prd.envward_stamp`. */
  readonly table: string;
  readonly host: string;
  readonly at: string;
}

/**
 * Another namespace (a table prefix, a PostgreSQL schema) of this database
 * holds a stamp this environment may not share a database with: a protected
 * environment's that did not declare the sharing, or another tier's where
 * either side is protected.
 */
export class SharedDatabaseError extends EnvwardError {
  constructor(
    opener: { environment: string; tier: string; table: string },
    owner: NamespaceOwner,
    where: string,
    /** 'tiers': of two tiers, one protected (`guarded`); 'undeclared': the same tier, no declaration. */
    why: 'tiers' | 'undeclared',
    guarded: string,
  ) {
    super(
      'EW_SHARED_DATABASE',
      'refused',
      `This process runs as ${opener.environment} (${opener.tier}, stamp table ${opener.table}), but the database at ${where} also holds ${owner.environment}'s stamp (${owner.tier}, in ${owner.table}, stamped ${owner.at} on ${owner.host}). Refused: ${
        why === 'tiers'
          ? `${guarded} is protected and tiers never mix in its database, whatever the table prefix or schema.`
          : `${guarded} is protected and did not declare sharing its database with ${opener.environment}; a table prefix or schema does not keep raw SQL out of its tables.`
      }`,
      why === 'tiers'
        ? `Give ${opener.environment} a database of its own (database.url), or, if you are sure, --force --reason "..." (audited).`
        : `Give ${opener.environment} a database of its own (database.url); to share it on purpose, declare \`database.shareWith: [${guarded === owner.environment ? opener.environment : owner.environment}]\` in ${guarded}'s settings.yml (same tier only) and open ${guarded} once to record it; or --force --reason "..." (audited).`,
      { environment: opener.environment, owner: owner.environment, table: owner.table, where },
    );
  }
}

/** A command that only reads found no database: the SQLite file does not exist (it is never created by reading). */
export class DatabaseMissingError extends EnvwardError {
  constructor(environment: string, where: string, protectedTier: boolean) {
    super(
      'EW_DB_MISSING',
      'problem',
      `The database of ${environment} at ${where} does not exist; nothing was created.`,
      protectedTier
        ? `Check database.url (DATABASE_URL) for a typo; if ${environment}'s database is new, \`envward db stamp --env ${environment}\` creates and stamps it (audited).`
        : 'Check database.url (DATABASE_URL) for a typo; a command that writes (migrate up, db stamp) creates it.',
      { environment, where },
    );
  }
}
