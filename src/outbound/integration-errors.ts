import { EnvwardError } from '../errors.js';

/**
 * An integration cannot be declared or built: a declaration in
 * `integrations(...)` that is wrong (`environment` undefined), a name not
 * declared, mode `mock` with no mock given, a mode its environment refuses,
 * or no `baseUrl`. Names the integration and the environment, never a credential.
 */
export class IntegrationConfigError extends EnvwardError {
  constructor(integration: string, environment: string | undefined, problem: string, hint: string) {
    const where = environment === undefined ? 'in integrations(...) of envward.config.ts' : `in ${environment}`;
    super('EW_INTEGRATION_CONFIG', 'problem', `Integration "${integration}" ${where}: ${problem}.`, hint, {
      integration,
      ...(environment === undefined ? {} : { environment }),
    });
  }
}
