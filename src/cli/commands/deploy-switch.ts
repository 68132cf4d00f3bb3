import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
// The entry's lazy function: Kysely and the drivers load when the switch runs, not with the CLI.
import { switchSlot } from '../../runtime/index.js';
import { type CommonOptions, forceFrom, outputFor, withCommonOptions } from '../common-options.js';
import { printable } from '../output.js';

interface SwitchOptions extends CommonOptions {
  readonly to?: string;
  readonly instance?: readonly string[];
  readonly timeout?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function timeoutFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(ms >= 100 && ms <= 120_000)) {
    throw new UsageError('--timeout expects milliseconds from 100 to 120000.', 'Example: --timeout 5000');
  }
  return ms;
}

/** Adds `switch` to the `deploy` group: the active blue-green slot moved after its instances are checked. */
export function registerDeploySwitchCommand(deploy: Command): void {
  withCommonOptions(
    deploy
      .command('switch')
      .description(
        "make a slot active after its instances' readiness and preflight pass; switching back is the rollback",
      )
      .requiredOption('--to <slot>', 'the slot that takes traffic (one the environment declares)')
      .option('--instance <url>', "a target instance's base URL (repeatable; default deploy.slots.<slot>)", collect)
      .option('--timeout <ms>', 'how long each instance may take to answer readiness (default 5000)'),
  ).action(async (options: SwitchOptions) => {
    const output = outputFor(options);
    if (!options.env)
      throw new UsageError(
        'deploy switch needs --env.',
        'Example: envward deploy switch --env production --to green --reason "release 4.2"',
      );
    const force = forceFrom(options);
    const timeoutMs = timeoutFrom(options.timeout);
    const result = await switchSlot({
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      env: options.env,
      to: options.to ?? '',
      reason: options.reason ?? '',
      ...(options.instance !== undefined ? { instances: options.instance } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(force ? { force } : {}),
    });
    if (result.overridden.length > 0) {
      output.overrideWarning(
        'deploy switch',
        force?.reason ?? '',
        `switched ${result.environment} to ${result.to} although ${result.overridden.map((entry) => `${printable(entry.instance)}: ${printable(entry.problem)}`).join('; ')}`,
      );
    }
    output.result(result, () => {
      if (!result.switched) return `${result.environment}: ${result.to} is already the active slot; nothing switched.`;
      const lines = [`${result.environment}: active slot ${result.from} -> ${result.to} (audited as deploy.switch)`];
      for (const instance of result.instances) {
        lines.push(
          `  ${instance.ready ? 'ready  ' : 'FORCED '} ${printable(instance.instance)}${instance.problem ? `  ${printable(instance.problem)}` : ''}`,
        );
      }
      lines.push(`  preflight ${result.preflight ?? 'not run'}`);
      lines.push(
        `Instances of ${result.from} answer 503 "inactive slot" within a second; switch back with --to ${result.from}.`,
      );
      return lines.join('\n');
    });
  });
}
