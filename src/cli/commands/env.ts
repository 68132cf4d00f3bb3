import type { Command } from 'commander';
import { checkHost } from '../../acts/host-check.js';
import { renderBanner } from '../../environment/banner.js';
import { type CommonOptions, forceFrom, outputFor, withCommonOptions } from '../common-options.js';

export function registerEnvCommand(program: Command): void {
  withCommonOptions(program.command('env').description('show the environment this process runs as, and why')).action(
    async (options: CommonOptions) => {
      const output = outputFor(options);
      const force = forceFrom(options);
      const { project, environment, source, overruled, hostname, override, warnings } = await checkHost({
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
        ...(force ? { force } : {}),
      });
      if (override) output.overrideWarning(override.guard, override.reason, override.message);
      for (const warning of warnings) output.warn(warning);
      // Signals the --env option overruled are shown, so a disagreement is never silent.
      const overruledRows = overruled.map(
        (signal) => ['overruled', `${signal.detail} (says "${signal.name}")`] as const,
      );
      output.result(
        { ...environment, source, overruled, hostname, project: project.root, override: override ?? null },
        () => renderBanner(output.colors, environment, source, hostname, overruledRows),
      );
    },
  );
}
