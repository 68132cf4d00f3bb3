/**
 * `integration(resolved, name, { mock, client })`: the mock in mock mode, an
 * outbound client for the base URL in sandbox and live mode, sending the API
 * key in its header on every request; the key never in errors, logs (pino to
 * a buffer) or metrics. Against a real HTTP server on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { resolveConfig } from '../../src/index.ts';
import { integration, type OutboundClient } from '../../src/outbound/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { Capture } from '../support/observe-project.ts';
import { type TempProject, writeStandardProject } from '../support/temp-project.ts';

interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

let server: ReturnType<typeof createServer>;
let url: string;
const seen: Seen[] = [];
/** What the server answers next: a status, or closing the socket. */
let answer: number | 'drop' = 200;

before(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    request.resume();
    if (answer === 'drop') {
      request.socket.destroy();
      return;
    }
    response.statusCode = answer;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ reference: 'SBX-1' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

const projects: TempProject[] = [];
const clients: OutboundClient[] = [];
after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const project of projects) project.cleanup();
});

function project(declaration = '{ payments: {}, kyc: { apiKey: false } }'): TempProject {
  const created = writeStandardProject({
    prelude: "import { integrations } from 'envward/outbound';",
    use: `integrations(${declaration})`,
  });
  projects.push(created);
  return created;
}

/** `env` resolved with `set` (dotted key -> text) and `variables`; issues collected, not thrown. */
function resolve(dir: string, env: string, set: Record<string, string> = {}, variables: Record<string, string> = {}) {
  return resolveConfig<unknown>({ cwd: dir, env, set, variables, checkHost: false, collectIssues: true });
}

interface Payments {
  readonly kind: string;
  charge(amount: number): Promise<string>;
}

const mockPayments: Payments = { kind: 'mock', charge: async () => 'MOCK-1' };

function httpPayments(http: OutboundClient): Payments {
  return {
    kind: 'http',
    async charge(amount) {
      const response = await http.request('/charges', { method: 'POST', body: JSON.stringify({ amount }) });
      return ((await response.body.json()) as { reference: string }).reference;
    },
  };
}

describe('mock mode', () => {
  test('returns the mock as given, the client factory unused', async () => {
    const p = project();
    const resolved = await resolve(p.dir, 'development');
    const payments = await integration(resolved, 'payments', { mock: mockPayments, client: httpPayments });
    assert.equal(payments, mockPayments);
  });

  test('without a mock it is EW_INTEGRATION_CONFIG saying how to give one', async () => {
    const p = project();
    const resolved = await resolve(p.dir, 'test');
    await assert.rejects(integration(resolved, 'payments'), {
      code: 'EW_INTEGRATION_CONFIG',
      message: /"payments" in test: its mode is mock and integration\(\) was given no mock/,
      hint: /Pass \{ mock \}/,
    });
  });

  test('an undeclared integration is EW_INTEGRATION_CONFIG', async () => {
    const p = project();
    const resolved = await resolve(p.dir, 'development');
    await assert.rejects(integration(resolved, 'billing', { mock: mockPayments, client: httpPayments }), {
      code: 'EW_INTEGRATION_CONFIG',
    });
  });
});

describe('sandbox and live', () => {
  test('sandbox: the client factory gets an outbound client for the base URL that sends Bearer <key>', async () => {
    const p = project();
    const apiKey = makeCanary('sandboxkey');
    const resolved = await resolve(
      p.dir,
      'development',
      { 'integrations.payments.mode': 'sandbox', 'integrations.payments.baseUrl': `${url}/v2` },
      { INTEGRATIONS_PAYMENTS_API_KEY: apiKey },
    );
    assert.deepEqual(resolved.issues, []);
    let given: unknown;
    const payments = await integration(resolved, 'payments', {
      mock: mockPayments,
      client: (http, settings) => {
        clients.push(http);
        given = settings;
        return httpPayments(http);
      },
    });
    assert.equal(payments.kind, 'http');
    seen.length = 0;
    assert.equal(await payments.charge(5), 'SBX-1');
    assert.equal(seen[0]?.url, '/v2/charges');
    assert.equal(seen[0]?.headers.authorization, `Bearer ${apiKey}`);
    assert.equal((given as { mode: string }).mode, 'sandbox');
    assert.equal((given as { apiKeyHeader: string }).apiKeyHeader, 'authorization');
    assertNoCanary(JSON.stringify(given), [apiKey], 'the settings given to client()');
  });

  test('a header name sends the key as it is; a scheme is put before it; the caller may set the header itself', async () => {
    const p = project();
    const apiKey = makeCanary('headerkey');
    const set = {
      'integrations.payments.mode': 'sandbox',
      'integrations.payments.baseUrl': url,
      'integrations.payments.apiKeyHeader': 'X-Api-Key',
    };
    const variables = { INTEGRATIONS_PAYMENTS_API_KEY: apiKey };
    const http = await integration(await resolve(p.dir, 'development', set, variables), 'payments');
    clients.push(http);
    seen.length = 0;
    await http.request('/ping');
    assert.equal(seen[0]?.headers['x-api-key'], apiKey);
    assert.equal(seen[0]?.headers.authorization, undefined);
    await http.request('/ping', { headers: { 'X-API-KEY': 'per-request' } });
    assert.equal(seen[1]?.headers['x-api-key'], 'per-request');

    const token = await integration(
      await resolve(p.dir, 'development', { ...set, 'integrations.payments.apiKeyScheme': 'Token' }, variables),
      'payments',
    );
    clients.push(token);
    await token.request('/ping');
    assert.equal(seen[2]?.headers['x-api-key'], `Token ${apiKey}`);
  });

  test('an integration declared apiKey: false sends no credential', async () => {
    const p = project();
    const resolved = await resolve(p.dir, 'development', {
      'integrations.kyc.mode': 'sandbox',
      'integrations.kyc.baseUrl': url,
    });
    const http = await integration(resolved, 'kyc');
    clients.push(http);
    seen.length = 0;
    await http.request('/check');
    assert.equal(seen[0]?.headers.authorization, undefined);
  });

  test('live in production: the key never shows in errors, pino logs or metrics, and the breaker names integrations.<name>', async () => {
    const p = project();
    const apiKey = makeCanary('livekey');
    const resolved = await resolve(
      p.dir,
      'production',
      {
        'integrations.payments.baseUrl': url,
        'integrations.payments.retries': '1',
        'integrations.payments.backoffMs': '1',
        'integrations.payments.breakerThreshold': '2',
        'integrations.payments.breakerHalfOpenAfterMs': '60000',
      },
      { INTEGRATIONS_PAYMENTS_API_KEY: apiKey, PAYMENTS_API_KEY: makeCanary('other') },
    );
    const capture = new Capture();
    const logger = pino({ level: 'info' }, capture);
    const registry = new Registry();
    const http = await integration(resolved, 'payments', { registry, logger });
    clients.push(http);
    answer = 'drop';
    const errors: unknown[] = [];
    try {
      await http.request('/charges/1');
    } catch (error) {
      errors.push(error);
    }
    try {
      await http.request('/charges/1');
    } catch (error) {
      errors.push(error);
    } finally {
      answer = 200;
    }
    assert.equal(http.breakerState(), 'open');
    assert.equal(errors.length, 2);
    const last = errors[1] as { code: string; hint: string; message: string };
    assert.equal(last.code, 'EW_OUTBOUND_UNAVAILABLE');
    assert.match(last.hint, /integrations\.payments\.timeoutMs/);
    assert.ok(
      seen.some((request) => request.headers.authorization === `Bearer ${apiKey}`),
      'the key was sent',
    );
    const shown = [
      ...errors.map((error) => {
        const { message, hint, details, stack } = error as {
          message: string;
          hint: string;
          details: unknown;
          stack: string;
        };
        return JSON.stringify({ message, hint, details, stack });
      }),
      capture.text,
      await registry.metrics(),
      JSON.stringify(http.settings),
    ].join('\n');
    assert.match(capture.text, /outbound call retried/);
    assert.match(
      await registry.metrics(),
      /envward_outbound_requests_total\{environment="production",target="payments"/,
    );
    assertNoCanary(shown, [apiKey], 'errors, logs, metrics and the client settings');
  });

  test('sandbox with no base URL is EW_INTEGRATION_CONFIG (resolved with issues collected)', async () => {
    const p = project();
    const resolved = await resolve(p.dir, 'development', { 'integrations.payments.mode': 'sandbox' });
    await assert.rejects(integration(resolved, 'payments', { mock: mockPayments, client: httpPayments }), {
      code: 'EW_INTEGRATION_CONFIG',
      message: /baseUrl/,
    });
  });

  test('a mock in production is refused by integration() too, even from a configuration resolved with issues', async () => {
    const p = project();
    const apiKey = makeCanary('mockprodkey');
    const resolved = await resolve(
      p.dir,
      'production',
      { 'integrations.payments.mode': 'mock' },
      { INTEGRATIONS_PAYMENTS_API_KEY: apiKey },
    );
    assert.ok(resolved.issues.some((issue) => issue.code === 'EW_RULE_INTEGRATION_MOCK'));
    const refused = await integration(resolved, 'payments', { mock: mockPayments, client: httpPayments }).catch(
      (error: unknown) => error,
    );
    assert.equal((refused as { code: string }).code, 'EW_INTEGRATION_CONFIG');
    assert.match((refused as Error).message, /mode is mock in production, a protected environment/);
    assertNoCanary(JSON.stringify(refused) + String((refused as Error).stack), [apiKey], 'the refusal');
  });

  test('a client factory that throws closes the HTTP client and passes its error on', async () => {
    const p = project();
    const resolved = await resolve(p.dir, 'development', {
      'integrations.kyc.mode': 'sandbox',
      'integrations.kyc.baseUrl': url,
    });
    let http: OutboundClient | undefined;
    await assert.rejects(
      integration(resolved, 'kyc', {
        client: (given) => {
          http = given;
          throw new Error('factory failed');
        },
      }),
      /factory failed/,
    );
    await assert.rejects(http?.request('/x') ?? Promise.reject(new Error('no client')), /closed|destroyed/i);
  });
});
