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
import type { MigrationHead } from './migration-head.js';

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
  /** The runtime config revision applied (0: none); null when the plugin follows no LiveConfig (it cannot know). */
  readonly configRevision: number | null;
  /** The last migration applied to the store; null without a store or before any migration. */
  readonly migrationHead: string | null;
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
  migrationHead: string | null = null,
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
    configRevision: revision ? revision.applied : null,
    migrationHead,
    config: summary,
    ...(integrationsFragment(config)
      ? { integrations: Object.fromEntries(integrationModes(config).map(({ name, mode }) => [name, mode])) }
      : {}),
    ...(revision ? { revision } : {}),
  };
}

/**
 * The body of `GET /environment`. It is made again only when the snapshot,
 * the revision status or the migration head changed, so the route mostly
 * sends a cached string; the head is read from the store at most once per
 * few seconds (migration-head.ts). Scrubbed by value as well, in case a
 * secret value also sits in a key that is not marked secret.
 */
export function environmentBody(
  config: PluginConfig,
  version: string | undefined,
  scrub: (text: string) => string,
  head: MigrationHead,
): () => Promise<string> {
  const { live } = config;
  let body = '';
  let snapshot: ResolvedConfig<unknown> | undefined;
  let fingerprint: string | undefined;
  return async () => {
    const migration = await head.read();
    const status = live?.status();
    const now = `${status ? statusFingerprint(status) : ''}|${migration ?? ''}`;
    const current = config.current();
    if (current !== snapshot || now !== fingerprint) {
      snapshot = current;
      fingerprint = now;
      const revision = status ? configRevisionReport(status, scrub) : undefined;
      body = scrub(JSON.stringify(environmentInfo(current, version, revision, migration)));
    }
    return body;
  };
}

/** `GET <path>`: the body made by environmentBody, as it is. */
export function registerEnvironmentRoute(
  app: FastifyInstance,
  path: string,
  body: () => Promise<string>,
  routeOptions: (endpoint: 'environment') => RouteShorthandOptions,
): void {
  app.get(path, routeOptions('environment'), async (_request, reply) => {
    reply.type('application/json; charset=utf-8');
    return body();
  });
}
