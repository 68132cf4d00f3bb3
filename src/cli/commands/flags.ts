import type { Command } from 'commander';
import { formatIssue } from '../../errors.js';
import { type FlagInEnvironment, type ListedFlag, listFlags } from '../../flags/list-flags.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { setExitCode } from '../exit-status.js';
import type { Output } from '../output.js';
import { printable } from '../output.js';

/** The widest a value is shown in human output; --json has it whole. */
const SHOWN = 120;

function shown(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = printable(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text;
}

function flagHeader(flag: ListedFlag): string {
  const about = flag.description ? ` — ${shown(flag.description)}` : '';
  return `${flag.name}  ${flag.type}, default ${shown(flag.default)}, production: ${flag.production}${about}`;
}

function environmentLine(entry: FlagInEnvironment, widths: [number, number], output: Output): string[] {
  const rules = entry.rules === 1 ? '1 rule ' : `${entry.rules} rules`;
  const reason = entry.reason ? `  reason: ${shown(entry.reason)}` : '';
  const [name, value] = widths;
  return [
    `  ${entry.environment.padEnd(name)}  ${shown(entry.value).padEnd(value)}  ${rules}  ${output.colors.dim(`<- ${entry.source}`)}${reason}`,
    ...entry.issues.map((issue) => `    ${output.colors.red('invalid')} ${formatIssue(issue)}`),
  ];
}

interface ListOptions extends CommonOptions {
  readonly revisions?: boolean;
}

export function registerFlagsCommands(program: Command): void {
  const flags = program.command('flags').description('feature flags: each flag per environment');
  withCommonOptions(
    flags
      .command('list')
      .description("each declared flag's type and value per environment (every environment unless --env), reads only"),
  )
    .option('--no-revisions', 'files, secrets and variables only: do not read runtime revisions from the store')
    .action(async (options: ListOptions) => {
      const output = outputFor(options);
      const list = await listFlags({
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
        revisions: options.revisions !== false,
      });
      for (const note of list.notes) output.warn(`${note.environment}: ${note.message}`);
      output.result(list, () => {
        if (list.flags.length === 0)
          return 'envward.config.ts declares no flags (add flags({...}) from envward/flags to `use`).';
        const width = Math.max(...list.environments.map((name) => name.length));
        return list.flags
          .flatMap((flag) => {
            const values = Math.max(...flag.environments.map((entry) => shown(entry.value).length));
            return [
              output.colors.bold(flagHeader(flag)),
              ...flag.environments.flatMap((entry) => environmentLine(entry, [width, values], output)),
            ];
          })
          .join('\n');
      });
      if (list.problems) setExitCode(1);
    });
}
