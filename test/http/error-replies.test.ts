/**
 * One error shape for every failure: `{ error: { code, message, requestId } }`
 * with a stable code, the request id, no stack and no secret: 413 for
 * oversized bodies, 400 for malformed JSON, 404, 500 with a generic message,
 * an application's own 4xx codes, a malformed URL, and a request Node's HTTP
 * parser rejects (on a real socket). The 500's log line carries the error
 * with the secret scrubbed.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { createLogger } from '../../src/observe/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { type HttpProject, type HttpServer, makeHttpProject } from '../support/http-project.ts';

const STACK = /\bat \S+ \(|node:internal|\.ts:\d+|\.js:\d+/;

describe('error replies', () => {
  const canary = makeCanary('payments');
  const logLines: string[] = [];
  let project: HttpProject;
  let server: HttpServer;
  before(async () => {
    project = makeHttpProject({ settings: { test: 'http:\n  bodyLimit: 256\n' } });
    const config = await project.resolve('test', { variables: { PAYMENTS_API_KEY: canary } });
    const logger = await createLogger(config, {
      destination: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    });
    server = await project.server('test', {
      store: false,
      logger,
      resolve: { variables: { PAYMENTS_API_KEY: canary } },
      routes: (app) => {
        app.post('/accounts', { schema: { body: { type: 'object', required: ['owner'] } } }, async () => ({
          ok: true,
        }));
        app.get('/teapot', async () => {
          throw Object.assign(new Error(`no coffee for key ${canary}`), { statusCode: 418, code: 'APP_TEAPOT' });
        });
      },
    });
  });
  after(() => project.cleanup());

  const expectError = async (request: InjectOptions, status: number, code: string) => {
    const response = await server.app.inject(request);
    assert.equal(response.statusCode, status, response.body);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const body = response.json() as { error: Record<string, unknown> };
    assert.deepEqual(Object.keys(body), ['error']);
    assert.deepEqual(Object.keys(body.error), ['code', 'message', 'requestId']);
    assert.equal(body.error.code, code);
    assert.equal(body.error.requestId, response.headers['x-request-id']);
    assert.doesNotMatch(response.body, STACK);
    assertNoCanary(response.body, [canary], `${status} body`);
    assertNoCanary(JSON.stringify(response.headers), [canary], `${status} headers`);
    return body.error;
  };

  test('an oversized body gets 413 EW_HTTP_BODY_TOO_LARGE', async () => {
    await expectError(
      {
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ text: 'x'.repeat(300) }),
      },
      413,
      'EW_HTTP_BODY_TOO_LARGE',
    );
  });

  test('malformed JSON gets 400 EW_HTTP_BAD_JSON, and so does an empty JSON body', async () => {
    const request = { method: 'POST' as const, url: '/echo', headers: { 'content-type': 'application/json' } };
    await expectError({ ...request, payload: '{"text": ' }, 400, 'EW_HTTP_BAD_JSON');
    await expectError({ ...request, payload: '' }, 400, 'EW_HTTP_BAD_JSON');
  });

  test('an unknown route gets 404 EW_HTTP_NOT_FOUND naming the route', async () => {
    const error = await expectError(
      { url: '/nowhere', headers: { 'x-request-id': 'lost-1' } },
      404,
      'EW_HTTP_NOT_FOUND',
    );
    assert.equal(error.message, 'Route GET:/nowhere not found');
    assert.equal(error.requestId, 'lost-1');
  });

  test('a failing route gets 500 EW_HTTP_INTERNAL with a generic message, never its own', async () => {
    const error = await expectError({ url: '/boom' }, 500, 'EW_HTTP_INTERNAL');
    assert.equal(error.message, 'Internal Server Error');
  });

  test("a validation failure gets 400 EW_HTTP_VALIDATION with Fastify's message", async () => {
    const error = await expectError(
      { method: 'POST', url: '/accounts', headers: { 'content-type': 'application/json' }, payload: '{}' },
      400,
      'EW_HTTP_VALIDATION',
    );
    assert.match(String(error.message), /must have required property 'owner'/);
  });

  test("an application's own 4xx keeps its code, with secret values scrubbed from its message", async () => {
    const error = await expectError({ url: '/teapot' }, 418, 'APP_TEAPOT');
    assert.equal(error.message, 'no coffee for key ••••••');
  });

  test('a malformed URL gets the same shape and headers, before any route runs', async () => {
    const response = await server.app.inject({ url: '/%E0%A4%A' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers['x-environment'], 'test; tier=test');
    assert.equal(response.json().error.code, 'EW_HTTP_BAD_URL');
    assert.equal(response.json().error.requestId, response.headers['x-request-id']);
  });

  test("a request Node's HTTP parser rejects gets a JSON 400 with the environment header", async () => {
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => {
        text += String(chunk);
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(raw, /\r\nx-environment: test; tier=test\r\n/);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { code: string; requestId: string } };
    assert.equal(body.error.code, 'EW_HTTP_BAD_REQUEST');
    assert.match(raw, new RegExp(`\\r\\nx-request-id: ${body.error.requestId}\\r\\n`));
  });

  test('the 500 is logged with its request id and the error, the secret scrubbed', async () => {
    logLines.length = 0;
    await server.app.inject({ url: '/boom', headers: { 'x-request-id': 'boom-7' } });
    const line = logLines
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.level === 50);
    assert.ok(line, logLines.join(''));
    assert.equal(line.reqId, 'boom-7');
    assert.match(JSON.stringify(line.err), /payment gateway refused key ••••••/);
    assertNoCanary(logLines.join(''), [canary], 'log');
  });
});
