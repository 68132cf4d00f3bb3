import { EnvwardError } from '../errors.js';

/** `db backup --out` names a file (or its manifest) that exists. */
export class BackupExistsError extends EnvwardError {
  constructor(file: string) {
    super(
      'EW_BACKUP_EXISTS',
      'refused',
      `${file} exists: a backup never replaces a file. Nothing was written.`,
      'Choose another --out, or move the old file (and its .manifest.json) away first.',
      { file },
    );
  }
}

/** A file given to `db restore` that is not an intact envward backup with its manifest. */
export class BackupInvalidError extends EnvwardError {
  constructor(file: string, reason: string) {
    super(
      'EW_BACKUP_INVALID',
      'problem',
      `${file} is not a backup envward can restore: ${reason}. Nothing was changed.`,
      'Restore an intact backup that `envward db backup` wrote, with its .manifest.json beside it; a backup that was edited, cut short or lost its manifest is refused.',
      { file },
    );
  }
}

/** A backup of one environment restored into another: copying data between environments is `data refresh`. */
export class RestoreOtherEnvironmentError extends EnvwardError {
  constructor(target: string, from: string, file: string) {
    super(
      'EW_RESTORE_OTHER_ENVIRONMENT',
      'refused',
      `${file} is a backup of ${from}, not ${target}: restoring one environment's data into another is refused. Nothing was changed.`,
      `To copy ${from}'s data into ${target} (anonymised where it leaves a protected tier), run \`envward data refresh --from ${from} --to ${target} --reason "..."\`; to restore ${target}, pick a backup of ${target}.`,
      { environment: target, from, file },
    );
  }
}

/** A backup made in another project (its manifest names another project), without --force --reason. */
export class RestoreProjectError extends EnvwardError {
  constructor(archived: string, current: string, file: string) {
    super(
      'EW_RESTORE_PROJECT',
      'refused',
      `${file} was made in project "${archived || '(unnamed)'}", and this is project "${current || '(unnamed)'}": restoring another project's database is refused. Nothing was changed.`,
      'Check that this is the right backup; if the project was renamed, run the restore again with --force --reason "..." (audited).',
      { archived, current, file },
    );
  }
}

/** A SQLite backup restored into a PostgreSQL database, or the other way round. */
export class RestoreDialectError extends EnvwardError {
  constructor(environment: string, backup: string, target: string, file: string) {
    super(
      'EW_RESTORE_DIALECT',
      'refused',
      `${file} is a ${backup} backup, and ${environment}'s database is ${target}: a backup restores into the same kind of database only. Nothing was changed.`,
      `Point ${environment}'s database.url at a ${backup} database, or restore a ${target} backup.`,
      { environment, backup, target, file },
    );
  }
}

/** A backup holding migrations this code does not have: the schema would be newer than the code. */
export class RestoreNewerError extends EnvwardError {
  constructor(environment: string, unknown: readonly string[], file: string) {
    super(
      'EW_RESTORE_NEWER',
      'refused',
      `${file} holds migration(s) this code's migrations/ folder does not have (${unknown.join(', ')}): restored, ${environment}'s schema would be newer than the code that runs on it. Nothing was changed.`,
      'Deploy the code that has those migrations first, then restore; or restore an older backup.',
      { environment, unknown, file },
    );
  }
}

/** A restore that would overwrite other environments' namespaces sharing the database. */
export class RestoreSharedError extends EnvwardError {
  constructor(environment: string, others: readonly string[], where: string) {
    super(
      'EW_RESTORE_SHARED',
      'refused',
      `${environment}'s database at ${where} also holds ${others.join(', ')}: a restore replaces what it covers, so it would roll those back too. Nothing was changed.`,
      `Restore only where ${environment} has its database (or its PostgreSQL schema) to itself; move the others out first.`,
      { environment, others, where },
    );
  }
}

/** The restore itself failed (pg_restore or psql failed, SQLite's backup API failed); the database was left as it was. */
export class RestoreFailedError extends EnvwardError {
  constructor(environment: string, reason: string) {
    super(
      'EW_RESTORE_FAILED',
      'problem',
      `Restoring ${environment}'s database failed: ${reason}. The restore is all or nothing: the database is as it was before.`,
      'Fix what the reason names (permissions, disk space, the database server) and run the restore again.',
      { environment },
    );
  }
}
