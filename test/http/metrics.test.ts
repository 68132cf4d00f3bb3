/**
 * `GET /metrics`: Prometheus text from the service's own registry, every
 * series labelled with the environment, request counts and latencies by
 * route template, method and status, readiness as a gauge, and room for
 * other modules' metrics in the same registry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Counter } from 'prom-client';
import { type HttpProject, type HttpServer, makeHttpProject, waitFor } from '../support/http-project.ts';

/** The value of the sample of `name` whose labels include every one of `labels`, or undefined. */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([label, text]) => `${label}="${text}"`);
  const line = samples(text, name).find((sample) => {
    const own = sample.slice(sample.indexOf('{') + 1, sample.lastIndexOf('}')).split(',');
    return wanted.every((pair) => own.includes(pair));
  });
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The sample lines of `name` (no HELP/TYPE lines). */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('GET /metrics', () => {
  let project: HttpProject;
  let server: HttpServer;
  before(async () => {
    project = makeHttpProject();
    server = await project.server('qa', {
      store: false,
      resolve: { variables: { PAYMENTS_API_KEY: 'sk_qa_0a8e33b7c4d5e6f7' } },
      routes: (app) => app.get('/accounts/:id', async (request) => ({ id: (request.params as { id: string }).id })),
    });
    await server.app.ready();
  });
  after(() => project.cleanup());

  test('answers in the Prometheus text format', async () => {
    const response = await server.app.inject({ url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  });

  test('labels every series with the environment, default process metrics included', async () => {
    const text = (await server.app.inject({ url: '/metrics' })).body;
    const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.ok(lines.length > 20, 'default process metrics are collected');
    for (const line of lines) assert.match(line, /environment="qa"/, line);
    assert.ok(samples(text, 'process_cpu_user_seconds_total').length === 1);
  });

  test('counts requests by route template, method and status code', async () => {
    const { app } = server;
    for (const id of ['a1', 'b2', 'c3']) await app.inject({ url: `/accounts/${id}` });
    await app.inject({ url: '/boom' });
    await app.inject({ url: '/no/such/route' });
    const text = (await app.inject({ url: '/metrics' })).body;
    const request = (route: string, status: string) => ({
      route,
      method: 'GET',
      status_code: status,
      environment: 'qa',
    });
    assert.equal(value(text, 'http_requests_total', request('/accounts/:id', '200')), 3);
    assert.equal(value(text, 'http_requests_total', request('/boom', '500')), 1);
    assert.equal(
      value(text, 'http_requests_total', request('(unmatched)', '404')),
      1,
      'unmatched paths share one label value, so a scan cannot explode the series',
    );
    assert.equal(value(text, 'http_request_duration_seconds_count', request('/accounts/:id', '200')), 3);
    assert.ok((value(text, 'http_request_duration_seconds_sum', request('/accounts/:id', '200')) ?? 0) > 0);
  });

  test('shows readiness as envward_ready', async () => {
    await waitFor('the first round', async () => server.app.envward.readiness.report.status !== 'starting');
    const text = (await server.app.inject({ url: '/metrics' })).body;
    assert.equal(value(text, 'envward_ready', { environment: 'qa' }), 1);
  });

  test('other modules register their metrics in app.envward.metrics and get the environment label', async () => {
    const breaker = new Counter({
      name: 'outbound_breaker_opened_total',
      help: 'test',
      labelNames: ['target'],
      registers: [server.app.envward.metrics],
    });
    breaker.labels('payments').inc();
    const text = (await server.app.inject({ url: '/metrics' })).body;
    assert.equal(value(text, 'outbound_breaker_opened_total', { target: 'payments', environment: 'qa' }), 1);
  });

  test("with a store, exports the audit log's event count and head as the stamp's anchor records them, read when scraped", async () => {
    const withStore = await project.server('development');
    const { store } = withStore;
    assert.ok(store);
    await store.audit.append({ action: 'test.event', target: 'metrics', outcome: 'done' });
    const head = (await store.audit.list()).at(-1)?.hash ?? '';
    const text = (await withStore.app.inject({ url: '/metrics' })).body;
    const events = (await store.audit.verify()).rows;
    assert.ok(events >= 2, 'the automatic stamp and the appended event');
    assert.equal(value(text, 'envward_audit_events', { environment: 'development' }), events);
    assert.equal(value(text, 'envward_audit_head_info', { head, environment: 'development' }), 1);
    assert.equal(samples(text, 'envward_audit_head_info').length, 1, 'one head at a time');
    await store.audit.append({ action: 'test.event', target: 'metrics-2', outcome: 'done' });
    const later = (await withStore.app.inject({ url: '/metrics' })).body;
    assert.equal(value(later, 'envward_audit_events', { environment: 'development' }), events + 1);
    assert.equal(samples(later, 'envward_audit_head_info').length, 1);
    assert.equal(samples(text, 'envward_audit_events').length, 1);
  });

  test('without a store, exports no audit gauges', async () => {
    const text = (await server.app.inject({ url: '/metrics' })).body;
    assert.deepEqual(samples(text, 'envward_audit_events'), []);
  });

  test('two services in one process keep separate registries', async () => {
    const other = await project.server('development', { store: false });
    await other.app.inject({ url: '/hello' });
    const text = (await other.app.inject({ url: '/metrics' })).body;
    assert.ok(!text.includes('environment="qa"'));
    assert.ok(samples(text, 'http_requests_total').some((line) => line.includes('environment="development"')));
  });
});
