import { EnvwardError } from '../errors.js';

/** A console password the user commands cannot take (length, or the prompts differ). */
export class ConsolePasswordError extends EnvwardError {
  constructor(message: string) {
    super('EW_CONSOLE_PASSWORD', 'usage', message, 'Use a passphrase of 12 or more characters.');
  }
}

/** A user command's name: unknown, taken, malformed, or a role for an environment the project lacks. */
export class ConsoleUserError extends EnvwardError {
  constructor(message: string, hint = 'envward users list shows the users and their roles.') {
    super('EW_CONSOLE_USER', 'usage', message, hint);
  }
}

/** The console cannot start as configured. */
export class ConsoleConfigError extends EnvwardError {
  constructor(message: string, hint: string) {
    super('EW_CONSOLE_CONFIG', 'problem', message, hint);
  }
}
