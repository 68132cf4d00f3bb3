import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { ResolvedConfig } from '../config/index.js';
import type { Environment } from '../environment/index.js';
import { integrationModes, integrationsFragment } from '../outbound/integration-settings.js';
import {
  type ConfigRevisionReport,
  configRevisionReport,
  type PluginConfig,
  statusFingerprint,
} from './config-revision.js';

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
  /** Each declared integration's mode (`{ payments: 'sandbox' }`), never a credential; only when the project declares integrations. */
  readonly integrations?: Readonly<Record<string, string>>;
  /** The runtime revision applied and any pending restart-only keys; only when the plugin was given a LiveConfig. */
  readonly revision?: ConfigRevisionReport;
}

export function environmentInfo(
  config: ResolvedConfig<unknown>,
  version: string | undefined,
  revision?: ConfigRevisionReport,
): EnvironmentInfo {
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
    ...(integrationsFragment(config)
      ? { integrations: Object.fromEntries(integrationModes(config).map(({ name, mode }) => [name, mode])) }
      : {}),
    ...(revision ? { revision } : {}),
  };
}

/**
 * The body of `GET /environment`. A static configuration is frozen, so the
 * body is made once and the route only sends a string; a live one is made
 * again only when the snapshot or the revision status changed. Scrubbed by
 * value as well, in case a secret value also sits in a key that is not
 * marked secret.
 */
export function environmentBody(
  config: PluginConfig,
  version: string | undefined,
  scrub: (text: string) => string,
): () => string {
  const { live } = config;
  if (!live) {
    const body = scrub(JSON.stringify(environmentInfo(config.initial, version)));
    return () => body;
  }
  let body = '';
  let snapshot: ResolvedConfig<unknown> | undefined;
  let fingerprint = '';
  return () => {
    const status = live.status();
    const now = statusFingerprint(status);
    if (live.current !== snapshot || now !== fingerprint) {
      snapshot = live.current;
      fingerprint = now;
      body = scrub(JSON.stringify(environmentInfo(snapshot, version, configRevisionReport(status, scrub))));
    }
    return body;
  };
}

/** `GET <path>`: the body made by environmentBody, as it is. */
export function registerEnvironmentRoute(
  app: FastifyInstance,
  path: string,
  body: () => string,
  routeOptions: (endpoint: 'environment') => RouteShorthandOptions,
): void {
  app.get(path, routeOptions('environment'), (_request, reply) => {
    reply.type('application/json; charset=utf-8').send(body());
  });
}
