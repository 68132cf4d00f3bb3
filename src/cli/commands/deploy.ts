import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
// The entry's lazy functions: Kysely and the store load when a deploy command runs, not with the CLI.
import { type DeploymentEntry, type DeployOutcome, listDeployments, recordDeployment } from '../../runtime/index.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { printable } from '../output.js';

function target(options: CommonOptions) {
  return {
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  };
}

/** --limit as a number; the library checks its range (EW_DEPLOY_INPUT). */
function limitFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,7}$/.test(text)) {
    throw new UsageError(
      '--limit expects a whole number of records.',
      'Example: deploy list --env production --limit 20',
    );
  }
  return Number(text);
}

function line(entry: DeploymentEntry): string {
  const commit = entry.commit ? ` (${entry.commit})` : '';
  const reason = entry.reason ? `  reason: ${printable(entry.reason)}` : '';
  return `#${entry.id}  ${entry.at}  ${printable(entry.version)}${commit}  ${entry.outcome}  by ${printable(entry.actor)} on ${printable(entry.host)}${reason}`;
}

/**
 * Adds `envward deploy` (deployment records: `record`, `list`) and returns
 * the group, so other deploy subcommands can be attached to it.
 */
export function registerDeploy(program: Command): Command {
  const deploy = program
    .command('deploy')
    .description('deployment records per environment: what version went where, and how it ended');

  withCommonOptions(
    deploy
      .command('record')
      .description('record a deployment from CI (audited as deploy.record)')
      .requiredOption('--version <v>', 'the version deployed: 1 to 100 printable characters')
      .option('--commit <sha>', 'the git commit deployed: 7 to 64 hex digits')
      .requiredOption('--outcome <outcome>', 'started, succeeded, failed or rolled-back'),
  ).action(async (options: CommonOptions & { version: string; commit?: string; outcome: string }) => {
    const output = outputFor(options);
    const entry = await recordDeployment({
      ...target(options),
      version: options.version,
      ...(options.commit !== undefined ? { commit: options.commit } : {}),
      // Checked by the library: an unknown outcome is EW_DEPLOY_INPUT.
      outcome: options.outcome as DeployOutcome,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    });
    output.result(entry, () => `${entry.environment}: recorded ${line(entry)} (audited)`);
  });

  withCommonOptions(
    deploy
      .command('list')
      .description("the environment's deployment records, newest first (reads only)")
      .option('--limit <n>', 'at most this many records (default 50, at most 1000)'),
  ).action(async (options: CommonOptions & { limit?: string }) => {
    const output = outputFor(options);
    const limit = limitFrom(options.limit);
    const list = await listDeployments({ ...target(options), ...(limit !== undefined ? { limit } : {}) });
    output.result(list, () =>
      list.deployments.length === 0
        ? `${list.environment}: no deployments recorded`
        : [`${list.environment}:`, ...list.deployments.map((entry) => `  ${line(entry)}`)].join('\n'),
    );
  });

  return deploy;
}
