import { EnvwardError } from '../errors.js';

/** `env create` or `preview up` with a name that is taken (declared, or its directory exists). */
export class EnvExistsError extends EnvwardError {
  constructor(name: string, where: string) {
    super(
      'EW_ENV_EXISTS',
      'usage',
      `Environment "${name}" already exists (${where}).`,
      'Choose another name; to start over, remove that environment first (`envward preview down` for a preview).',
      { environment: name, where },
    );
  }
}

/** A new environment whose name says another tier (`prod-copy` of tier staging): the name would mislead. */
export class EnvNameMisleadingError extends EnvwardError {
  constructor(name: string, tier: string, word: string, looksLike: string) {
    super(
      'EW_ENV_NAME_MISLEADING',
      'usage',
      `The name "${name}" says "${word}" (${looksLike}), but the environment would be of tier ${tier}.`,
      `Choose a name that does not name another tier (qa, uat-2, eu-${tier}), or give --tier ${looksLike} if that is what it is.`,
      { environment: name, tier, word },
    );
  }
}

/** A code (banner and record-id prefix) another environment already has. */
export class EnvCodeTakenError extends EnvwardError {
  constructor(name: string, code: string, owner: string) {
    super(
      'EW_ENV_CODE_TAKEN',
      'usage',
      `The code ${code} for "${name}" is already ${owner}'s.`,
      'Give a free code with --code (2-4 upper-case letters or digits).',
      { environment: name, code, owner },
    );
  }
}

/** `preview down` of an environment `preview up` did not make, or a database namespace stamped for another. */
export class PreviewNotOursError extends EnvwardError {
  constructor(name: string, why: string) {
    super(
      'EW_PREVIEW_NOT_OURS',
      'refused',
      `"${name}" was not made by \`envward preview up\` (${why}): preview down removes only what preview up made.`,
      'Remove other environments by hand, deliberately; `envward preview list` shows the previews.',
      { environment: name },
    );
  }
}

/** A bad `--ttl` or `--database` for `preview up`. */
export class PreviewInputError extends EnvwardError {
  constructor(what: string, hint: string) {
    super('EW_PREVIEW_INPUT', 'usage', `preview up: ${what}`, hint);
  }
}
