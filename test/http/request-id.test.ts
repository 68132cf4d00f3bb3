/**
 * Request ids: a well-formed incoming X-Request-Id is kept in development
 * and test and behind a configured proxy (`http.trustRequestId` decides
 * otherwise), anything else replaced by a UUID; the id is
 * echoed on every response and is the `reqId` of every log line of the
 * request.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { isAcceptableRequestId } from '../../src/http/request-id.ts';
import { type HttpProject, makeHttpProject, waitFor } from '../support/http-project.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  let project: HttpProject;
  before(() => {
    project = makeHttpProject({
      settings: {
        qa: 'http:\n  trustRequestId: false\n',
        staging: 'http:\n  trustProxy: true\n',
      },
    });
  });
  after(() => project.cleanup());

  test('an incoming X-Request-Id is kept and echoed back', async () => {
    const { app } = await project.server('development', { store: false });
    for (const id of [
      '7b0f5c1e-2d4a-4c8e-9f1b-3a5d7e9c1b2d',
      'Root=1-67891233-abcdef012345678912345678',
      'req_01HZX3',
    ]) {
      const response = await app.inject({ url: '/hello', headers: { 'x-request-id': id } });
      assert.equal(response.headers['x-request-id'], id);
    }
  });

  test('without an incoming id, a UUID is made for every request', async () => {
    const { app } = await project.server('development', { store: false });
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const id = String((await app.inject({ url: '/hello' })).headers['x-request-id']);
      assert.match(id, UUID);
      ids.add(id);
    }
    assert.equal(ids.size, 5);
  });

  test('a malformed or oversized incoming id is replaced, never echoed', async () => {
    const { app } = await project.server('development', { store: false });
    for (const id of ['has space', 'line\\nbreak', '"quoted"', 'a'.repeat(129), '-leading-dash', '<script>']) {
      const response = await app.inject({ url: '/hello', headers: { 'x-request-id': id } });
      assert.match(String(response.headers['x-request-id']), UUID, JSON.stringify(id));
    }
    assert.ok(isAcceptableRequestId('a'.repeat(128)));
    assert.ok(!isAcceptableRequestId('a'.repeat(129)));
    assert.ok(!isAcceptableRequestId(''));
  });

  test('with http.trustRequestId false, incoming ids are ignored', async () => {
    const { app } = await project.server('qa', {
      store: false,
      resolve: { variables: { PAYMENTS_API_KEY: 'sk_qa_0a8e33b7c4d5e6f7' } },
    });
    const response = await app.inject({ url: '/hello', headers: { 'x-request-id': 'from-the-client' } });
    assert.match(String(response.headers['x-request-id']), UUID);
  });

  test('production reached directly makes its own ids; behind a configured proxy (staging here) it keeps them', async () => {
    const resolve = { variables: { PAYMENTS_API_KEY: 'sk_live_5c1d9e2f7a3b4c6d' } };
    const direct = (await project.server('production', { store: false, resolve })).app;
    const response = await direct.inject({ url: '/hello', headers: { 'x-request-id': 'chosen-by-client' } });
    assert.match(String(response.headers['x-request-id']), UUID);
    const proxied = (await project.server('staging', { store: false, resolve })).app;
    const kept = await proxied.inject({ url: '/hello', headers: { 'x-request-id': 'set-by-the-proxy' } });
    assert.equal(kept.headers['x-request-id'], 'set-by-the-proxy');
  });

  test('every log line of a request carries its id as reqId, error lines included', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
          done();
        },
      }),
    );
    const { app } = await project.server('development', {
      store: false,
      logger,
      routes: (server) =>
        server.get('/work', async (request) => {
          request.log.info('doing the work');
          return { done: true };
        }),
    });
    await app.ready();
    // The readiness round logs "ready" on its own, outside any request; let it finish first.
    await waitFor('the first round', async () => app.envward.readiness.report.status !== 'starting');
    lines.length = 0;
    await app.inject({ url: '/work', headers: { 'x-request-id': 'trace-42' } });
    await app.inject({ url: '/boom', headers: { 'x-request-id': 'trace-43' } });
    assert.ok(lines.length >= 5, JSON.stringify(lines));
    assert.deepEqual(
      lines.map((line) => line.reqId),
      lines.map((_line, index) =>
        index < lines.findIndex((line) => line.reqId === 'trace-43') ? 'trace-42' : 'trace-43',
      ),
    );
    assert.ok(lines.some((line) => line.msg === 'doing the work' && line.reqId === 'trace-42'));
    assert.ok(
      lines.some((line) => line.level === 50 && line.reqId === 'trace-43'),
      'the 500 is logged with its id',
    );
  });
});
