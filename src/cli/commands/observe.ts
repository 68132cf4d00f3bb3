import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ConfigLayer } from '../../config/index.js';
import { ConfigInvalidError } from '../../errors.js';
import { alertRuleSet, alertRules } from '../../observe/index.js';
import { writeFileAtomically } from '../../project/atomic-write.js';
import { resolveConfig } from '../../resolution.js';
import { type CommonOptions, outputFor, setFrom, withCommonOptions } from '../common-options.js';

// Alert rules need thresholds, not secrets: an environment's rules can be made where its key is not.
const SECRETS_NOT_OPENED: ConfigLayer = { name: 'secrets', load: async () => ({ entries: [], issues: [] }) };

export function registerObserveCommands(program: Command): void {
  const observe = program.command('observe').description('observability: alerting rules per environment');

  withCommonOptions(
    observe.command('rules').description("Prometheus alerting rules with the environment's thresholds (alerts.*)"),
    { set: true },
  )
    .option('--out <file>', 'write the rules to this file (atomically) instead of stdout')
    .action(async (options: CommonOptions & { out?: string }) => {
      const output = outputFor(options);
      const resolved = await resolveConfig<unknown>({
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
        set: setFrom(options),
        checkHost: false,
        collectIssues: true,
        layers: [SECRETS_NOT_OPENED],
      });
      const issues = resolved.issues.filter((issue) => !/^EW_RULE_SECRET_/.test(issue.code));
      if (issues.length > 0) throw new ConfigInvalidError(resolved.environment.name, issues);
      const set = alertRuleSet(resolved);
      const yaml = alertRules(resolved);
      const file = options.out !== undefined ? resolve(options.out) : null;
      if (file) await writeFileAtomically(file, yaml);
      output.result(
        {
          environment: set.environment,
          tier: set.tier,
          file,
          thresholds: set.thresholds,
          rules: set.rules,
          ...(file ? {} : { yaml }),
        },
        () =>
          file
            ? `${set.rules.length} alerting rules for ${set.environment} (${set.tier}) written to ${file}`
            : yaml.trimEnd(),
      );
    });
}
