/**
 * Change approvals (maker-checker), declared per environment in code:
 * `approvals: { required: 1, for: ['config', 'secrets', 'migrations'] }`.
 * Declared in envward.config.ts only, so no file, variable or revision can
 * weaken it. The direct acts ask `assertNoApprovalNeeded` before they write.
 */
import { EnvDefinitionError, EnvwardError } from '../errors.js';
import type { Environment } from './environment.js';

/** The kinds of change a policy may cover. */
export const APPROVAL_KINDS = Object.freeze(['config', 'secrets', 'migrations'] as const);
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

/** The most approvals a policy may ask for: more would make a change impossible for a small team. */
export const MAX_APPROVALS = 5;

/** How a project declares an environment's policy. */
export interface ApprovalsDeclaration {
  /** Approvals needed from people other than the requester, 0..5; 0 (default) is no policy. */
  readonly required?: number;
  /** Which changes need them; default all three. */
  readonly for?: readonly ApprovalKind[];
}

/** An environment's resolved policy: always set, frozen; `required: 0` means none. */
export interface ApprovalPolicy {
  readonly required: number;
  readonly for: readonly ApprovalKind[];
}

const NO_POLICY: ApprovalPolicy = Object.freeze({ required: 0, for: Object.freeze([...APPROVAL_KINDS]) });

/** The declared policy, checked (EW_ENV_DEFINITION naming what is wrong), with defaults filled in. */
export function resolveApprovalPolicy(name: string, declared: unknown, file: string): ApprovalPolicy {
  if (declared === undefined) return NO_POLICY;
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) {
    throw new EnvDefinitionError(
      `Environment "${name}" has approvals that are not an object: use { required: 1, for: ['config'] }`,
      file,
    );
  }
  const { required = 0, for: kinds = APPROVAL_KINDS, ...rest } = declared as Record<string, unknown>;
  const unknownField = Object.keys(rest)[0];
  if (unknownField !== undefined) {
    throw new EnvDefinitionError(
      `Environment "${name}" has approvals.${unknownField.slice(0, 40)}: only required and for are known`,
      file,
    );
  }
  if (typeof required !== 'number' || !Number.isInteger(required) || required < 0 || required > MAX_APPROVALS) {
    throw new EnvDefinitionError(
      `Environment "${name}" has approvals.required ${typeof required === 'number' ? required : `of type ${typeof required}`}: use a whole number from 0 to ${MAX_APPROVALS}`,
      file,
    );
  }
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((kind) => APPROVAL_KINDS.includes(kind))) {
    throw new EnvDefinitionError(
      `Environment "${name}" has approvals.for that is not a non-empty list of ${APPROVAL_KINDS.join(', ')}`,
      file,
    );
  }
  return Object.freeze({ required, for: Object.freeze([...new Set(kinds as ApprovalKind[])]) });
}

/** Whether a change of `kind` in `environment` must go through a change request. */
export function approvalsNeeded(environment: Pick<Environment, 'approvals'>, kind: ApprovalKind): number {
  const policy = environment.approvals;
  return policy.required > 0 && policy.for.includes(kind) ? policy.required : 0;
}

/** A direct change where the environment's policy asks for approvals. */
export class ApprovalRequiredError extends EnvwardError {
  constructor(environment: string, kind: ApprovalKind, required: number, act: string) {
    super(
      'EW_APPROVAL_REQUIRED',
      'refused',
      `${act} in ${environment} needs ${required} approval${required === 1 ? '' : 's'}: ${environment}'s policy (envward.config.ts) covers ${kind} changes.`,
      `Propose it as a change request (the CLI does so: run the same command), then someone other than you runs \`envward requests approve ID --env ${environment}\`.`,
      { environment, kind, required },
    );
  }
}

/** Throws EW_APPROVAL_REQUIRED when `environment`'s policy covers `kind`. */
export function assertNoApprovalNeeded(
  environment: Pick<Environment, 'name' | 'approvals'>,
  kind: ApprovalKind,
  act: string,
): void {
  const required = approvalsNeeded(environment, kind);
  if (required > 0) throw new ApprovalRequiredError(environment.name, kind, required, act);
}
