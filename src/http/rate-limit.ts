import rateLimit from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ResolvedConfig } from '../config/index.js';
import { importPeer } from '../peers.js';
import { type HttpSettings, httpSettings } from './settings.js';

/** How long start-up waits for Redis before the limits fail open. */
const REDIS_CONNECT_TIMEOUT_MS = 2_000;

/**
 * Connects to Redis for shared counters. Commands fail at once while Redis is
 * down (no offline queue), and the limiter then lets requests through
 * (fail open, logged): an outage of the counter store must not take the
 * service down with it.
 */
async function connectRedis(url: string, log: FastifyBaseLogger, scrub: (text: string) => string): Promise<Redis> {
  const { Redis } = await importPeer('envward/fastify', () => import('ioredis'), ['ioredis']);
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    connectionName: 'envward-rate-limit',
  });
  let reported = false;
  redis.on('error', (error: Error) => {
    // Once per outage, not once per reconnection attempt.
    if (reported) return;
    reported = true;
    log.warn(`envward: rate-limit counters in Redis unavailable (${scrub(error.message)}); requests are let through`);
  });
  redis.on('ready', () => {
    if (reported) log.info('envward: rate-limit counters in Redis available again');
    reported = false;
  });
  try {
    await redis.connect();
  } catch {
    // Reported by the error listener; ioredis keeps reconnecting in the background.
  }
  return redis;
}

/**
 * Rate limits for every route registered after the plugin (@fastify/rate-limit
 * adds its hook per route), keyed by client IP: in memory per process by
 * default, in Redis when `http.rateLimit.redisUrl` is set, so every instance
 * counts against the same limit. Exceeding it throws a 429 error (with
 * Retry-After) that the error handler turns into a JSON reply.
 *
 * With `current` (a live configuration's snapshot), `http.rateLimit.max`
 * and `timeWindowMs` are read from the snapshot at each request (a cached
 * lookup), so a revision applies from the next request on. Without it they
 * are plain numbers: @fastify/rate-limit then skips the per-request call.
 */
export async function registerRateLimit(
  app: FastifyInstance,
  settings: HttpSettings['rateLimit'],
  scrub: (text: string) => string,
  current?: () => ResolvedConfig<unknown>,
): Promise<void> {
  const redis = settings.redisUrl ? await connectRedis(settings.redisUrl, app.log, scrub) : undefined;
  if (redis) {
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  }
  await app.register(rateLimit, {
    global: true,
    max: current ? () => httpSettings(current()).rateLimit.max : settings.max,
    timeWindow: current ? () => httpSettings(current()).rateLimit.timeWindowMs : settings.timeWindowMs,
    ...(redis ? { redis, nameSpace: settings.redisKeyPrefix } : {}),
    skipOnError: true,
    // X-RateLimit-* only on the 429 (with Retry-After): three headers on every response cost ~10% of a small route.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
  });
}
