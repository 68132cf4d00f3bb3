import type { Command } from 'commander';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { setExitCode } from '../exit-status.js';
import { printable } from '../output.js';

interface UpOptions extends CommonOptions {
  readonly from?: string;
  readonly ttl: string;
  readonly owner?: string;
  readonly database?: string;
}

const lifecycle = () => import('../../lifecycle/index.js');

function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3_600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** `envward preview up|list|down|gc`: short-lived environments per pull request. */
export function registerPreviewCommands(program: Command): void {
  const preview = program
    .command('preview')
    .description('preview environments: one per pull request, with a time to live');

  withCommonOptions(
    preview
      .command('up')
      .description('make a preview environment: declared, its database stamped, migrated and seeded')
      .argument('<name>', 'the preview, e.g. pr-123')
      .option('--from <env>', 'the environment whose settings and seeds it starts from', 'staging')
      .requiredOption('--ttl <duration>', 'how long it lives: 30m, 72h, 7d (at most 90 days)')
      .option('--owner <who>', 'who asked for it (default: the actor)')
      .option(
        '--database <url>',
        'a postgres:// database for its schema (default: $ENVWARD_PREVIEW_DATABASE, else a SQLite file)',
      ),
  ).action(async (name: string, options: UpOptions) => {
    const output = outputFor(options);
    const { previewUp } = await lifecycle();
    const made = await previewUp({
      name,
      ttl: options.ttl,
      ...(options.from !== undefined ? { from: options.from } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      ...(options.database !== undefined ? { database: options.database } : {}),
    });
    if (!output.json) {
      process.stderr.write(
        `Preview ${made.name} (${made.code}) made from ${made.from} for ${printable(made.owner)}, until ${made.expiresAt}.\n` +
          `  database ${made.database}: stamped, ${made.migrations.length} migration(s), ${made.seeds.length} seed(s)\n` +
          made.secretsToSet.map((key) => `  secret to set: envward secrets set ${key} --env ${made.name}\n`).join('') +
          `  deploy with ENVWARD_ENV=${made.name}\n`,
      );
    }
    // The name alone on stdout, for the pipeline: NAME=$(envward preview up pr-123 --ttl 72h)
    output.result(made, () => made.name);
  });

  withCommonOptions(preview.command('list').description('the preview environments, with owner, age and expiry')).action(
    async (options: CommonOptions) => {
      const output = outputFor(options);
      const { listPreviews } = await lifecycle();
      const previews = await listPreviews(options.cwd !== undefined ? { cwd: options.cwd } : {});
      output.result({ previews }, () =>
        previews.length === 0
          ? 'No preview environments.'
          : previews
              .map(
                (entry) =>
                  `${entry.name}  ${entry.code}  from ${entry.from}  owner ${printable(entry.owner)}  age ${age(entry.ageSeconds)}  ${entry.expired ? 'EXPIRED' : 'expires'} ${entry.expiresAt}  ${entry.database}`,
              )
              .join('\n'),
      );
    },
  );

  withCommonOptions(
    preview
      .command('down')
      .description('remove a preview environment preview up made: its database, then its files (audited)')
      .argument('<name>', 'the preview'),
  ).action(async (name: string, options: CommonOptions) => {
    const output = outputFor(options);
    const { previewDown } = await lifecycle();
    const down = await previewDown({
      name,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    });
    if (down.warning) output.warn(down.warning);
    output.result(down, () => `Preview ${down.name} removed (${down.database} dropped, its files removed).`);
  });

  withCommonOptions(
    preview.command('gc').description('remove every expired preview environment; safe to run from cron'),
  ).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const { previewGc } = await lifecycle();
    const gc = await previewGc(options.cwd !== undefined ? { cwd: options.cwd } : {});
    for (const down of gc.removed) if (down.warning) output.warn(down.warning);
    output.result(gc, () =>
      [
        ...gc.removed.map((down) => `removed ${down.name} (${down.database})`),
        ...gc.failed.map((failure) => `failed  ${failure.name}: ${failure.code}: ${printable(failure.message)}`),
        `${gc.removed.length} removed, ${gc.failed.length} failed, ${gc.kept} kept.`,
      ].join('\n'),
    );
    if (gc.failed.length > 0) setExitCode(1);
  });
}
