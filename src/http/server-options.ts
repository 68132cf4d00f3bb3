import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { ResolvedConfig } from '../config/index.js';
import { createScrubber } from '../observe/index.js';
import type { LiveConfig } from '../runtime/index.js';
import { isLiveConfig } from './config-revision.js';
import { createClientErrorHandler, createFrameworkErrorHandler } from './error-replies.js';
import { HttpOptionsError } from './http-errors.js';
import { requestIdGenerator } from './request-id.js';
import { envwardResponseHeaders } from './response-headers.js';
import { httpSettings } from './settings.js';

export interface ServerOptionsInput {
  /** The logger of every request (e.g. from envward's `createLogger(config)`); Fastify logs nothing without one. */
  readonly logger?: FastifyBaseLogger;
}

/** The options envwardServerOptions returns; spread your own over them if needed. */
export type EnvwardServerOptions = FastifyServerOptions & { loggerInstance?: FastifyBaseLogger };

/**
 * The Fastify options that can only be given when the server is made:
 * request ids (a trusted, well-formed `X-Request-Id` is kept, otherwise a
 * UUID, and the log's `reqId` is that id), the environment's body limit and
 * trustProxy, and JSON error replies with the security headers and the
 * environment header for failures that happen before any hook runs
 * (malformed URLs, over-long path parameters, malformed HTTP, headers too
 * large). Given a LiveConfig, its snapshot now is read: these options
 * are restart-only.
 * @example
 * const config = await resolveConfig();
 * const app = Fastify(envwardServerOptions(config, { logger: await createLogger(config) }));
 * await app.register(envwardFastify, { config });
 */
export function envwardServerOptions(
  given: ResolvedConfig<unknown> | LiveConfig<unknown>,
  options: ServerOptionsInput = {},
): EnvwardServerOptions {
  const config = isLiveConfig(given) ? given.current : given;
  if (typeof config !== 'object' || config === null || typeof config.environment?.name !== 'string') {
    throw new HttpOptionsError(
      'envwardServerOptions(config)',
      'needs the resolved configuration',
      'Pass the result of `await resolveConfig()`.',
    );
  }
  const settings = httpSettings(config);
  const genReqId = requestIdGenerator(settings.trustRequestId);
  const headers = envwardResponseHeaders(settings, config.environment);
  const trustProxy = settings.trustProxy;
  return {
    ...(options.logger ? { loggerInstance: options.logger } : {}),
    bodyLimit: settings.bodyLimit,
    // Fastify takes a hop count too, though its types leave numbers out.
    trustProxy: (Array.isArray(trustProxy) ? [...trustProxy] : trustProxy) as NonNullable<
      FastifyServerOptions['trustProxy']
    >,
    // Fastify reads the header itself only as-is; envward checks its format first, in genReqId.
    requestIdHeader: false,
    genReqId,
    frameworkErrors: createFrameworkErrorHandler(headers, createScrubber(config.secretValues())),
    clientErrorHandler: createClientErrorHandler(headers),
  };
}
