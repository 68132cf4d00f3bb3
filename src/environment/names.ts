import { EnvNameError } from '../errors.js';

const ENV_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Throws `EW_ENV_NAME` unless `name` is a safe environment name (no `/`, `..`, upper case). */
export function assertEnvironmentName(name: string, where: string): void {
  if (!ENV_NAME.test(name)) throw new EnvNameError(name, where);
}
