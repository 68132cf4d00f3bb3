import { EnvwardError } from '../errors.js';

/** Why a key cannot be set by a runtime revision. */
export type RevisionKeyRefusal = 'secret' | 'store-location';

/** A key runtime revisions may not set: a secret, or a key that says where the revisions themselves are. */
export class RevisionKeyError extends EnvwardError {
  constructor(key: string, environment: string, why: RevisionKeyRefusal) {
    super(
      'EW_REVISION_KEY',
      'refused',
      why === 'secret'
        ? `${key} is secret: runtime revisions hold only non-secret keys (they are stored in plain text in the database).`
        : `${key} says where ${environment}'s store is, and runtime revisions live in that store: a revision cannot move it.`,
      why === 'secret'
        ? `Seal it with \`envward secrets set ${key} --env ${environment}\` (a restart applies it).`
        : `Change ${key} in config/environments/${environment}/settings.yml or its variable, and restart.`,
      { key, environment, why },
    );
  }
}

/** `--to N` names a revision the environment does not have. */
export class RevisionNotFoundError extends EnvwardError {
  constructor(environment: string, number: number, latest: number) {
    super(
      'EW_REVISION_NOT_FOUND',
      'usage',
      `${environment} has no revision ${number}: its revisions are 0 (before any) to ${latest}.`,
      `See them with \`envward config history --env ${environment}\`.`,
      { environment, number, latest },
    );
  }
}

/** A stored revision whose state is not what envward writes (edited by hand, or another tool). */
export class RevisionCorruptError extends EnvwardError {
  constructor(environment: string, number: number) {
    super(
      'EW_REVISION_CORRUPT',
      'problem',
      `revision ${number} of ${environment} in the store cannot be read: its state is not an object of texts.`,
      `Restore the revision table from a backup (\`envward config restore\`), or roll back to an earlier revision with \`envward config rollback --env ${environment} --to N\`.`,
      { environment, number },
    );
  }
}

/** A change to a protected environment's configuration without a reason. */
export class ReasonRequiredError extends EnvwardError {
  constructor(act: string, environment: string) {
    super(
      'EW_REASON_REQUIRED',
      'usage',
      `${act} in ${environment} needs a reason: ${environment} is protected, and its audit log records why.`,
      'Add --reason "why" (a ticket, an incident).',
      { environment },
    );
  }
}

/** A revision that would change nothing. */
export class RevisionNoChangeError extends EnvwardError {
  constructor(environment: string, latest: number) {
    super(
      'EW_REVISION_NO_CHANGE',
      'usage',
      `this would change nothing: ${environment}'s revision ${latest} already has these values.`,
      `See the current state with \`envward config history --env ${environment}\`.`,
      { environment, latest },
    );
  }
}
