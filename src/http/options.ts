import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedConfig } from '../config/index.js';
import { SlotRequiredError, SlotUnknownError, shownName } from '../deploy/slot-errors.js';
import type { LiveConfig } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import { isLiveConfig, type PluginConfig, pluginConfig } from './config-revision.js';
import { HttpOptionsError } from './http-errors.js';
import { DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_READINESS_INTERVAL_MS, type ReadinessCheck } from './readiness.js';

/** The plugin's own endpoints. */
export type EndpointName = 'environment' | 'live' | 'ready' | 'metrics';
export const ENDPOINTS: readonly EndpointName[] = Object.freeze(['environment', 'live', 'ready', 'metrics']);

export const DEFAULT_PATHS: Readonly<Record<EndpointName, string>> = Object.freeze({
  environment: '/environment',
  live: '/health/live',
  ready: '/health/ready',
  metrics: '/metrics',
});

// biome-ignore lint/suspicious/noExplicitAny: a store of any application schema (Kysely<DB> is invariant in DB).
export type AnyStore = Store<any>;

export interface EnvwardFastifyOptions {
  /**
   * The resolved configuration (`await resolveConfig()`), or a LiveConfig
   * (`await openLiveConfig(resolved, store)`, envward/runtime): then the log
   * level and rate limits follow runtime revisions without a restart, and
   * `/environment`, readiness and metrics show the revision applied.
   */
  readonly config: ResolvedConfig<unknown> | LiveConfig<unknown>;
  /** The environment's store; readiness then checks the database, its stamp and pending migrations. */
  readonly store?: AnyStore;
  /** The application's version, shown by `GET /environment`. */
  readonly version?: string;
  /** Where the plugin logs readiness changes and Redis outages; default the server's logger. */
  readonly logger?: FastifyBaseLogger;
  /** Each endpoint's path, or `false` to leave it out. */
  readonly paths?: Partial<Record<EndpointName, string | false>>;
  /**
   * Which endpoints answer without `authorize`. Default: health and metrics
   * public everywhere, `/environment` public in unprotected environments.
   * A non-public endpoint is served only when `authorize` is given.
   */
  readonly publicEndpoints?: Partial<Record<EndpointName, boolean>>;
  /** Guards non-public endpoints, as a Fastify preHandler: throw (e.g. an error with statusCode 401) to refuse. */
  readonly authorize?: (request: FastifyRequest, reply: FastifyReply) => unknown;
  /** How often readiness checks run again in the background (default 10 s). */
  readonly readinessIntervalMs?: number;
  /** How long one check may take before it counts as failed (default 2 s). */
  readonly readinessTimeoutMs?: number;
  /** Extra readiness checks by name: throw or return false when not ready. */
  readonly checks?: Readonly<Record<string, ReadinessCheck>>;
  /**
   * This instance's blue-green slot, when the environment declares slots
   * (default the `ENVWARD_SLOT` variable); readiness then fails with
   * "inactive slot" unless it is the active one (docs/slots.md).
   */
  readonly slot?: string;
}

/** Options after validation: every default filled in, frozen. */
export interface PluginSettings {
  /** The configuration at registration, and the live one when given. */
  readonly config: PluginConfig;
  readonly store: AnyStore | undefined;
  readonly version: string | undefined;
  readonly logger: FastifyBaseLogger | undefined;
  /** Path of every endpoint served; endpoints left out or not public without `authorize` are absent. */
  readonly paths: Readonly<Partial<Record<EndpointName, string>>>;
  /** The endpoints that run `authorize` first. */
  readonly guarded: ReadonlySet<EndpointName>;
  /** Endpoints not served because they are not public and no `authorize` was given. */
  readonly withheld: readonly EndpointName[];
  readonly authorize: EnvwardFastifyOptions['authorize'];
  readonly readinessIntervalMs: number;
  readonly readinessTimeoutMs: number;
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  /** This instance's slot; undefined when the environment declares none. */
  readonly slot: string | undefined;
}

const PLUGIN_OPTIONS = [
  'config',
  'store',
  'version',
  'logger',
  'paths',
  'publicEndpoints',
  'authorize',
  'readinessIntervalMs',
  'readinessTimeoutMs',
  'checks',
  'slot',
] as const;
/** Fastify's own register options, which every plugin receives. */
const REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers'];
const KNOWN_OPTIONS = new Set<string>([...PLUGIN_OPTIONS, ...REGISTER_OPTIONS]);
const BUILT_IN_CHECKS = new Set(['database', 'stamp', 'migrations', 'config', 'slot']);
const CHECK_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const MAX_INTERVAL_MS = 3_600_000;

function fail(option: string, problem: string, hint: string): never {
  throw new HttpOptionsError(option, problem, hint === '' ? "docs/http.md lists the plugin's options." : hint);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkConfig(config: unknown): PluginConfig {
  const live = isLiveConfig(config);
  const candidate = (live ? config.current : config) as Partial<ResolvedConfig<unknown>> | undefined;
  if (
    !isObject(candidate) ||
    !isObject(candidate.environment) ||
    typeof candidate.secretValues !== 'function' ||
    typeof candidate.explain !== 'function' ||
    !Array.isArray(candidate.keys)
  ) {
    fail(
      'option `config`',
      live
        ? 'is a live configuration whose snapshot is not a resolved configuration'
        : 'is missing or not a resolved configuration',
      'Register with `{ config: await resolveConfig() }` or `{ config: await openLiveConfig(resolved, store) }`.',
    );
  }
  return pluginConfig(config as ResolvedConfig<unknown> | LiveConfig<unknown>);
}

function checkStore(store: unknown, config: ResolvedConfig<unknown>): AnyStore | undefined {
  if (store === undefined) return undefined;
  const candidate = store as Partial<AnyStore>;
  if (!isObject(candidate) || !isObject(candidate.db) || !isObject(candidate.environment)) {
    fail('option `store`', 'is not an envward store', 'Pass the result of `await openStore(config)`, or leave it out.');
  }
  if (candidate.environment.name !== config.environment.name) {
    fail(
      'option `store`',
      `belongs to environment "${candidate.environment.name}", the config to "${config.environment.name}"`,
      'Open the store with the same resolved configuration: `openStore(config)`.',
    );
  }
  return candidate as AnyStore;
}

function checkMilliseconds(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 10 && value <= MAX_INTERVAL_MS) return value;
  return fail(
    `option \`${option}\``,
    `must be whole milliseconds from 10 to ${MAX_INTERVAL_MS}`,
    `For example ${fallback}.`,
  );
}

function checkEndpointMap(value: unknown, option: string, accept: (entry: unknown) => boolean, expected: string) {
  if (value === undefined) return {};
  if (!isObject(value)) return fail(`option \`${option}\``, 'must be an object', `Keys: ${ENDPOINTS.join(', ')}.`);
  for (const [key, entry] of Object.entries(value)) {
    if (!ENDPOINTS.includes(key as EndpointName)) {
      fail(`option \`${option}.${key}\``, 'is not an endpoint of the plugin', `Use one of ${ENDPOINTS.join(', ')}.`);
    }
    if (entry !== undefined && !accept(entry)) fail(`option \`${option}.${key}\``, `must be ${expected}`, '');
  }
  return value as Partial<Record<EndpointName, unknown>>;
}

function checkChecks(value: unknown): Readonly<Record<string, ReadinessCheck>> {
  if (value === undefined) return {};
  if (!isObject(value)) return fail('option `checks`', 'must be an object of name: function', '');
  for (const [name, check] of Object.entries(value)) {
    if (!CHECK_NAME.test(name) || BUILT_IN_CHECKS.has(name)) {
      fail(
        `check "${name}"`,
        BUILT_IN_CHECKS.has(name) ? 'has the name of a built-in check' : 'is not a plain name',
        'Name checks in lower case (letters, digits, - and _), other than database, stamp, migrations and config.',
      );
    }
    if (typeof check !== 'function') fail(`check "${name}"`, 'is not a function', 'Give `() => Promise<void>`.');
  }
  return Object.freeze({ ...(value as Record<string, ReadinessCheck>) });
}

/**
 * The instance's slot: the option, else ENVWARD_SLOT (read once, here). An
 * environment with slots needs one of its own and a store to read the
 * active slot from; one without slots refuses a slot it would ignore, so an
 * instance never thinks it is gated when it is not.
 */
function checkSlot(
  option: unknown,
  variable: string | undefined,
  environment: ResolvedConfig<unknown>['environment'],
  store: AnyStore | undefined,
): string | undefined {
  if (option !== undefined && variable !== undefined && option !== variable) {
    fail(
      'option `slot`',
      `says ${shownName(option)} and ENVWARD_SLOT ${shownName(variable)}`,
      'Give the slot one way.',
    );
  }
  const slot = option ?? variable;
  if (slot === undefined) {
    if (environment.slots.length > 0) throw new SlotRequiredError(environment);
    return undefined;
  }
  if (typeof slot !== 'string' || !environment.slots.includes(slot)) {
    throw new SlotUnknownError(slot, environment, option !== undefined ? 'option `slot`' : 'ENVWARD_SLOT');
  }
  if (!store) {
    fail(
      'option `store`',
      'is needed in an environment with slots',
      'Pass `store: await openStore(config)`: the active slot is read from it.',
    );
  }
  return slot;
}

/**
 * Validates the plugin's options once, at registration, with an EW_HTTP_OPTIONS
 * error naming the option, so a mistake stops the server before it listens.
 */
export function normaliseOptions(raw: unknown): PluginSettings {
  if (!isObject(raw)) return fail('options', 'are missing', 'Register with `{ config: await resolveConfig() }`.');
  for (const key of Object.keys(raw)) {
    if (!KNOWN_OPTIONS.has(key)) {
      fail(`option \`${key}\``, 'is unknown', `Known options: ${PLUGIN_OPTIONS.join(', ')}.`);
    }
  }
  const config = checkConfig(raw.config);
  const store = checkStore(raw.store, config.initial);
  if (raw.version !== undefined && typeof raw.version !== 'string') {
    fail('option `version`', 'must be text', 'For example the `version` of your package.json.');
  }
  const logger = raw.logger as FastifyBaseLogger | undefined;
  if (logger !== undefined && (!isObject(logger) || typeof logger.warn !== 'function')) {
    fail('option `logger`', 'is not a logger', 'Pass a pino logger, or leave it out to use the server’s.');
  }
  const authorize = raw.authorize;
  if (authorize !== undefined && typeof authorize !== 'function') {
    fail('option `authorize`', 'must be a function', 'A preHandler: `async (request, reply) => { ... }`.');
  }
  const pathOptions = checkEndpointMap(
    raw.paths,
    'paths',
    (entry) => entry === false || (typeof entry === 'string' && PATH.test(entry)),
    'a path starting with "/" (letters, digits, . _ ~ - /) or false',
  );
  const publicOptions = checkEndpointMap(
    raw.publicEndpoints,
    'publicEndpoints',
    (entry) => typeof entry === 'boolean',
    'true or false',
  );

  const paths: Partial<Record<EndpointName, string>> = {};
  const guarded = new Set<EndpointName>();
  const withheld: EndpointName[] = [];
  const seen = new Map<string, EndpointName>();
  for (const endpoint of ENDPOINTS) {
    const path = pathOptions[endpoint] ?? DEFAULT_PATHS[endpoint];
    if (path === false) continue;
    const isPublic = (publicOptions[endpoint] as boolean | undefined) ?? defaultPublic(endpoint, config.initial);
    if (!isPublic && authorize === undefined) {
      withheld.push(endpoint);
      continue;
    }
    const other = seen.get(path as string);
    if (other)
      fail(`option \`paths.${endpoint}\``, `is the same path as ${other} (${path})`, 'Give each its own path.');
    seen.set(path as string, endpoint);
    paths[endpoint] = path as string;
    if (!isPublic) guarded.add(endpoint);
  }

  return Object.freeze({
    config,
    store,
    version: raw.version as string | undefined,
    logger,
    paths: Object.freeze(paths),
    guarded,
    withheld: Object.freeze(withheld),
    authorize: authorize as EnvwardFastifyOptions['authorize'],
    readinessIntervalMs: checkMilliseconds(
      raw.readinessIntervalMs,
      'readinessIntervalMs',
      DEFAULT_READINESS_INTERVAL_MS,
    ),
    readinessTimeoutMs: checkMilliseconds(raw.readinessTimeoutMs, 'readinessTimeoutMs', DEFAULT_CHECK_TIMEOUT_MS),
    checks: checkChecks(raw.checks),
    slot: checkSlot(raw.slot, process.env.ENVWARD_SLOT, config.initial.environment, store),
  });
}

/** Health and metrics are public everywhere; the configuration summary only where the environment is not protected. */
function defaultPublic(endpoint: EndpointName, config: ResolvedConfig<unknown>): boolean {
  return endpoint !== 'environment' || !config.environment.protected;
}
