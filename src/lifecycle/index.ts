/**
 * Environments made and removed at run time: `env create` from a template,
 * preview environments with a time to live. Every function loads its
 * implementation when called, so importing this loads nothing.
 */
import type { CreatedEnvironment, CreateEnvironmentRequest } from './create-environment.js';

export type { CreatedEnvironment, CreateEnvironmentRequest } from './create-environment.js';
export { EnvCodeTakenError, EnvExistsError, EnvNameMisleadingError } from './lifecycle-errors.js';

/**
 * Makes `config/environments/<name>/` from a template environment: settings
 * copied except where its database is, a declaration file, a new key pair;
 * the template's secrets listed to set, never copied.
 * @example const qa = await createEnvironment({ name: 'qa', from: 'staging' });
 */
export async function createEnvironment(request: CreateEnvironmentRequest): Promise<CreatedEnvironment> {
  const { createEnvironment: create } = await import('./create-environment.js');
  return create(request);
}
