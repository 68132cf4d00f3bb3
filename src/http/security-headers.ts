import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { runHelmet } from './helmet-headers.js';
import { HttpOptionsError } from './http-errors.js';
import type { HttpSettings } from './settings.js';

/**
 * The security headers helmet sets for these options, computed once.
 * @fastify/helmet rebuilds helmet's middleware on every request, which cost
 * 60% of a small route's throughput (bench/http.mjs); without CSP nonces the
 * headers are the same for every response, so they are recorded here once
 * and set by the plugin's first hook. Unknown or invalid options throw
 * EW_HTTP_OPTIONS (helmet's own message) before the server starts.
 */
export function securityHeaders(
  options: Readonly<Record<string, unknown>>,
  environment: string,
): Record<string, string> {
  const { headers, failure } = runHelmet(options);
  if (failure !== undefined) {
    throw new HttpOptionsError(
      'http.helmet',
      `is not accepted by helmet (${failure instanceof Error ? failure.message : String(failure)})`,
      'See https://helmetjs.github.io/ for the options; `false` turns one header off.',
      environment,
    );
  }
  return headers;
}

/**
 * CORS (@fastify/cors) for the environment's origins: any origin in
 * development and test, none in staging and production unless
 * `http.cors.origins` lists them (then no CORS headers are sent at all).
 */
export async function registerCors(app: FastifyInstance, settings: HttpSettings): Promise<void> {
  const origins = settings.corsOrigins;
  if (origins !== true && origins.length === 0) return;
  await app.register(cors, {
    origin: origins === true ? true : [...origins],
    // Lets browser code read the environment and the request id of a response.
    exposedHeaders: ['x-environment', 'x-request-id', 'retry-after'],
  });
}
