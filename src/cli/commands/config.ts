import type { Command } from 'commander';
import {
  type ConfigEntry,
  describeSource,
  diffConfigs,
  type Explanation,
  LAYER_DESCRIPTIONS,
  openProject,
} from '../../config/index.js';
import { type ConfigIssue, EnvwardError, formatIssue } from '../../errors.js';
import { resolveCurrent } from '../../runtime/current-config.js';
import { type CommonOptions, outputFor, setFrom, withCommonOptions } from '../common-options.js';
import { setExitCode } from '../exit-status.js';
import { printable } from '../output.js';
import { registerConfigArchiveCommands } from './config-archive.js';
import { registerRevisionCommands } from './config-revisions.js';

/** A value on one line of human output: control characters escaped, so it cannot fake a line. */
function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  return printable(typeof value === 'string' ? value : (JSON.stringify(value, bigintAsText) ?? String(value)));
}

function bigintAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

interface InspectOptions extends CommonOptions {
  /** False with --no-revisions: files, secrets and variables only, the store not read. */
  readonly revisions?: boolean;
}

function withRevisionsOption(command: Command): Command {
  return command.option(
    '--no-revisions',
    'files, secrets and variables only: do not read runtime revisions from the store',
  );
}

// Inspection commands read another environment's config without running as
// it, so the host check does not apply to them (`envward env` applies it).
// They show what the environment's services run with: its runtime revision applied.
async function inspect(options: InspectOptions, env = options.env) {
  const current = await resolveCurrent<Record<string, unknown>>(options.revisions !== false, {
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(env !== undefined ? { env } : {}),
    set: setFrom(options),
    checkHost: false,
  });
  const output = outputFor(options);
  // Printed once the command's own checks passed: a mistyped key is the one thing to say then.
  const warn = () => {
    for (const warning of [...current.resolved.warnings, ...current.warnings]) output.warn(warning);
  };
  return { ...current, warn };
}

function sourceText(entry: ConfigEntry): string {
  const { layer } = entry.source;
  const where = describeSource(entry.source);
  if (where === layer) return `${layer} (${LAYER_DESCRIPTIONS[layer]})`;
  return entry.source.file || entry.source.variable || entry.source.revision
    ? `${layer} at ${where}`
    : `${layer} (${where})`;
}

function explanationText(explanation: Explanation): string {
  const lines = [
    `${explanation.key} = ${formatValue(explanation.value)}${explanation.secret ? '  (secret, masked)' : ''}`,
  ];
  const { winner } = explanation;
  if (!winner) lines.push('  set by: nothing (no layer sets this key)');
  else lines.push(`  set by: ${sourceText(winner)}`);
  if (explanation.overridden.length > 0) {
    lines.push('  overrode, in layer order:');
    for (const entry of explanation.overridden) {
      lines.push(`    ${sourceText(entry)}: ${formatValue(entry.value)}`);
    }
  }
  return lines.join('\n');
}

export function registerConfigCommands(program: Command): void {
  const config = program
    .command('config')
    .description(
      'show, explain, validate and diff configuration; change it at run time (set, history, rollback, promote)',
    );
  registerRevisionCommands(config);
  registerConfigArchiveCommands(config);

  withRevisionsOption(
    withCommonOptions(config.command('show').description('the resolved configuration, secrets masked'), { set: true }),
  ).action(async (options: InspectOptions) => {
    const output = outputFor(options);
    const { resolved, revision, warn } = await inspect(options);
    warn();
    const rows = resolved.keys.map((key) => {
      const explanation = resolved.explain(key);
      return {
        key,
        value: explanation.value,
        secret: explanation.secret,
        source: explanation.winner ? describeSource(explanation.winner.source) : 'unset',
        layer: explanation.winner?.source.layer ?? null,
      };
    });
    const result = { environment: resolved.environment.name, detection: resolved.detection, revision, keys: rows };
    output.result(result, () => {
      const width = Math.max(...rows.map((row) => row.key.length));
      const at = revision > 0 ? `, runtime revision ${revision}` : '';
      const header = `${resolved.environment.name} (${resolved.environment.code}, ${resolved.environment.tier})${at}`;
      return [
        output.colors.bold(header),
        ...rows.map(
          (row) => `  ${row.key.padEnd(width)}  ${formatValue(row.value)}  ${output.colors.dim(`<- ${row.source}`)}`,
        ),
      ].join('\n');
    });
  });

  withRevisionsOption(
    withCommonOptions(config.command('explain <key>').description('where a value came from and what it overrode'), {
      set: true,
    }),
  ).action(async (key: string, options: InspectOptions) => {
    const output = outputFor(options);
    const { resolved, warn } = await inspect(options);
    const explanation = resolved.explain(key);
    warn();
    output.result({ environment: resolved.environment.name, ...explanation }, () => explanationText(explanation));
  });

  withRevisionsOption(
    withCommonOptions(config.command('validate').description('list every problem; exit 1 when any'), { set: true }),
  )
    .option('--all', 'validate every environment')
    .action(async (options: InspectOptions & { all?: boolean }) => {
      const output = outputFor(options);
      const project = await openProject(options.cwd);
      const names = options.all ? project.environments.names : [options.env];
      const reports: { environment: string; valid: boolean; issues: readonly ConfigIssue[] }[] = [];
      for (const name of names) {
        let resolved: Awaited<ReturnType<typeof resolveCurrent>>['resolved'];
        try {
          const current = await resolveCurrent(options.revisions !== false, {
            project,
            ...(name !== undefined ? { env: name } : {}),
            set: setFrom(options),
            checkHost: false,
            collectIssues: true,
          });
          resolved = current.resolved;
          for (const warning of current.warnings) output.warn(warning);
        } catch (error) {
          // Secrets that cannot be opened are a finding of this environment; go on with the others.
          if (!(error instanceof EnvwardError) || !error.code.startsWith('EW_SECRET_') || name === undefined)
            throw error;
          const issue = {
            code: error.code,
            key: String(error.details.key ?? ''),
            environment: name,
            message: error.message,
          };
          reports.push({ environment: name, valid: false, issues: [issue] });
          continue;
        }
        for (const warning of resolved.warnings) output.warn(warning);
        reports.push({
          environment: resolved.environment.name,
          valid: resolved.issues.length === 0,
          issues: resolved.issues,
        });
      }
      const failed = reports.some((report) => !report.valid);
      output.result({ valid: !failed, environments: reports }, () =>
        reports
          .map((report) =>
            report.valid
              ? `${output.colors.green('ok')}  ${report.environment}`
              : [
                  `${output.colors.red('invalid')}  ${report.environment}`,
                  ...report.issues.map((i) => `  - ${formatIssue(i)}`),
                ].join('\n'),
          )
          .join('\n'),
      );
      if (failed) setExitCode(1);
    });

  withRevisionsOption(
    withCommonOptions(
      config.command('diff <a> <b>').description('keys only in a, only in b, and changed; secrets as same/differs'),
      { set: true },
    ),
  ).action(async (a: string, b: string, options: InspectOptions) => {
    const output = outputFor(options);
    const project = await openProject(options.cwd);
    // An invalid side is shown as far as it resolves, marked, its issues listed; the exit code says invalid.
    const common = { project, set: setFrom(options), checkHost: false, collectIssues: true } as const;
    const currentA = await resolveCurrent(options.revisions !== false, { ...common, env: a });
    const currentB = await resolveCurrent(options.revisions !== false, { ...common, env: b });
    const [left, right] = [currentA.resolved, currentB.resolved];
    for (const warning of [...left.warnings, ...currentA.warnings, ...right.warnings, ...currentB.warnings]) {
      output.warn(warning);
    }
    const diff = diffConfigs(left, right);
    const invalid = diff.issues.a.length > 0 || diff.issues.b.length > 0;
    output.result({ ...diff, valid: !invalid }, () => {
      const lines = [diff.a, diff.b].flatMap((name, index) => {
        const issues = index === 0 ? diff.issues.a : diff.issues.b;
        if (issues.length === 0) return [];
        const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
        return [
          `${output.colors.red('invalid')}  ${name} (${count}; its values below are as set, unvalidated):`,
          ...issues.map((issue) => `  - ${formatIssue(issue)}`),
        ];
      });
      if (diff.differences.length === 0) lines.push(`${a} and ${b} resolve to the same configuration.`);
      for (const d of diff.differences) {
        if (d.secret) {
          lines.push(`  ${d.key}: secret, ${d.kind === 'same' ? 'same' : 'differs'}`);
          continue;
        }
        const left = d.a ? `${formatValue(d.a.value)} (${d.a.source})` : '(unset)';
        const right = d.b ? `${formatValue(d.b.value)} (${d.b.source})` : '(unset)';
        const label = d.kind === 'only-a' ? `only in ${a}` : d.kind === 'only-b' ? `only in ${b}` : 'changed';
        lines.push(`  ${d.key}: ${label}\n      ${a}: ${left}\n      ${b}: ${right}`);
      }
      return lines.join('\n');
    });
    if (invalid) setExitCode(1);
  });
}
