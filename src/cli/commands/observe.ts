import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type ConfigLayer, openProject } from '../../config/index.js';
import { ConfigInvalidError, UsageError } from '../../errors.js';
import {
  alertmanagerConfig,
  alertmanagerYaml,
  alertRoutes,
  alertRuleSet,
  alertRules,
  grafanaDashboard,
} from '../../observe/index.js';
import { writeFileAtomically } from '../../project/atomic-write.js';
import { resolveConfig } from '../../resolution.js';
import { type CommonOptions, outputFor, setFrom, withCommonOptions } from '../common-options.js';

// Rules and dashboards need thresholds, not secrets: an environment's can be made where its key is not.
const SECRETS_NOT_OPENED: ConfigLayer = { name: 'secrets', load: async () => ({ entries: [], issues: [] }) };

type OutOptions = CommonOptions & { out?: string };

/** The environment's configuration without its secrets; a problem other than an unset secret refuses. */
async function resolveWithoutSecrets(options: CommonOptions) {
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
  return resolved;
}

/** Writes `text` to --out atomically; the absolute path, or null without --out (stdout then). */
async function writeOut(options: OutOptions, text: string): Promise<string | null> {
  if (options.out === undefined) return null;
  // An empty --out would resolve to the current directory.
  if (options.out.trim() === '')
    throw new UsageError('--out expects a file name, got an empty one.', 'Example: --out grafana/production.json');
  const file = resolve(options.out);
  await writeFileAtomically(file, text);
  return file;
}

export function registerObserveCommands(program: Command): void {
  const observe = program
    .command('observe')
    .description('observability: alerting rules, Grafana dashboards and Alertmanager routes per environment');

  withCommonOptions(
    observe.command('rules').description("Prometheus alerting rules with the environment's thresholds (alerts.*)"),
    { set: true },
  )
    .option('--out <file>', 'write the rules to this file (atomically) instead of stdout')
    .action(async (options: OutOptions) => {
      const output = outputFor(options);
      const resolved = await resolveWithoutSecrets(options);
      const set = alertRuleSet(resolved);
      const yaml = alertRules(resolved);
      const file = await writeOut(options, yaml);
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

  withCommonOptions(
    observe
      .command('dashboard')
      .description(
        "a Grafana dashboard (JSON model) of the environment's requests, readiness, config, deployments and jobs",
      ),
    { set: true },
  )
    .option('--out <file>', 'write the dashboard to this file (atomically) instead of stdout')
    .action(async (options: OutOptions) => {
      const output = outputFor(options);
      const resolved = await resolveWithoutSecrets(options);
      const dashboard = grafanaDashboard(resolved);
      const text = `${JSON.stringify(dashboard, null, 2)}\n`;
      const file = await writeOut(options, text);
      const { name, tier } = resolved.environment;
      if (!file) {
        // The dashboard itself is the machine-readable output, with or without --json.
        process.stdout.write(text);
        return;
      }
      output.result(
        { environment: name, tier, file, uid: dashboard.uid, title: dashboard.title, panels: dashboard.panels.length },
        () => `Grafana dashboard "${dashboard.title}" (${dashboard.panels.length} panels) written to ${file}`,
      );
    });

  withCommonOptions(
    observe
      .command('alertmanager')
      .description(
        'alertmanager.yml routing every environment by tier and severity: production pages, staging tickets',
      ),
  )
    .option('--out <file>', 'write the configuration to this file (atomically) instead of stdout')
    .action(async (options: OutOptions) => {
      const output = outputFor(options);
      if (options.env !== undefined) {
        throw new UsageError(
          'observe alertmanager routes every environment of the project; it takes no --env.',
          'Drop --env: one alertmanager.yml serves all environments (routes match the environment label).',
        );
      }
      const project = await openProject(options.cwd);
      const yaml = alertmanagerYaml(project);
      const file = await writeOut(options, yaml);
      const routes = alertRoutes(project);
      output.result({ file, routes, config: alertmanagerConfig(project), ...(file ? {} : { yaml }) }, () =>
        file
          ? `Alertmanager routes for ${routes.length} environments written to ${file}:\n` +
            routes.map((route) => `  ${route.environment} (${route.tier}) -> ${route.receiver}`).join('\n')
          : yaml.trimEnd(),
      );
    });
}
