import type { Command } from 'commander';
import { scaffoldProject } from '../../project/index.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';

export function registerInitCommand(program: Command): void {
  withCommonOptions(
    program.command('init').description('scaffold envward.config.ts and config/ in --cwd (never overwrites)'),
  ).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const result = await scaffoldProject(options.cwd ?? process.cwd());
    output.result(result, () =>
      [
        `Created an envward project in ${result.root}:`,
        ...result.written.map((file) => `  ${file}`),
        '',
        'Next: envward env, envward config show --env staging, envward config explain log.level --env production',
      ].join('\n'),
    );
  });
}
