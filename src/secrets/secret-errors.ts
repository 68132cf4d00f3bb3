import { EnvwardError } from '../errors.js';
import { keyVariable } from './paths.js';

/** A protected environment has encrypted secrets but no private key here. */
export class SecretKeyMissingError extends EnvwardError {
  constructor(environment: string, variable: string, file: string) {
    super(
      'EW_SECRET_KEY_MISSING',
      'refused',
      `${environment} has encrypted secrets but no private key here: neither $${variable} nor ${file} is present, so its secrets cannot be read.`,
      `Give the key as $${variable} (from your secret store) or put it in ${file} (mode 0600); \`envward secrets keygen --env ${environment}\` makes a key pair for a new environment.`,
      { environment, variable, file },
    );
  }
}

/** The private key given is not the environment's key, or not a key at all. */
export class SecretKeyWrongError extends EnvwardError {
  constructor(environment: string, where: string, detail: string, hint?: string) {
    super(
      'EW_SECRET_KEY_WRONG',
      'problem',
      `The private key from ${where} cannot open ${environment}'s secrets: ${detail}.`,
      hint ??
        `Use the private key that matches config/environments/${environment}/secrets.pub; after a rotate-key only the new key opens the secrets.`,
      { environment, where },
    );
  }
}

/** A stored value does not decrypt: changed, truncated, or moved from another key or environment. */
export class SecretDecryptError extends EnvwardError {
  constructor(environment: string, key: string, file: string, line: number | undefined) {
    super(
      'EW_SECRET_DECRYPT',
      'problem',
      `The secret ${key} of ${environment} does not decrypt (${file}${line !== undefined ? `:${line}` : ''}): the value is corrupted, truncated, or was copied from another key or environment. Nothing was resolved.`,
      `Restore the file from version control, or set the value again with \`envward secrets set ${key} --env ${environment}\`.`,
      { environment, key, file, ...(line !== undefined ? { line } : {}) },
    );
  }
}

/** A private key file others may read. */
export class SecretKeyPermissionsError extends EnvwardError {
  constructor(environment: string, file: string, mode: number) {
    super(
      'EW_SECRET_KEY_PERMISSIONS',
      'refused',
      `${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); ${environment} is protected and does not use a key that is not private.`,
      `chmod 600 ${file}`,
      { environment, file },
    );
  }
}

/** A secrets file that is not what envward writes. */
export class SecretFileError extends EnvwardError {
  constructor(file: string, reason: string, line?: number) {
    super(
      'EW_SECRET_FILE',
      'problem',
      `${file}${line !== undefined ? `:${line}` : ''}: ${reason}.`,
      'Secret files are written by `envward secrets`; restore the file from version control rather than editing it.',
      { file, ...(line !== undefined ? { line } : {}) },
    );
  }
}

/** keygen for an environment that already has a key pair. */
export class SecretKeyExistsError extends EnvwardError {
  constructor(environment: string, file: string) {
    super(
      'EW_SECRET_KEY_EXISTS',
      'refused',
      `${environment} already has a key pair (${file}); a second keygen would leave its secrets unreadable.`,
      `Use \`envward secrets rotate-key --env ${environment}\` to replace the key pair.`,
      { environment, file },
    );
  }
}

/** The environment has no public key yet, so nothing can be encrypted to it. */
export class SecretNoPublicKeyError extends EnvwardError {
  constructor(environment: string, file: string) {
    super(
      'EW_SECRET_NO_KEY_PAIR',
      'usage',
      `${environment} has no public key (${file}), so no secret can be encrypted to it.`,
      `Run \`envward secrets keygen --env ${environment}\` first.`,
      { environment, file },
    );
  }
}

/** The private key directory holds files tracked by git. */
export class SecretKeysTrackedError extends EnvwardError {
  constructor(files: readonly string[]) {
    super(
      'EW_SECRET_KEYS_TRACKED',
      'refused',
      `Private keys are tracked by git: ${files.join(', ')}. No key is written where git would commit it.`,
      'git rm --cached the files, add `.envward/keys/` to .gitignore, and rotate every key that was committed.',
      { files },
    );
  }
}

/** A secret key name that is not a secret() key of the schema, or a secret that is not stored. */
export class SecretKeyNameError extends EnvwardError {
  constructor(key: string, environment: string, reason: string, hint: string) {
    super('EW_SECRET_NAME', 'usage', `${key} (${environment}): ${reason}.`, hint, { key, environment });
  }
}

/** A value too short or too guessable for the environment's tier. */
export class SecretWeakError extends EnvwardError {
  constructor(key: string, environment: string, reason: string) {
    super(
      'EW_SECRET_WEAK',
      'problem',
      `The value for ${key} is too weak for ${environment}: ${reason}. Nothing was written.`,
      'Use a long random value, e.g. `openssl rand -base64 32`.',
      { key, environment },
    );
  }
}

/** No value arrived on stdin or at the prompt. */
export class SecretInputError extends EnvwardError {
  constructor(reason: string) {
    super(
      'EW_SECRET_INPUT',
      'usage',
      `No secret value: ${reason}.`,
      'Pipe the value on stdin (`printf %s "$VALUE" | envward secrets set KEY --env E`) or type it at the prompt; values are never taken from arguments.',
    );
  }
}

/** Another envward command held the environment's secrets lock for too long. */
export class SecretsLockedError extends EnvwardError {
  constructor(environment: string) {
    super(
      'EW_SECRET_LOCKED',
      'problem',
      `Another envward command is writing ${environment}'s secrets and did not finish in time; nothing was written.`,
      'Wait for it and run the command again; a lock left by a killed process expires after 5 seconds.',
      { environment },
    );
  }
}

/** A key path that is not a regular file (a directory, a FIFO, a device): no key is read from it or written to it. */
export class SecretKeyNotFileError extends EnvwardError {
  constructor(environment: string, file: string, what: string) {
    super(
      'EW_SECRET_KEY_NOT_FILE',
      'problem',
      `${file} is ${what}, not a key file: ${environment}'s key cannot be read from it or written to it.`,
      `Move it out of the way; envward keeps each key in a plain file there (the private key mode 0600), or takes the private key from $${keyVariable(environment)}.`,
      { environment, file },
    );
  }
}

/** A rotation journal that is not what rotate-key writes: nothing it names is renamed. */
export class SecretJournalError extends EnvwardError {
  constructor(environment: string, file: string, reason: string) {
    super(
      'EW_SECRET_JOURNAL',
      'problem',
      `${file} is not a rotation journal envward wrote (${reason}); nothing was renamed, and no command of ${environment} that reads its secrets runs while it is there.`,
      `rotate-key writes it only between its commit point and its end, naming ${environment}'s staged *.rotating files. If no rotation of ${environment} was interrupted, delete it and check who can write .envward/keys/; otherwise restore it from the machine where the rotation ran.`,
      { environment, file },
    );
  }
}

/** A protected environment's secret is revealed only when the reveal is audited in that environment's stamped database. */
export class RevealUnauditedError extends EnvwardError {
  constructor(environment: string, key: string, why: string) {
    super(
      'EW_REVEAL_UNAUDITED',
      'refused',
      `${key} of ${environment} was not revealed: ${environment} is protected, and the reveal could not be audited in a database stamped for ${environment} (${why}).`,
      `Run where ${environment}'s database is reachable and stamped (check DATABASE_URL / database.url; \`envward db status --env ${environment}\`).`,
      { environment, key },
    );
  }
}
