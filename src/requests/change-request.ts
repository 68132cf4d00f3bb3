/** What a change request is, as the library and the console see it. */
import type { EnvironmentTarget } from '../acts/environment-target.js';
import type { RequestKind, RequestStatus } from './request-table.js';

export type { RequestKind, RequestStatus } from './request-table.js';

/** A change to propose. A secret's value is sealed at once: the request holds only its ciphertext. */
export type ProposedChange =
  | {
      readonly kind: 'config.set';
      readonly set?: Readonly<Record<string, string>>;
      readonly unset?: readonly string[];
    }
  | { readonly kind: 'config.rollback'; readonly to: number }
  | { readonly kind: 'secret.set'; readonly key: string; readonly value: string }
  | { readonly kind: 'migrate.destructive' };

/** One line of a request's diff; secret values are shown as `(sealed)`, never in clear. */
export interface RequestDiffLine {
  readonly key: string;
  /** Text before (null: not set by revisions / not stored). */
  readonly from: string | null;
  readonly to: string | null;
}

export interface RequestReview {
  readonly reviewer: string;
  readonly decision: 'approve' | 'reject';
  readonly reason: string;
  readonly at: string;
}

/** A change request with its reviews. */
export interface ChangeRequest {
  readonly id: number;
  readonly environment: string;
  readonly kind: RequestKind;
  readonly status: RequestStatus;
  readonly requester: string;
  readonly reason: string;
  /** Approvals needed (the policy's when it was proposed). */
  readonly required: number;
  readonly approvals: number;
  readonly diff: readonly RequestDiffLine[];
  readonly createdAt: string;
  readonly decidedAt: string | null;
  /** How it ended: `revision 7`, `stored`, or the code that stopped it; '' while pending. */
  readonly outcome: string;
  readonly reviews: readonly RequestReview[];
}

/** Who acts: default the OS user; the console passes `console:<name>`. */
interface Acting extends EnvironmentTarget {
  readonly env: string;
  readonly actor?: string;
}

export interface ProposeChangeRequest extends Acting {
  readonly change: ProposedChange;
  readonly reason: string;
}

export interface ListRequestsRequest extends EnvironmentTarget {
  readonly env: string;
  readonly status?: RequestStatus;
}

export interface ShowRequestRequest extends EnvironmentTarget {
  readonly env: string;
  readonly id: number;
}

export interface ReviewRequestRequest extends Acting {
  readonly id: number;
  readonly reason?: string;
}
