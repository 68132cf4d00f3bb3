import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import { type OutboundClient, outboundClient, outboundSettings } from '../../src/outbound/index.ts';
import { OUTBOUND_TIER_DEFAULTS } from '../../src/outbound/outbound-settings-schema.ts';
import { makeCanary } from '../support/canary.ts';
import { makeObserveProject, secretsFor } from '../support/observe-project.ts';

const project = makeObserveProject();
after(() => project.cleanup());

interface TestServer {
  readonly url: string;
  readonly requests: { method: string; url: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/** A real HTTP server on a free local port; `handler` answers each request (or never does). */
async function serve(handler: (request: IncomingMessage, response: ServerResponse, count: number) => void) {
  const requests: TestServer['requests'] = [];
  const server = createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
    });
    request.resume();
    handler(request, response, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } satisfies TestServer;
}

const clients: OutboundClient[] = [];
after(() => Promise.all(clients.map((client) => client.close())));

async function clientFor(baseUrl: string, tuning: Record<string, number>, env = 'test') {
  const set: Record<string, string> = { 'outbound.api.baseUrl': baseUrl };
  for (const [key, value] of Object.entries(tuning)) set[`outbound.api.${key}`] = String(value);
  const resolved = await project.resolve(env, { set });
  const registry = new Registry();
  const warnings: { object: Record<string, unknown>; message: string }[] = [];
  const logger = { warn: (object: Record<string, unknown>, message: string) => warnings.push({ object, message }) };
  const client = await outboundClient(resolved, 'api', { registry, logger });
  clients.push(client);
  return { client, registry, warnings };
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  assert.ok(metric, `metric ${name} is registered`);
  const { values } = await metric.get();
  const match = values.find((value) => Object.entries(labels).every(([key, text]) => value.labels[key] === text));
  return match?.value ?? 0;
}

test('a target that fails twice then answers is retried, and the retries are counted', async () => {
  const server = await serve((_request, response, count) => {
    response.statusCode = count <= 2 ? 503 : 200;
    response.end(count <= 2 ? 'busy' : JSON.stringify({ ok: true, count }));
  });
  try {
    const { client, registry, warnings } = await clientFor(server.url, { retries: 3, backoffMs: 1 });
    const response = await client.request('/v1/status?token=abc');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.body.json(), { ok: true, count: 3 });
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[2]?.url, '/v1/status?token=abc');
    assert.equal(
      await metricValue(registry, 'envward_outbound_retries_total', { target: 'api', environment: 'test' }),
      2,
    );
    assert.equal(
      await metricValue(registry, 'envward_outbound_requests_total', { target: 'api', outcome: 'success' }),
      1,
    );
    assert.equal(client.breakerState(), 'closed');
    assert.equal(warnings.length, 2);
    assert.equal(warnings[0]?.message, 'outbound call retried');
    assert.equal(warnings[0]?.object.reason, 'status 503');
    assert.ok(!JSON.stringify(warnings).includes('token'), 'paths and queries are never logged');
  } finally {
    await server.close();
  }
});

test('a POST is not retried unless marked idempotent', async () => {
  const server = await serve((_request, response, count) => {
    response.statusCode = count <= 2 ? 502 : 201;
    response.end();
  });
  try {
    const { client } = await clientFor(server.url, { retries: 2, backoffMs: 1, breakerThreshold: 10 });
    const plain = await client.request('/charges', { method: 'POST', body: '{}' });
    assert.equal(plain.status, 502);
    assert.equal(server.requests.length, 1);
    const keyed = await client.request('/charges', {
      method: 'POST',
      body: '{}',
      headers: { 'idempotency-key': 'k-1' },
      idempotent: true,
    });
    assert.equal(keyed.status, 201);
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

test('a target that always fails opens the breaker: EW_OUTBOUND_UNAVAILABLE, gauge 1, no credentials or query in the error', async () => {
  const server = await serve((_request, response) => {
    response.statusCode = 500;
    response.end('down');
  });
  const password = makeCanary('basicpassword');
  const token = makeCanary('querytoken');
  try {
    const withCredentials = server.url.replace('http://', `http://svc:${password}@`);
    const { client, registry } = await clientFor(
      `${withCredentials}/base`,
      { retries: 1, backoffMs: 1, breakerThreshold: 4, breakerHalfOpenAfterMs: 60_000 },
      'test',
    );
    const first = await client.request(`/pay?token=${token}`);
    assert.equal(first.status, 500, 'a 5xx is returned once retries are spent');
    assert.equal(server.requests[0]?.url, `/base/pay?token=${token}`);
    assert.equal(server.requests[0]?.authorization, `Basic ${Buffer.from(`svc:${password}`).toString('base64')}`);
    await client.request(`/pay?token=${token}`); // the fourth consecutive failure opens the breaker
    assert.equal(client.breakerState(), 'open');
    assert.equal(
      await metricValue(registry, 'envward_outbound_breaker_state', { target: 'api', environment: 'test' }),
      1,
    );
    const seen = server.requests.length;
    await assert.rejects(
      client.request(`/pay?token=${token}`),
      (error: Error & { code?: string; details?: object }) => {
        assert.equal(error.code, 'EW_OUTBOUND_UNAVAILABLE');
        assert.match(
          error.message,
          /Outbound target "api" \(127\.0\.0\.1:\d+\) is unavailable in test: its circuit breaker is open/,
        );
        const shown = `${error.message} ${JSON.stringify(error)} ${error.stack}`;
        for (const secret of [password, token, 'svc:', '/pay', 'token=']) assert.ok(!shown.includes(secret), secret);
        return true;
      },
    );
    assert.equal(server.requests.length, seen, 'an open breaker sends nothing');
    assert.equal(await metricValue(registry, 'envward_outbound_requests_total', { outcome: 'breaker_open' }), 1);
    assert.equal(await metricValue(registry, 'envward_outbound_requests_total', { outcome: 'failure' }), 2);
  } finally {
    await server.close();
  }
});

test('an open breaker lets a call through after breakerHalfOpenAfterMs and closes when it succeeds', async () => {
  let healthy = false;
  const server = await serve((_request, response) => {
    response.statusCode = healthy ? 200 : 503;
    response.end();
  });
  try {
    const { client, registry } = await clientFor(server.url, {
      retries: 0,
      breakerThreshold: 1,
      breakerHalfOpenAfterMs: 50,
    });
    await client.request('/');
    assert.equal(client.breakerState(), 'open');
    await assert.rejects(client.request('/'), { code: 'EW_OUTBOUND_UNAVAILABLE' });
    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal((await client.request('/')).status, 200);
    assert.equal(client.breakerState(), 'closed');
    assert.equal(await metricValue(registry, 'envward_outbound_breaker_state', { target: 'api' }), 0);
  } finally {
    await server.close();
  }
});

test('a target that hangs times out on every attempt: EW_OUTBOUND_UNAVAILABLE (timeout)', async () => {
  const server = await serve(() => {
    // Never answers.
  });
  try {
    const { client, registry } = await clientFor(server.url, { retries: 1, timeoutMs: 100, backoffMs: 1 });
    const started = Date.now();
    await assert.rejects(
      client.request('/slow'),
      (error: Error & { code?: string; details?: Record<string, unknown> }) => {
        assert.equal(error.code, 'EW_OUTBOUND_UNAVAILABLE');
        assert.equal(error.details?.failure, 'timeout');
        assert.equal(error.details?.attempts, 2);
        assert.match(error.message, /did not answer within 100 ms \(2 attempts\)/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 2_000);
    assert.equal(server.requests.length, 2);
    assert.equal(await metricValue(registry, 'envward_outbound_requests_total', { outcome: 'timeout' }), 1);
  } finally {
    await server.close();
  }
});

test('a target nobody listens on is retried, then reported unreachable', async () => {
  const server = await serve(() => {});
  const { url } = server;
  await server.close();
  const { client, registry } = await clientFor(url, { retries: 2, backoffMs: 1, breakerThreshold: 10 });
  await assert.rejects(client.request('/'), (error: Error & { code?: string; details?: Record<string, unknown> }) => {
    assert.equal(error.code, 'EW_OUTBOUND_UNAVAILABLE');
    assert.equal(error.details?.failure, 'network');
    assert.equal(error.details?.cause, 'ECONNREFUSED');
    return true;
  });
  assert.equal(await metricValue(registry, 'envward_outbound_retries_total', { target: 'api' }), 2);
  assert.equal(await metricValue(registry, 'envward_outbound_requests_total', { outcome: 'network_error' }), 1);
});

test('settings come from outbound.<name>.*, with fewer retries and shorter timeouts in development', async () => {
  const development = outboundSettings(
    await project.resolve('development', { set: { 'outbound.api.baseUrl': 'https://api.example.com/v2/' } }),
    'api',
  );
  const production = outboundSettings(
    await project.resolve('production', {
      variables: secretsFor('sk-prod-not-a-canary-0006'),
      set: { 'outbound.api.baseUrl': 'https://api.example.com', 'outbound.api.retries': '5' },
    }),
    'api',
  );
  assert.equal(development.retries, OUTBOUND_TIER_DEFAULTS.development.retries);
  assert.ok(development.retries < OUTBOUND_TIER_DEFAULTS.production.retries);
  assert.ok(development.timeoutMs < OUTBOUND_TIER_DEFAULTS.production.timeoutMs);
  assert.equal(production.retries, 5);
  assert.equal(production.timeoutMs, OUTBOUND_TIER_DEFAULTS.production.timeoutMs);
});

test('a missing or unusable base URL, a bad tuning value or an absolute request URL is EW_OUTBOUND_CONFIG', async () => {
  const resolved = await project.resolve('test');
  await assert.rejects(outboundClient(resolved, 'api'), /outbound\.api\.baseUrl is not set/);
  await assert.rejects(outboundClient(resolved, '../api'), { code: 'EW_OUTBOUND_CONFIG' });
  // A bad URL or tuning value fails validation with the rest of the configuration (never quoting the URL).
  await assert.rejects(
    project.resolve('test', { set: { 'outbound.api.baseUrl': 'ftp://user:pw-hidden@host' } }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'EW_CONFIG_INVALID');
      assert.match(
        error.message,
        /outbound\.api\.baseUrl \[test\] at explicit: must be an http:\/\/ or https:\/\/ URL/,
      );
      assert.ok(!error.message.includes('pw-hidden'));
      return true;
    },
  );
  await assert.rejects(
    project.resolve('test', { set: { 'outbound.api.baseUrl': 'http://127.0.0.1:9', 'outbound.api.retries': '-1' } }),
    /outbound\.api\.retries \[test\] at explicit: Too small/,
  );
  await assert.rejects(outboundClient(resolved, 'search'), /does not declare the target: add outbound\('search'\)/);
  const { client } = await clientFor('http://127.0.0.1:9', {});
  await assert.rejects(client.request('https://elsewhere.example/'), { code: 'EW_OUTBOUND_CONFIG' });
  await assert.rejects(client.request('//elsewhere.example/'), { code: 'EW_OUTBOUND_CONFIG' });
});
