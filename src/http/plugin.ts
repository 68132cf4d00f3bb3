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
import type { ResolvedConfig } from '../config/index.js';
import type { Environment } from '../environment/index.js';
import { createScrubber, type Scrubber } from '../observe/index.js';
import {
  ENVIRONMENT_HEADER,
  environmentBody,
  environmentHeaderValue,
  registerEnvironmentRoute,
} from './environment.js';
import { createErrorHandler, createNotFoundHandler } from './error-replies.js';
import { registerHealthRoutes } from './health.js';
import { countRequests, createHttpMetrics, registerMetricsRoute } from './metrics.js';
import { type EndpointName, type EnvwardFastifyOptions, normaliseOptions, type PluginSettings } from './options.js';
import { registerRateLimit } from './rate-limit.js';
import { builtInChecks, createReadinessMonitor, type ReadinessReport } from './readiness.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { registerCors, securityHeaders } from './security-headers.js';
import { httpSettings } from './settings.js';

/** What the plugin adds to the server as `app.envward`. */
export interface EnvwardDecoration {
  readonly config: ResolvedConfig<unknown>;
  readonly environment: Environment;
  /** The service's prom-client registry (environment label on every series): register your metrics here. */
  readonly metrics: Registry;
  /** Replaces every secret value of the configuration in a text. */
  readonly scrub: Scrubber;
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

async function envwardPlugin(app: FastifyInstance, rawOptions: EnvwardFastifyOptions): Promise<void> {
  const options = normaliseOptions(rawOptions);
  const { config, paths } = options;
  const settings = httpSettings(config);
  const log = options.logger ?? app.log;
  const scrub = createScrubber(config.secretValues());
  const { store } = options;
  const metrics = createHttpMetrics(config.environment.name, store && (() => store.audit.anchor()));
  const readiness = createReadinessMonitor({
    checks: { ...builtInChecks(config, options.store), ...options.checks },
    intervalMs: options.readinessIntervalMs,
    timeoutMs: options.readinessTimeoutMs,
    scrub,
    onChange(report, previous) {
      metrics.recordReadiness(report);
      if (report.status === 'ready') {
        log.info(`envward: ready${previous.status === 'starting' ? '' : ' again'}`);
      } else {
        const failing = report.checks.filter((check) => !check.ok).map((check) => `${check.name} (${check.detail})`);
        log.warn(`envward: not ready: ${failing.join('; ')}`);
      }
    },
  });
  warnIfBuiltWithoutServerOptions(app, log, settings.bodyLimit);
  if (options.withheld.length > 0) {
    log.info(
      `envward: ${options.withheld.join(', ')} not served: not public in ${config.environment.name} and no authorize() given`,
    );
  }

  // Made once; set by the first hook of all, so every response carries them: 404s, 413s, 429s and errors too.
  const staticHeaders = {
    ...securityHeaders(settings.helmet, config.environment.name),
    [ENVIRONMENT_HEADER]: environmentHeaderValue(config.environment),
  };
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    reply.headers(staticHeaders);
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  countRequests(app, metrics);
  app.setErrorHandler(createErrorHandler(scrub));

  await registerCors(app, settings);
  await registerRateLimit(app, settings.rateLimit, scrub);
  // Unmatched routes count against the limit too (a 404 flood is a flood).
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, createNotFoundHandler(scrub));

  const routeOptions = routeOptionsFor(options);
  registerHealthRoutes(app, paths, readiness, routeOptions);
  if (paths.environment) {
    registerEnvironmentRoute(app, paths.environment, environmentBody(config, options.version, scrub), routeOptions);
  }
  if (paths.metrics) registerMetricsRoute(app, paths.metrics, metrics.registry, routeOptions);

  app.decorate('envward', {
    config,
    environment: config.environment,
    metrics: metrics.registry,
    scrub,
    readiness: {
      get report() {
        return readiness.report;
      },
      check: () => readiness.runNow(),
    },
  } satisfies EnvwardDecoration);
  app.addHook('onReady', (done: HookHandlerDoneFunction) => {
    // Not awaited: the server listens at once and answers 503 "starting" until the first round ends.
    readiness.start();
    done();
  });
  app.addHook('onClose', async () => {
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
