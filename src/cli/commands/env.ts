import { hostname } from 'node:os';
import type { Command } from 'commander';
import { openProject } from '../../config/index.js';
import { renderBanner } from '../../environment/banner.js';
import { assertHostAllowed, detectEnvironment } from '../../environment/index.js';
import { auditAct } from '../audit-act.js';
import { type CommonOptions, forceFrom, outputFor, withCommonOptions } from '../common-options.js';

export function registerEnvCommand(program: Command): void {
  withCommonOptions(program.command('env').description('show the environment this process runs as, and why')).action(
    async (options: CommonOptions) => {
      const output = outputFor(options);
      const project = await openProject(options.cwd);
      const host = hostname();
      const { environment, source, overruled } = detectEnvironment({
        catalogue: project.environments,
        option: options.env,
        variables: process.env,
        projectRoot: project.root,
        hostname: host,
      });
      const override = assertHostAllowed(environment, host, project.environments, forceFrom(options));
      if (override) {
        output.overrideWarning(override.guard, override.reason, override.message);
        await auditAct(
          options,
          environment.name,
          {
            action: 'guard.override',
            target: `${override.guard} ${host}`,
            reason: override.reason,
            outcome: 'allowed',
          },
          output,
        );
      }
      // Signals the --env option overruled are shown, so a disagreement is never silent.
      const overruledRows = overruled.map(
        (signal) => ['overruled', `${signal.detail} (says "${signal.name}")`] as const,
      );
      output.result(
        { ...environment, source, overruled, hostname: host, project: project.root, override: override ?? null },
        () => renderBanner(output.colors, environment, source, host, overruledRows),
      );
    },
  );
}
