import { EnvwardError } from './errors.js';

/**
 * A capability was used without the packages it takes as peers (envward
 * installs only what typed config needs; Kysely, Fastify, pino... are the
 * application's to install, as Kysely takes its drivers). Names the package
 * Node could not find and the one install line that brings the capability up.
 */
export class PeerMissingError extends EnvwardError {
  constructor(capability: string, missing: string, install: readonly string[], cause?: unknown) {
    const line = `npm install ${install.join(' ')}`;
    super(
      'EW_PEER_MISSING',
      'usage',
      `${capability} needs the package ${missing}, which is not installed in this project.`,
      `Install the peers of ${capability}: ${line}`,
      { capability, missing, install: line },
      { cause },
    );
  }
}
