/**
 * envward/fastify: the Fastify plugin and the server options that go with it.
 * Imported on its own entry point, so plain `envward` never loads Fastify.
 * @example
 * import Fastify from 'fastify';
 * import { resolveConfig } from 'envward';
 * import { openStore } from 'envward/store';
 * import { envwardFastify, envwardServerOptions } from 'envward/fastify';
 *
 * const config = await resolveConfig();
 * const app = Fastify(envwardServerOptions(config));
 * await app.register(envwardFastify, { config, store: await openStore(config) });
 */
export { AuthConfigError } from './auth-settings.js';
export { auth } from './auth-settings-schema.js';
export type { ConfigRevisionReport } from './config-revision.js';
export { ENVIRONMENT_HEADER, type EnvironmentInfo, environmentHeaderValue } from './environment.js';
export type { ErrorReplyBody } from './error-replies.js';
export { HTTP_REPLY_CODES, HttpOptionsError, type HttpReplyCode } from './http-errors.js';
export type { Authenticate, RouteAuth } from './jwt-auth.js';
export { UNMATCHED_ROUTE } from './metrics.js';
export { DEFAULT_PATHS, type EndpointName, type EnvwardFastifyOptions } from './options.js';
export { type EnvwardDecoration, envwardFastify } from './plugin.js';
export type { CheckResult, ReadinessCheck, ReadinessReport } from './readiness.js';
export { REQUEST_ID_HEADER } from './request-id.js';
export { type EnvwardServerOptions, envwardServerOptions, type ServerOptionsInput } from './server-options.js';
export { type HttpSettings, httpSettings } from './settings.js';
export { http } from './settings-schema.js';
