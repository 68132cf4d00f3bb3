import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { ResolvedConfig } from '../config/index.js';
import type { Environment } from '../environment/index.js';

/** The header on every response: `X-Environment: staging; tier=staging`. */
export const ENVIRONMENT_HEADER = 'x-environment';

export function environmentHeaderValue(environment: Pick<Environment, 'name' | 'tier'>): string {
  return `${environment.name}; tier=${environment.tier}`;
}

/** What `GET /environment` answers. */
export interface EnvironmentInfo {
  readonly name: string;
  readonly tier: string;
  readonly code: string;
  readonly colour: string;
  readonly protected: boolean;
  /** Which signal chose the environment (`ENVWARD_ENV`, `marker-file`, ...) and its detail. */
  readonly detection: { readonly source: string; readonly detail: string };
  /** The application's version, as given to the plugin; null when not given. */
  readonly version: string | null;
  /** Every key of the schema with its value; secret values are masked. */
  readonly config: Readonly<Record<string, unknown>>;
}

export function environmentInfo(config: ResolvedConfig<unknown>, version: string | undefined): EnvironmentInfo {
  const summary: Record<string, unknown> = {};
  // explain() masks the value of every secret key (displayValue/MASK).
  for (const key of config.keys) summary[key] = config.explain(key).value ?? null;
  const { environment, detection } = config;
  return {
    name: environment.name,
    tier: environment.tier,
    code: environment.code,
    colour: environment.colour,
    protected: environment.protected,
    detection: { source: detection.kind, detail: detection.detail },
    version: version ?? null,
    config: summary,
  };
}

/**
 * The body of `GET /environment`, made once: the configuration is frozen, so
 * the route only sends a string. Scrubbed by value as well, in case a secret
 * value also sits in a key that is not marked secret.
 */
export function environmentBody(
  config: ResolvedConfig<unknown>,
  version: string | undefined,
  scrub: (text: string) => string,
): string {
  return scrub(JSON.stringify(environmentInfo(config, version)));
}

/** `GET <path>`: the body made by environmentBody, as it is. */
export function registerEnvironmentRoute(
  app: FastifyInstance,
  path: string,
  body: string,
  routeOptions: (endpoint: 'environment') => RouteShorthandOptions,
): void {
  app.get(path, routeOptions('environment'), (_request, reply) => {
    reply.type('application/json; charset=utf-8').send(body);
  });
}
