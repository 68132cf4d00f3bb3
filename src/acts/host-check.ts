import type { Project } from '../config/index.js';
import { assertHostAllowed, type Detection, type ForceOverride, type GuardOverride } from '../environment/index.js';
import { type EnvironmentTarget, openTarget } from './environment-target.js';
import { recordAct, unauditedReason } from './record-act.js';

export interface HostCheckRequest extends EnvironmentTarget {
  /** Lets a refused host check through (the CLI's --force --reason); the override is audited. */
  readonly force?: ForceOverride;
}

export interface HostCheck extends Detection {
  readonly project: Project;
  readonly hostname: string;
  /** Set when `force` let a refused host check through. */
  readonly override: GuardOverride | undefined;
  /** Whether the override is in the environment's audit log; true when there is none to audit. */
  readonly audited: boolean;
  /** What the user should be told (an override that went unaudited). */
  readonly warnings: readonly string[];
}

/**
 * Detects the environment this process runs as and checks that this host
 * may run it (EW_HOST_MISMATCH otherwise), as `envward env` does. With
 * `force`, a refused check is let through and audited in the environment's
 * store (`guard.override`, `<guard> <host>`, the reason); the override is
 * done either way, so a store that cannot be used leaves it unaudited with
 * a warning. The caller should print `override.message` loudly.
 * @example
 * const { environment, override } = await checkHost({ force: { reason: 'INC-1234: failover host' } });
 */
export async function checkHost(request: HostCheckRequest = {}): Promise<HostCheck> {
  const { project, environment, source, overruled, variables, hostname } = await openTarget(request);
  const override = assertHostAllowed(environment, hostname, project.environments, request.force);
  const result = { environment, source, overruled, project, hostname, override };
  if (!override) return { ...result, audited: true, warnings: [] };
  try {
    await recordAct(
      { project, env: environment.name, variables, hostname },
      {
        action: 'guard.override',
        target: `${override.guard} ${hostname}`,
        reason: override.reason,
        outcome: 'allowed',
      },
      { unstamped: 'record' },
    );
    return { ...result, audited: true, warnings: [] };
  } catch (error) {
    const warning = `guard.override on ${environment.name} is not audited: its store could not be opened (${unauditedReason(error)})`;
    return { ...result, audited: false, warnings: [warning] };
  }
}
