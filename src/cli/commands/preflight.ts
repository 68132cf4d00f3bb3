import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { type PreflightCheck, runPreflight } from '../../preflight/index.js';
import { type CommonOptions, forceFrom, outputFor, withCommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { setExitCode } from '../exit-status.js';
import type { Output } from '../output.js';

function mark(output: Output, status: PreflightCheck['status']): string {
  const c = output.colors;
  if (status === 'pass') return c.green('ok     ');
  if (status === 'skipped') return c.dim('skipped');
  if (status === 'refused') return c.red(c.bold('REFUSED'));
  return c.red('FAIL   ');
}

export function registerPreflightCommand(program: Command): void {
  withCommonOptions(
    program
      .command('preflight')
      .argument('[environment]', 'the environment to deploy (or --env)')
      .option(
        '--version <v>',
        'the version to deploy, checked against deploy.promotionOrder (default $ENVWARD_VERSION)',
      )
      .description(
        'deploy gate: host, config, secrets, database stamp, migrations; exit 0 clear, 1 findings, 3 refused',
      ),
  ).action(async (environment: string | undefined, options: CommonOptions & { version?: string }) => {
    const output = outputFor(options);
    if (environment && options.env && environment !== options.env) {
      throw new UsageError(`preflight got two environments: ${environment} and --env ${options.env}.`);
    }
    const name = environment ?? options.env;
    if (!name) throw new UsageError('preflight needs an environment.', 'Example: envward preflight production');
    const force = forceFrom(options);
    const report = await runPreflight(name, {
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(force ? { force } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
    });
    output.result(report, () => {
      const lines = [`preflight ${report.environment} (${report.tier})`];
      for (const item of report.checks) {
        lines.push(`  ${mark(output, item.status)} ${item.name.padEnd(12)} ${item.summary}`);
        for (const finding of item.findings) {
          const where = finding.file ? ` (${finding.file}${finding.line !== undefined ? `:${finding.line}` : ''})` : '';
          const key = finding.key ? `${finding.key}: ` : '';
          lines.push(`           ${output.colors.red(finding.code)} ${key}${finding.message}${where}`);
        }
        for (const note of item.notes) lines.push(`           ${output.colors.dim(note)}`);
      }
      lines.push(
        report.outcome === 'clear'
          ? output.colors.green(`clear: ${report.environment} may be deployed`)
          : report.outcome === 'refused'
            ? output.colors.red('refused by a guard (exit 3)')
            : output.colors.red('findings: fix them before deploying (exit 1)'),
      );
      return lines.join('\n');
    });
    setExitCode(report.outcome === 'refused' ? EXIT.refused : report.outcome === 'findings' ? EXIT.problem : EXIT.ok);
  });
}
