import { EnvwardError } from '../errors.js';

/** Two migrations share an order number, or a file name is not `NNN_name.ts`. */
export class MigrationOrderError extends EnvwardError {
  constructor(message: string, files: readonly string[]) {
    super(
      'EW_MIGRATION_ORDER',
      'problem',
      `${message}: ${files.join(', ')}. Nothing was run.`,
      'Name migrations NNN_what.ts with a unique, increasing NNN (001_create_accounts.ts).',
      { files },
    );
  }
}

/** An applied migration's file changed since it ran, or is gone. */
export class MigrationChecksumError extends EnvwardError {
  constructor(changed: readonly string[], missing: readonly string[]) {
    const parts = [
      ...(changed.length > 0 ? [`changed since applied: ${changed.join(', ')}`] : []),
      ...(missing.length > 0 ? [`applied but missing from disk: ${missing.join(', ')}`] : []),
    ];
    super(
      'EW_MIGRATION_CHECKSUM',
      'problem',
      `Migration history does not match the files (${parts.join('; ')}). Nothing was run.`,
      'Never edit an applied migration: restore it from git and write a new migration for the change.',
      { changed, missing },
    );
  }
}

/** A destructive migration in a protected environment without approval. */
export class DestructiveMigrationError extends EnvwardError {
  constructor(environment: string, migration: string, statement: string, why: string, direction: 'up' | 'down') {
    super(
      'EW_DESTRUCTIVE_MIGRATION',
      'refused',
      `${direction === 'down' ? `Rolling back ${migration}` : `Migration ${migration}`} is destructive (${why}): ${statement}. ${environment} is protected; nothing was run.`,
      `Review \`envward migrate plan --env ${environment}\`, then approve with --allow-destructive --reason "..." (audited; a backup is taken first).`,
      { environment, migration, statement },
    );
  }
}

/** A migration threw: it was rolled back, and nothing after it ran. */
export class MigrationFailedError extends EnvwardError {
  constructor(migration: string, statement: string | undefined, reason: string, cause: unknown) {
    super(
      'EW_MIGRATION_FAILED',
      'problem',
      `Migration ${migration} failed${statement ? ` at: ${statement}` : ''}: ${reason}. It was rolled back; nothing after it was applied.`,
      'Fix the migration (it has not been recorded as applied) and run `envward migrate up` again.',
      { migration, ...(statement ? { statement } : {}) },
      { cause },
    );
  }
}

/** Another migrator held the lock longer than we would wait. */
export class MigrationLockedError extends EnvwardError {
  constructor(environment: string, waitedMs: number) {
    super(
      'EW_MIGRATION_LOCKED',
      'problem',
      `Another process is migrating ${environment}'s database; waited ${Math.round(waitedMs / 1000)} s for it.`,
      'Wait for it to finish, or raise --wait. A killed migrator holds nothing: its lock is released by the database (PostgreSQL) or the operating system (SQLite).',
      { environment },
    );
  }
}

/** A migration or seed file that cannot be loaded or exports no `up`/`seed`. */
export class MigrationLoadError extends EnvwardError {
  constructor(file: string, reason: string, cause?: unknown) {
    super(
      'EW_MIGRATION_LOAD',
      'problem',
      `${file}: ${reason}.`,
      'A migration exports `async function up(db)` (and optionally `down(db)`); a seed exports `async function seed(db)`.',
      { file },
      { cause },
    );
  }
}
