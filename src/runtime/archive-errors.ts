import { EnvwardError } from '../errors.js';

/** A file that is not a configuration archive envward can restore: not one, damaged, or too large. */
export class ArchiveInvalidError extends EnvwardError {
  constructor(file: string, reason: string) {
    super(
      'EW_ARCHIVE_INVALID',
      'problem',
      `${file} is not a configuration archive envward can restore: ${reason}. Nothing was written.`,
      'Restore from an intact copy of the archive (`envward config backup` writes one); an archive that was edited or cut short is refused as a whole.',
      { file },
    );
  }
}

/** An archive of one environment restored into another, without `--force --reason`. */
export class ArchiveEnvironmentError extends EnvwardError {
  constructor(target: string, held: readonly string[], from: string | undefined) {
    const holds = held.length === 0 ? 'no environment' : held.join(', ');
    super(
      'EW_ARCHIVE_ENVIRONMENT',
      'refused',
      from === undefined
        ? `the archive holds ${holds}, not ${target}: restoring another environment's configuration into ${target} is refused. Nothing was written.`
        : `restoring ${from}'s configuration into ${target} is refused without --force --reason: it is another environment's. Nothing was written.`,
      held.length === 0
        ? 'Restore an archive that holds this environment.'
        : `To copy it anyway, name the archive's environment and say why: \`--from ${from ?? held[0]} --force --reason "..."\` (audited; its secrets are not copied).`,
      { environment: target, held, ...(from !== undefined ? { from } : {}) },
    );
  }
}

/** An archive made in another project (its `project` name differs), without `--force --reason`. */
export class ArchiveProjectError extends EnvwardError {
  constructor(archived: string, current: string) {
    super(
      'EW_ARCHIVE_PROJECT',
      'refused',
      `the archive was made in project "${archived || '(unnamed)'}", and this is project "${current || '(unnamed)'}": restoring another project's configuration is refused. Nothing was written.`,
      'Check that this is the right archive; if it is, run the restore again with --force --reason "..." (audited).',
      { archived, current },
    );
  }
}

/** `config backup --out` names a file that exists. */
export class ArchiveExistsError extends EnvwardError {
  constructor(file: string) {
    super(
      'EW_ARCHIVE_EXISTS',
      'refused',
      `${file} exists: a backup never replaces a file unless told to. Nothing was written.`,
      'Choose another --out, or add --force to replace it.',
      { file },
    );
  }
}

/** A restore of another environment's archive that would point the target at another database. */
export class ArchiveStoreMoveError extends EnvwardError {
  constructor(target: string, from: string, keys: readonly string[]) {
    super(
      'EW_ARCHIVE_STORE',
      'refused',
      `${from}'s configuration would move ${target}'s store (${keys.join(', ')} would change): a copy keeps each environment on its own database. Nothing was written.`,
      `Give ${target} its own database where the copied files do not reach: $DATABASE_URL (or the variable of each key) for ${target}.`,
      { environment: target, from, keys },
    );
  }
}
