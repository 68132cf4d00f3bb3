/**
 * How the console reads an environment for its pages: as its services run
 * now (files, secrets, variables and its latest runtime revision, the store
 * opened read-only), issues collected rather than thrown. A page never
 * crashes on what the environment lacks here: a store that cannot be read,
 * a private key this host does not hold or any other library error becomes
 * a warning on the page, with as much shown as could be read.
 */
import type { ConfigLayer } from '../../config/layer.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { isEnvwardError } from '../../errors.js';
import { resolveCurrent } from '../../runtime/current-config.js';
import type { ConsoleSite } from '../site.js';

export interface EnvironmentReading {
  /** Undefined when nothing could be resolved (the warnings say why). */
  readonly resolved: ResolvedConfig<unknown> | undefined;
  /** The runtime revision applied (0: none, or not read). */
  readonly revision: number;
  /** What the reader should know; never a value. */
  readonly warnings: readonly string[];
}

/** A secrets layer that reads nothing: the environment shown without its secrets where this host cannot open them. */
export const SEALED_SECRETS: ConfigLayer = { name: 'secrets', load: () => ({ entries: [], issues: [] }) };

function errorText(error: unknown): string {
  return isEnvwardError(error) ? `${error.code}: ${error.message}` : 'an unexpected error (see the server log)';
}

/** How the console resolves an environment to read it: no host check (it is not running as it), issues collected. */
export function readOptions(site: ConsoleSite, name: string) {
  return {
    project: site.project,
    env: name,
    variables: site.variables,
    hostname: site.hostname,
    checkHost: false,
    collectIssues: true,
  } as const;
}

/** The environment `name` as it runs now, read without writing anything. */
export async function readEnvironment(site: ConsoleSite, name: string): Promise<EnvironmentReading> {
  const options = readOptions(site, name);
  const read = async (layers: readonly ConfigLayer[]) => {
    const current = await resolveCurrent<unknown>(true, { ...options, layers });
    return {
      resolved: current.resolved,
      revision: current.revision,
      warnings: [
        ...current.resolved.warnings.map((warning) => `${warning.code}: ${warning.message}`),
        ...current.warnings,
      ],
    };
  };
  try {
    return await read([]);
  } catch (error) {
    if (!isEnvwardError(error) || !error.code.startsWith('EW_SECRET_')) {
      return { resolved: undefined, revision: 0, warnings: [`${name} could not be read (${errorText(error)})`] };
    }
    try {
      const sealed = await read([SEALED_SECRETS]);
      const why = `${name}'s secrets are not shown: they cannot be opened on this host (${errorText(error)})`;
      return { ...sealed, warnings: [why, ...sealed.warnings] };
    } catch (again) {
      return { resolved: undefined, revision: 0, warnings: [`${name} could not be read (${errorText(again)})`] };
    }
  }
}
