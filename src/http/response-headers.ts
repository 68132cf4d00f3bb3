import type { Environment } from '../environment/index.js';
import { ENVIRONMENT_HEADER, environmentHeaderValue } from './environment.js';
import { securityHeaders } from './security-headers.js';
import type { HttpSettings } from './settings.js';

/**
 * The headers every response carries, whoever writes it (a route, the
 * plugin's hooks, Fastify's `frameworkErrors`, or a reply written on the raw
 * socket): the environment's security headers and `X-Environment`. Computed
 * once at start; the request id is added per response.
 */
export function envwardResponseHeaders(
  settings: Pick<HttpSettings, 'helmet'>,
  environment: Pick<Environment, 'name' | 'tier'>,
): Readonly<Record<string, string>> {
  return Object.freeze({
    ...securityHeaders(settings.helmet, environment.name),
    [ENVIRONMENT_HEADER]: environmentHeaderValue(environment),
  });
}
