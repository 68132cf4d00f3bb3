import { EnvwardError } from '../errors.js';

/** No request of that number in the environment's store. */
export class RequestNotFoundError extends EnvwardError {
  constructor(environment: string, id: number) {
    super(
      'EW_REQUEST_NOT_FOUND',
      'usage',
      `${environment} has no change request #${id}.`,
      `\`envward requests list --env ${environment}\` shows its requests.`,
      { environment, id },
    );
  }
}

/** The requester reviewing their own request. */
export class RequestSelfReviewError extends EnvwardError {
  constructor(environment: string, id: number, actor: string) {
    super(
      'EW_REQUEST_SELF_REVIEW',
      'refused',
      `${actor} made request #${id} in ${environment} and cannot review it: approvals come from someone else.`,
      'Ask another person to approve or reject it.',
      { environment, id, actor },
    );
  }
}

/** A second review of one request by the same person. */
export class RequestReviewedError extends EnvwardError {
  constructor(environment: string, id: number, actor: string) {
    super(
      'EW_REQUEST_REVIEWED',
      'refused',
      `${actor} has already reviewed request #${id} in ${environment}: each person reviews once.`,
      `\`envward requests show ${id} --env ${environment}\` shows its reviews.`,
      { environment, id, actor },
    );
  }
}

/** A request decided already (applied, rejected, stale or failed): it takes no more reviews. */
export class RequestClosedError extends EnvwardError {
  constructor(environment: string, id: number, status: string) {
    super(
      'EW_REQUEST_CLOSED',
      'refused',
      `request #${id} in ${environment} is ${status}: it takes no more reviews.`,
      'Propose the change again if it is still wanted.',
      { environment, id, status },
    );
  }
}

/** The state changed between the request and its approval: it is not applied. */
export class RequestStaleError extends EnvwardError {
  constructor(environment: string, id: number, what: string) {
    super(
      'EW_REQUEST_STALE',
      'refused',
      `request #${id} in ${environment} was not applied: ${what} changed since it was proposed, so reviewers approved a change against a state that is gone.`,
      'Propose the change again against the current state; the request is closed as stale.',
      { environment, id },
    );
  }
}

/** A change a request cannot hold (unknown kind, no key, a value of the wrong type). */
export class RequestChangeError extends EnvwardError {
  constructor(message: string) {
    super(
      'EW_REQUEST_CHANGE',
      'usage',
      message,
      "A change is { kind: 'config.set', set, unset }, { kind: 'config.rollback', to }, { kind: 'secret.set', key, value } or { kind: 'migrate.destructive' }.",
    );
  }
}
