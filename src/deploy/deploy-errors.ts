import { EnvwardError } from '../errors.js';

/** Which argument of a deployment record was refused. */
export type DeployField = 'version' | 'commit' | 'outcome' | 'reason' | 'limit';

/** A value short enough to quote in a message, control characters escaped by JSON. */
function quoted(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return `(a ${typeof value})`;
  const shown = value.length > 40 ? `${value.slice(0, 40)}… (${value.length} characters)` : value;
  return JSON.stringify(shown);
}

/** A deployment record's version, commit, outcome, reason or list limit that envward will not store. */
export class DeployInputError extends EnvwardError {
  constructor(field: DeployField, value: unknown, rule: string, example: string) {
    super(
      'EW_DEPLOY_INPUT',
      'usage',
      `deploy: ${field} ${quoted(value)} is refused: ${rule}.${field === 'limit' ? '' : ' Nothing was recorded.'}`,
      `Example: ${example}`,
      { field },
    );
  }
}

/** Preflight's promotion check: the environment before this one has not run the version successfully. */
export class DeployNotPromotedError extends EnvwardError {
  constructor(environment: string, previous: string, version: string, why: string) {
    super(
      'EW_DEPLOY_NOT_PROMOTED',
      'problem',
      `Version ${JSON.stringify(version)} may not go to ${environment} yet: deploy.promotionOrder puts ${previous} before it, and ${why}.`,
      `Deploy ${version} to ${previous} first and record it (envward deploy record --env ${previous} --version ${version} --outcome succeeded), or fix deploy.promotionOrder.`,
      { environment, previous, version },
    );
  }
}

/** Preflight's promotion check could not read the previous environment's deployment records. */
export class DeployPreviousUnreadableError extends EnvwardError {
  constructor(environment: string, previous: string, cause: string) {
    super(
      'EW_DEPLOY_PREVIOUS_UNREADABLE',
      'problem',
      `Cannot check that ${environment}'s version ran in ${previous} first: ${previous}'s store cannot be read (${cause}).`,
      `Run preflight where ${previous}'s database is reachable with its settings (envward db status --env ${previous} shows what fails), or fix deploy.promotionOrder.`,
      { environment, previous },
    );
  }
}

/** Preflight of an environment that deploy.promotionOrder puts after another, without the version to check. */
export class DeployVersionMissingError extends EnvwardError {
  constructor(environment: string, previous: string) {
    super(
      'EW_DEPLOY_VERSION_MISSING',
      'problem',
      `deploy.promotionOrder puts ${previous} before ${environment}, and preflight was given no version to check.`,
      `Give the version being deployed: envward preflight ${environment} --version V (or ENVWARD_VERSION=V).`,
      { environment, previous },
    );
  }
}
