import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteShorthandOptions,
} from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { logResolutionWarnings, type ResolvedConfig } from '../config/index.js';
import type { Environment } from '../environment/index.js';
import type { Scrubber } from '../observe/index.js';
import type { LiveConfig } from '../runtime/index.js';
import { registerDeploymentMetrics } from './deployment-metrics.js';
import { environmentBody, registerEnvironmentRoute } from './environment.js';
import { createErrorHandler, createNotFoundReply } from './error-replies.js';
import { registerHealthRoutes } from './health.js';
import { nulByteInUrl } from './http-errors.js';
import { registerJsonBodyParser } from './json-body.js';
import { type Authenticate, type RouteAuth, registerJwtAuth } from './jwt-auth.js';
import { followLogLevel } from './live-log-level.js';
import { readinessView } from './live-readiness.js';
import { pluginScrubber } from './live-scrubber.js';
import { countRequests, createHttpMetrics, registerMetricsRoute } from './metrics.js';
import { migrationHead } from './migration-head.js';
import { type EndpointName, type EnvwardFastifyOptions, normaliseOptions, type PluginSettings } from './options.js';
import { registerRateLimit } from './rate-limit.js';
import { builtInChecks, createReadinessMonitor, type ReadinessReport } from './readiness.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { envwardResponseHeaders } from './response-headers.js';
import { registerRevisionMetrics } from './revision-metrics.js';
import { registerCors } from './security-headers.js';
import { httpSettings } from './settings.js';
import { slotReadiness } from './slot-readiness.js';

/** What the plugin adds to the server as `app.envward`. */
export interface EnvwardDecoration {
  /** The configuration: with a LiveConfig, the snapshot applied now (read it again, do not keep it). */
  readonly config: ResolvedConfig<unknown>;
  /** The LiveConfig the plugin was given, if any. */
  readonly live: LiveConfig<unknown> | undefined;
  readonly environment: Environment;
  /** The service's prom-client registry (environment label on every series): register your metrics here. */
  readonly metrics: Registry;
  /** Replaces every secret value of the configuration in a text. */
  readonly scrub: Scrubber;
  /**
   * envward's 404 reply (`EW_HTTP_NOT_FOUND` in the one error body), for an
   * application that sets its own not-found handler and wants it in some cases.
   */
  readonly notFound: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
  readonly readiness: {
    /** The last report (`starting` until the first round has finished). */
    readonly report: ReadinessReport;
    /** Runs the checks now and returns the new report. */
    check(): Promise<ReadinessReport>;
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    envward: EnvwardDecoration;
    /** Verifies the request's bearer JWT as `auth.jwt` says (a no-op where it is disabled): docs/auth.md. */
    envwardAuthenticate: Authenticate;
  }
  interface FastifyContextConfig {
    /** `'jwt'`: the route needs a verified bearer JWT where `auth.jwt.enabled` (docs/auth.md). */
    auth?: RouteAuth;
  }
}

function warnIfBuiltWithoutServerOptions(app: FastifyInstance, log: FastifyBaseLogger, bodyLimit: number): void {
  if (app.initialConfig.bodyLimit === bodyLimit) return;
  log.warn(
    `envward: this server's bodyLimit is ${app.initialConfig.bodyLimit}, the environment's http.bodyLimit is ${bodyLimit}; ` +
      'make the server with Fastify(envwardServerOptions(config)) so body limits and request ids follow the environment',
  );
}

function routeOptionsFor(settings: PluginSettings) {
  const { authorize } = settings;
  const guard = authorize
    ? async (request: FastifyRequest, reply: FastifyReply) => {
        await authorize(request, reply);
      }
    : undefined;
  return (endpoint: EndpointName): RouteShorthandOptions => ({
    // Probes and scrapes are never rate-limited: a busy client must not make the service look down.
    ...(endpoint === 'environment' ? {} : { config: { rateLimit: false } }),
    ...(guard && settings.guarded.has(endpoint) ? { preHandler: guard } : {}),
  });
}

/** Whether a raw request URL holds a NUL byte, encoded or not: two scans of a short string, no decoding. */
function urlHoldsNul(url: string): boolean {
  return url.includes('%00') || url.includes('\0');
}

/**
 * Puts envward's 404 reply on unmatched routes without claiming the root's
 * not-found handler: Fastify lets a root's handler be set once, so the
 * plugin leaves Fastify's default handler in place (which does not count as
 * set) and answers in that route's preHandler, after the rate limit (a 404
 * flood is a flood). An application's own `setNotFoundHandler`, before or
 * after the plugin, replaces both and is used; envward's headers still come
 * from the plugin's onRequest hook.
 */
function registerNotFoundReply(app: FastifyInstance, notFound: EnvwardDecoration['notFound']): void {
  const reply404 = async (request: FastifyRequest, reply: FastifyReply) => notFound(request, reply);
  try {
    // Without a handler, as Fastify itself calls it when it makes a server; its types always want one.
    const setDefaultHandler = app.setNotFoundHandler as (options: RouteShorthandOptions) => FastifyInstance;
    setDefaultHandler.call(app, { preHandler: [app.rateLimit(), reply404] });
  } catch (error) {
    // Fastify's refusal when the application set its own handler first has no code, only this message.
    if (!(error instanceof Error && /not found handler already set/i.test(error.message))) throw error;
  }
}

async function envwardPlugin(app: FastifyInstance, rawOptions: EnvwardFastifyOptions): Promise<void> {
  const options = normaliseOptions(rawOptions);
  const { config: source, paths } = options;
  // Restart-only settings (headers, CORS, body limit) are read once, from the configuration at registration.
  const config = source.initial;
  const { live } = source;
  const settings = httpSettings(config);
  const log = options.logger ?? app.log;
  const scrub = pluginScrubber(source);
  const { store } = options;
  const metrics = createHttpMetrics(config.environment.name, store && (() => store.audit.anchor()));
  if (live) registerRevisionMetrics(metrics.registry, live);
  if (store) registerDeploymentMetrics(metrics.registry, store);
  const head = migrationHead(store);
  // "ready" means the service can be reached: the checks run from app.ready() (inject needs them), but
  // the line waits until the port is bound, so a listen that fails (port in use) never logs "ready".
  let listening = false;
  const slot = options.slot !== undefined && store ? slotReadiness(config.environment, options.slot, store) : undefined;
  const readiness = createReadinessMonitor({
    checks: {
      ...builtInChecks(config, options.store, source.current, head),
      ...(slot ? { slot: slot.check } : {}),
      ...options.checks,
    },
    intervalMs: options.readinessIntervalMs,
    timeoutMs: options.readinessTimeoutMs,
    scrub,
    onChange(report, previous) {
      metrics.recordReadiness(report);
      if (report.status === 'ready') {
        if (listening) log.info(`envward: ready${previous.status === 'starting' ? '' : ' again'}`);
      } else {
        const failing = report.checks.filter((check) => !check.ok).map((check) => `${check.name} (${check.detail})`);
        log.warn(`envward: not ready: ${failing.join('; ')}`);
      }
    },
  });
  // Once per resolved config: a logger made by createLogger(config) logged them already.
  logResolutionWarnings(config, log);
  warnIfBuiltWithoutServerOptions(app, log, settings.bodyLimit);
  if (options.withheld.length > 0) {
    log.info(
      `envward: ${options.withheld.join(', ')} not served: not public in ${config.environment.name} and no authorize() given`,
    );
  }

  // Made once; set by the first hook of all, so every response carries them: 404s, 413s, 429s and errors too.
  const staticHeaders = envwardResponseHeaders(settings, config.environment);
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    reply.headers(staticHeaders);
    reply.header(REQUEST_ID_HEADER, request.id);
    // A NUL byte would reach a route's parameters, the query, or the database (a 500 there): refused before any handler.
    if (urlHoldsNul(request.url)) done(nulByteInUrl());
    else done();
  });
  countRequests(app, metrics);
  app.setErrorHandler(createErrorHandler(scrub, staticHeaders));
  registerJsonBodyParser(app, log);

  await registerCors(app, settings);
  await registerRateLimit(app, settings.rateLimit, scrub, live ? source.current : undefined);
  const notFound = createNotFoundReply(scrub);
  registerNotFoundReply(app, notFound);
  app.decorate('envwardAuthenticate', await registerJwtAuth(app, config, log));

  const routeOptions = routeOptionsFor(options);
  const readinessNow = readinessView(readiness, live, scrub, { version: options.version, head });
  registerHealthRoutes(app, paths, readinessNow, routeOptions, options.slot);
  if (paths.environment) {
    registerEnvironmentRoute(
      app,
      paths.environment,
      environmentBody(source, options.version, scrub, head),
      routeOptions,
    );
  }
  if (paths.metrics) registerMetricsRoute(app, paths.metrics, metrics.registry, routeOptions);

  app.decorate('envward', {
    get config() {
      return source.current();
    },
    live,
    environment: config.environment,
    metrics: metrics.registry,
    scrub,
    notFound,
    readiness: {
      get report() {
        return readinessNow.report;
      },
      check: async () => {
        await readiness.runNow();
        return readinessNow.report;
      },
    },
  } satisfies EnvwardDecoration);
  const stopFollowing = live ? followLogLevel(live, [...new Set([app.log, log])], log) : undefined;
  let stopWatchingSlot: (() => void) | undefined;
  app.addHook('onReady', (done: HookHandlerDoneFunction) => {
    // Not awaited: the server listens at once and answers 503 "starting" until the first round ends.
    readiness.start();
    // A switch shows in readiness within a second, not at the next round (a load balancer moves traffic then).
    stopWatchingSlot = slot?.watch(() => void readiness.runNow().catch(() => {}));
    done();
  });
  app.addHook('onListen', (done: HookHandlerDoneFunction) => {
    if (!listening) {
      listening = true;
      if (readiness.report.status === 'ready') log.info('envward: ready');
    }
    done();
  });
  app.addHook('onClose', async () => {
    stopFollowing?.();
    stopWatchingSlot?.();
    await readiness.stop();
  });
}

/**
 * The envward Fastify plugin: `X-Environment` and `X-Request-Id` on every
 * response, `GET /environment`, `/health/live`, `/health/ready`, `/metrics`,
 * per-environment rate limits, security headers and CORS, and one JSON error
 * shape. Options are checked at registration (EW_HTTP_OPTIONS).
 * @example
 * const config = await resolveConfig();
 * const app = Fastify(envwardServerOptions(config));
 * await app.register(envwardFastify, { config, store: await openStore(config) });
 */
export const envwardFastify = fastifyPlugin(envwardPlugin, { fastify: '5.x', name: 'envward' });
