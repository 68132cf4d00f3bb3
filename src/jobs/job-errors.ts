import { EnvwardError } from '../errors.js';

/** Where a job is allowed, as its declaration says it: `environments staging, production` or `tiers production`. */
export function allowedText(gate: {
  readonly environments?: readonly string[];
  readonly tiers?: readonly string[];
}): string {
  const parts: string[] = [];
  if (gate.environments?.length) parts.push(`environments ${gate.environments.join(', ')}`);
  if (gate.tiers?.length) parts.push(`tiers ${gate.tiers.join(', ')}`);
  return parts.join(' and ');
}

/** Why a job does not run here: its declaration does not allow the environment, or `jobs.<name>.enabled` is false. */
export type GateReason = 'environment' | 'disabled';

/** A job asked to run (scheduled or by hand) where its declaration does not allow it, or where it is disabled. */
export class JobGatedError extends EnvwardError {
  readonly reason: GateReason;

  constructor(
    job: string,
    environment: { readonly name: string; readonly tier: string },
    gate: { readonly environments?: readonly string[]; readonly tiers?: readonly string[] },
    reason: GateReason,
  ) {
    const why =
      reason === 'environment'
        ? `it runs only in ${allowedText(gate)}, and ${environment.name} is a ${environment.tier} environment`
        : `jobs.${job}.enabled is false in ${environment.name}`;
    super(
      'EW_JOB_GATED',
      'refused',
      `Job ${job} does not run in ${environment.name}: ${why}.`,
      reason === 'environment'
        ? `Run it where it is allowed, or for a one-off run here: envward jobs run ${job} --env ${environment.name} --force --reason "..." (audited).`
        : `Enable it with envward config set jobs.${job}.enabled=true --env ${environment.name} --reason "...", or force one run with --force --reason "..." (audited).`,
      { job, environment: environment.name, reason, allowed: allowedText(gate) },
    );
    this.reason = reason;
  }
}

/** A job name that `defineJobs` of envward.config.ts does not declare. */
export class JobUnknownError extends EnvwardError {
  constructor(job: string, declared: readonly string[]) {
    super(
      'EW_JOB_UNKNOWN',
      'usage',
      `No job named ${JSON.stringify(job.slice(0, 64))} is declared in defineJobs of envward.config.ts; declared: ${declared.length > 0 ? declared.join(', ') : '(none)'}.`,
      'Check the name with `envward jobs list --env E`.',
      { declared: [...declared] },
    );
  }
}

/** A job declared wrong (`defineJobs`), or started without a handler. */
export class JobDefinitionError extends EnvwardError {
  constructor(job: string, problem: string) {
    super(
      'EW_JOB_DEFINITION',
      'problem',
      `Job ${job}: ${problem}.`,
      'Fix the declaration in defineJobs of envward.config.ts, or pass the handler to startJobs (docs/jobs.md).',
      { job },
    );
  }
}

/** A run started by hand (`runJob`, `envward jobs run`) failed; it is recorded as `failed`. */
export class JobFailedError extends EnvwardError {
  constructor(job: string, environment: string, slot: string, error: string) {
    super(
      'EW_JOB_FAILED',
      'problem',
      `Job ${job} failed in ${environment} (slot ${slot}): ${error}`,
      `See envward jobs history --env ${environment} --job ${job}; fix it and run it again.`,
      { job, environment, slot },
    );
  }
}
