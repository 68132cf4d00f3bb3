import type { Command } from 'commander';
import { backupConfig, type RestoredEnvironment, restoreConfig } from '../../runtime/index.js';
import { type CommonOptions, forceFrom, outputFor, withCommonOptions } from '../common-options.js';

interface BackupOptions extends CommonOptions {
  readonly all?: boolean;
  readonly out: string;
}

interface RestoreOptions extends CommonOptions {
  readonly all?: boolean;
  readonly from?: string;
}

const list = (items: readonly string[]) => (items.length === 0 ? 'none' : items.join(', '));

function revisionsLine(entry: RestoredEnvironment): string {
  const { revisions } = entry;
  if (!revisions) return 'no store here: revisions untouched, not audited';
  if (revisions.outcome === 'imported') return `revisions 1-${revisions.revision} imported`;
  if (revisions.outcome === 'restored') {
    return `revision ${revisions.revision} (restore) on top of ${revisions.previous}: the archive's state`;
  }
  return `already at revision ${revisions.revision}`;
}

/** `config backup` and `config restore`: the configuration archive (library: envward/runtime). */
export function registerConfigArchiveCommands(config: Command): void {
  withCommonOptions(
    config
      .command('backup')
      .description('write a checksummed archive of settings files, runtime revisions and encrypted secrets'),
  )
    .option('--all', 'every environment of the project')
    .requiredOption('--out <file>', 'the archive to write (refused if it exists, unless --force)')
    .action(async (options: BackupOptions) => {
      const output = outputFor(options);
      const result = await backupConfig({
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
        ...(options.all ? { all: true } : {}),
        out: options.out,
        // --force here only replaces the output file: no guard is overridden.
        ...(options.force ? { force: true } : {}),
        ...(options.reason !== undefined ? { reason: options.reason } : {}),
      });
      for (const warning of result.warnings) output.warn(warning);
      output.result(result, () =>
        [
          `wrote ${result.file} (${result.format} v${result.version}, ${result.checksum})`,
          `  project files: ${list(result.projectFiles)}`,
          ...result.environments.map(
            (entry) =>
              `  ${entry.environment}: ${entry.files.length} file(s), ${entry.revisions} revision(s)` +
              `${entry.audited ? '' : ' (not audited: no store)'}`,
          ),
        ].join('\n'),
      );
    });

  withCommonOptions(
    config
      .command('restore <file>')
      .description('restore an archive of `config backup`, validated whole before anything is written'),
  )
    .option('--all', 'every environment the archive holds')
    .option(
      '--from <env>',
      "with --env: the archive's environment to restore into it (another one needs --force --reason)",
    )
    .action(async (file: string, options: RestoreOptions) => {
      const output = outputFor(options);
      const force = forceFrom(options);
      const result = await restoreConfig({
        file,
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
        ...(options.all ? { all: true } : {}),
        ...(options.from !== undefined ? { from: options.from } : {}),
        ...(options.reason !== undefined ? { reason: options.reason } : {}),
        ...(force ? { force } : {}),
      });
      for (const override of result.overrides)
        output.overrideWarning(override.guard, override.reason, override.message);
      for (const warning of result.warnings) output.warn(warning);
      // JSON says null, not nothing, for an environment whose revisions were left alone.
      const data = {
        ...result,
        environments: result.environments.map((e) => ({ ...e, revisions: e.revisions ?? null })),
      };
      output.result(data, () => {
        const { written, unchanged, kept } = result.projectFiles;
        const lines = [`restored ${result.file} (project ${result.project || '(unnamed)'})`];
        if (written.length + unchanged.length + kept.length > 0) {
          lines.push(`  project files: written ${list(written)}; unchanged ${list(unchanged)}; kept ${list(kept)}`);
        }
        for (const entry of result.environments) {
          const source = entry.from === entry.environment ? '' : ` from ${entry.from}`;
          lines.push(
            `  ${entry.environment}${source}: files written ${list(entry.written)}; unchanged ${list(entry.unchanged)}; ${revisionsLine(entry)}`,
          );
        }
        return lines.join('\n');
      });
    });
}
