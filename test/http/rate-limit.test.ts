/**
 * Rate limits per environment: in memory by default (per process), in a real
 * Redis on 127.0.0.1:6379 when `http.rateLimit.redisUrl` is set, so two
 * instances count against one limit; 429 with Retry-After and the JSON error
 * body; probes never limited; Redis down lets requests through.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pino from 'pino';
import { type HttpProject, makeHttpProject } from '../support/http-project.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

describe('rate limits in memory', () => {
  let project: HttpProject;
  before(() => {
    project = makeHttpProject({ settings: { development: 'http:\n  rateLimit:\n    max: 3\n' } });
  });
  after(() => project.cleanup());

  test('a flood gets 429 with Retry-After and a JSON body carrying the request id', async () => {
    const { app } = await project.server('development', { store: false });
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ url: '/hello' })).statusCode, 200);
    const refused = await app.inject({ url: '/hello', headers: { 'x-request-id': 'flood-4' } });
    assert.equal(refused.statusCode, 429);
    assert.match(String(refused.headers['retry-after']), /^[1-9][0-9]*$/);
    assert.ok(Number(refused.headers['retry-after']) <= 60);
    assert.equal(refused.headers['x-ratelimit-limit'], '3');
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');
    assert.deepEqual(Object.keys(refused.json()), ['error']);
    const { error } = refused.json();
    assert.equal(error.code, 'EW_HTTP_RATE_LIMITED');
    assert.equal(error.requestId, 'flood-4');
    assert.doesNotMatch(refused.body, /\bat \S+ \(|node:internal|\.ts:\d+/, 'no stack');
  });

  test('unknown routes count against the limit too', async () => {
    const { app } = await project.server('development', { store: false });
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ url: '/missing' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/missing' })).statusCode, 429);
  });

  test('health probes and metrics scrapes are never limited', async () => {
    const { app } = await project.server('development', { store: false });
    for (let i = 0; i < 4; i++) await app.inject({ url: '/hello' });
    for (const url of ['/health/live', '/health/ready', '/metrics']) {
      for (let i = 0; i < 5; i++) assert.notEqual((await app.inject({ url })).statusCode, 429, url);
    }
  });

  test('limit headers are sent only on the 429, not on every response', async () => {
    const { app } = await project.server('production', {
      store: false,
      resolve: { variables: { PAYMENTS_API_KEY: 'sk_live_9b27e4c1d0f3a5b7c9' } },
    });
    const response = await app.inject({ url: '/hello' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-ratelimit-limit'], undefined);
  });

  test('in memory, each instance counts on its own', async () => {
    const first = await project.server('development', { store: false });
    const second = await project.server('development', { store: false });
    for (let i = 0; i < 4; i++) await first.app.inject({ url: '/hello' });
    assert.equal((await first.app.inject({ url: '/hello' })).statusCode, 429);
    assert.equal((await second.app.inject({ url: '/hello' })).statusCode, 200);
  });
});

describe('rate limits in Redis', () => {
  const prefix = `envward-test:${process.pid}:${randomUUID()}:`;
  let project: HttpProject;
  let redis: Redis;
  before(async () => {
    project = makeHttpProject();
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect().catch((error: Error) => {
      throw new Error(`these tests need Redis on 127.0.0.1:6379 (.ci/run starts it): ${error.message}`);
    });
  });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await project.cleanup();
  });

  const instance = (label: string) =>
    project.server('development', {
      store: false,
      resolve: {
        set: {
          'http.rateLimit.max': '3',
          'http.rateLimit.redisUrl': REDIS_URL,
          'http.rateLimit.redisKeyPrefix': `${prefix}${label}:`,
        },
      },
    });

  test('two instances share one limit: the fourth request gets 429 at the other instance', async () => {
    const first = await instance('shared');
    const second = await instance('shared');
    const [a, b] = [await listen(first.app), await listen(second.app)];
    assert.equal((await fetch(`${a}/hello`)).status, 200);
    assert.equal((await fetch(`${b}/hello`)).status, 200);
    assert.equal((await fetch(`${a}/hello`)).status, 200);
    const refused = await fetch(`${b}/hello`);
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    assert.equal(refused.headers.get('x-environment'), 'development; tier=development');
    const body = (await refused.json()) as { error: { code: string; requestId: string } };
    assert.equal(body.error.code, 'EW_HTTP_RATE_LIMITED');
    assert.equal(body.error.requestId, refused.headers.get('x-request-id'));
    assert.equal((await fetch(`${a}/hello`)).status, 429, 'and at the first instance as well');
    const keys = await redis.keys(`${prefix}shared:*`);
    assert.equal(keys.length, 1, `one counter in Redis under the configured prefix: ${keys.join(', ')}`);
    assert.equal(await redis.get(keys[0] as string), '5');
  });

  test('another key prefix (another environment) has counters of its own', async () => {
    const first = await instance('one');
    const second = await instance('two');
    for (let i = 0; i < 4; i++) await first.app.inject({ url: '/hello' });
    assert.equal((await first.app.inject({ url: '/hello' })).statusCode, 429);
    assert.equal((await second.app.inject({ url: '/hello' })).statusCode, 200);
  });

  test('when Redis cannot be reached, requests are let through and a warning is logged', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const { app } = await project.server('development', {
      store: false,
      logger,
      resolve: { set: { 'http.rateLimit.max': '1', 'http.rateLimit.redisUrl': 'redis://127.0.0.1:1' } },
    });
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ url: '/hello' })).statusCode, 200);
    assert.ok(
      lines.some((line) => line.includes('rate-limit counters in Redis unavailable')),
      lines.join(''),
    );
  });
});
