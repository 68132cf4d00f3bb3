import type { Command } from 'commander';
import { checkHost } from '../../acts/host-check.js';
import { renderBanner } from '../../environment/banner.js';
import type { Colour, Tier } from '../../environment/index.js';
import { type CommonOptions, forceFrom, outputFor, withCommonOptions } from '../common-options.js';

interface CreateOptions extends CommonOptions {
  readonly from: string;
  readonly tier?: Tier;
  readonly colour?: Colour;
  readonly code?: string;
}

function registerEnvCreate(env: Command): void {
  withCommonOptions(
    env
      .command('create')
      .description('make a new environment from a template: its settings copied, a new key pair, its secrets to set')
      .argument('<name>', 'the new environment (a-z, 0-9, -)')
      .requiredOption('--from <env>', 'the environment to copy the settings of')
      .option('--tier <tier>', "the new environment's tier (default: the template's)")
      .option('--colour <colour>', 'banner colour: green, blue, amber, red or purple')
      .option('--code <code>', 'short code, 2-4 upper-case letters or digits (default: from the name)'),
  ).action(async (name: string, _options: CreateOptions, command: Command) => {
    // `env` takes the common options too: commander gives them to it wherever they stand.
    const options = command.optsWithGlobals<CreateOptions>();
    const output = outputFor(options);
    const { createEnvironment } = await import('../../lifecycle/index.js');
    const created = await createEnvironment({
      name,
      from: options.from,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.tier !== undefined ? { tier: options.tier } : {}),
      ...(options.colour !== undefined ? { colour: options.colour } : {}),
      ...(options.code !== undefined ? { code: options.code } : {}),
    });
    output.result(created, () =>
      [
        `Environment ${created.name} made from ${created.from}: tier ${created.tier}, ${created.colour}, code ${created.code}.`,
        ...created.files.map((file) => `  wrote ${file}`),
        ...created.notes.map((note) => `  ${note}`),
        created.secretsToSet.length > 0
          ? `Secrets to set (not copied from ${created.from}):
${created.secretsToSet.map((key) => `  envward secrets set ${key} --env ${created.name}`).join('\n')}`
          : `${created.from} has no secrets to set again.`,
        `Then: envward config validate --env ${created.name}`,
      ].join('\n'),
    );
  });
}

export function registerEnvCommand(program: Command): void {
  const env = withCommonOptions(
    program.command('env').description('show the environment this process runs as, and why'),
  );
  registerEnvCreate(env);
  env.action(async (options: CommonOptions) => {
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
    const overruledRows = overruled.map((signal) => ['overruled', `${signal.detail} (says "${signal.name}")`] as const);
    output.result(
      { ...environment, source, overruled, hostname, project: project.root, override: override ?? null },
      () => renderBanner(output.colors, environment, source, hostname, overruledRows),
    );
  });
}
