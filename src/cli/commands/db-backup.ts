import type { Command } from 'commander';
// The entry's lazy functions: Kysely and the drivers load when a backup runs, not with the CLI.
import { backupDatabase, restoreDatabase } from '../../data/index.js';
import { UsageError } from '../../errors.js';
import { type CommonOptions, forceFrom, outputFor, withCommonOptions } from '../common-options.js';

interface BackupOptions extends CommonOptions {
  readonly out?: string;
  readonly label?: string;
}

function short(sha256: string): string {
  return sha256.slice(0, 12);
}

/** Adds `backup` and `restore` to the `db` group (docs/backup.md). */
export function registerDbBackupCommands(db: Command): void {
  withCommonOptions(
    db
      .command('backup')
      .description("a consistent copy of the environment's database with its manifest (audited); old ones are pruned")
      .option('--out <file>', 'write it here (never over an existing file) instead of var/<env>/backups/')
      .option('--label <label>', 'ends the file name in var/<env>/backups/ (default manual)'),
  ).action(async (options: BackupOptions) => {
    const output = outputFor(options);
    const result = await backupDatabase({
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.env !== undefined ? { env: options.env } : {}),
      ...(options.out !== undefined ? { out: options.out } : {}),
      ...(options.label !== undefined ? { label: options.label } : {}),
    });
    for (const warning of result.warnings) output.warn(warning);
    for (const file of result.pruned) output.warn(`removed an old backup (database.backups.keep): ${file}`);
    const { manifest } = result;
    output.result(result, () =>
      [
        `${result.environment}: backed up to ${result.file} (audited as db.backup)`,
        `  ${manifest.dialect}, ${manifest.bytes} bytes, sha256 ${short(manifest.sha256)}…, migration head ${manifest.migrationHead ?? '(none)'}`,
        `  manifest ${result.file}.manifest.json`,
      ].join('\n'),
    );
  });

  withCommonOptions(
    db
      .command('restore')
      .description(
        "restore a backup of this environment into its database (needs --reason; audited); another environment's is refused",
      )
      .argument('<file>', 'the backup (its .manifest.json lies beside it)'),
  ).action(async (file: string, options: CommonOptions) => {
    const output = outputFor(options);
    if (!options.env) {
      throw new UsageError(
        'db restore needs --env: the environment restored into is never guessed.',
        'Example: envward db restore FILE --env staging --reason "INC-42: bad import"',
      );
    }
    const force = forceFrom(options);
    const result = await restoreDatabase({
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      env: options.env,
      file,
      reason: options.reason ?? '',
      ...(force ? { force } : {}),
    });
    for (const warning of result.warnings) output.warn(warning);
    for (const override of result.overrides) output.overrideWarning(override.guard, override.reason, override.message);
    if (result.safetyBackup) output.warn(`the database before the restore: ${result.safetyBackup}`);
    output.result(result, () =>
      [
        `${result.environment}: restored from ${result.restoredFrom} (audited as db.restore)`,
        `  taken ${result.manifest.createdAt}, migration head ${result.migrationHead ?? '(none)'}; stamped for ${result.environment}`,
      ].join('\n'),
    );
  });
}
