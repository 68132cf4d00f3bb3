/**
 * Every client error, Fastify's own included, answers with an `EW_HTTP_*`
 * code in the one error body and carries the security headers, the
 * environment and the request id: through `inject`, and on a real socket
 * for the replies Fastify and Node write themselves (a bad URL, headers too
 * large, malformed HTTP). A NUL byte in a path, a query or a JSON body is
 * refused with 400 before any handler runs, and a JSON body with a
 * `__proto__` key is named for what it is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { type HttpProject, type HttpServer, makeHttpProject } from '../support/http-project.ts';
import { type RawReply, rawExchange } from '../support/raw-http.ts';

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-environment': 'test; tier=test',
};
const JSON_TYPE = { 'content-type': 'application/json' };

interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string;
}

/** The status, the EW_ code in the documented body, and every header envward promises on every response. */
function assertErrorReply(reply: Reply, status: number, code: string, what: string): { message: string } {
  assert.equal(reply.status, status, `${what}: ${reply.body}`);
  assert.match(String(reply.headers['content-type']), /^application\/json/, what);
  const body = JSON.parse(reply.body) as { error: { code: string; message: string; requestId: string } };
  assert.deepEqual(Object.keys(body), ['error'], what);
  assert.deepEqual(Object.keys(body.error), ['code', 'message', 'requestId'], what);
  assert.equal(body.error.code, code, what);
  assert.equal(body.error.requestId, reply.headers['x-request-id'], what);
  for (const [name, value] of Object.entries(SECURITY_HEADERS))
    assert.equal(reply.headers[name], value, `${what}: ${name}`);
  return body.error;
}

describe("Fastify's own client errors", () => {
  let project: HttpProject;
  let server: HttpServer;
  let port = 0;
  let handled = 0;
  before(async () => {
    project = makeHttpProject({ settings: { test: 'http:\n  bodyLimit: 256\n' } });
    server = await project.server('test', {
      store: false,
      routes: (app) => {
        app.get('/items/:id', async (request) => {
          handled++;
          return { id: (request.params as { id: string }).id };
        });
        app.post('/items', async (request) => {
          handled++;
          return { received: request.body };
        });
      },
    });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(() => project.cleanup());

  const inject = async (request: InjectOptions): Promise<Reply> => {
    const response = await server.app.inject(request);
    return { status: response.statusCode, headers: response.headers, body: response.body };
  };
  const raw = (request: string): Promise<RawReply> => rawExchange(port, request);
  const post = (url: string, payload: string, headers: Record<string, string> = JSON_TYPE): InjectOptions => ({
    method: 'POST',
    url,
    headers,
    payload,
  });

  const cases: { name: string; request: InjectOptions; status: number; code: string }[] = [
    {
      name: 'an unsupported media type',
      request: post('/items', 'hi', { 'content-type': 'text/x-unknown' }),
      status: 415,
      code: 'EW_HTTP_UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a path parameter over the length limit',
      request: { url: `/items/${'x'.repeat(101)}` },
      status: 414,
      code: 'EW_HTTP_URI_TOO_LONG',
    },
    { name: 'a malformed URL', request: { url: '/%E0%A4%A' }, status: 400, code: 'EW_HTTP_BAD_URL' },
    { name: 'malformed JSON', request: post('/items', '{"text": '), status: 400, code: 'EW_HTTP_BAD_JSON' },
    { name: 'an empty JSON body', request: post('/items', ''), status: 400, code: 'EW_HTTP_BAD_JSON' },
    {
      name: 'a body over the limit',
      request: post('/items', JSON.stringify({ text: 'x'.repeat(300) })),
      status: 413,
      code: 'EW_HTTP_BODY_TOO_LARGE',
    },
    {
      name: 'a JSON body with a __proto__ key',
      request: post('/items', '{"a":1,"__proto__":{"admin":true}}'),
      status: 400,
      code: 'EW_HTTP_FORBIDDEN_KEY',
    },
    {
      name: 'a JSON body with constructor.prototype',
      request: post('/items', '{"constructor":{"prototype":{"admin":true}}}'),
      status: 400,
      code: 'EW_HTTP_FORBIDDEN_KEY',
    },
  ];

  for (const { name, request, status, code } of cases) {
    test(`${name} gets ${status} ${code} with the security headers (inject)`, async () => {
      assertErrorReply(await inject(request), status, code, name);
    });
  }

  for (const { name, request, status, code } of cases) {
    test(`${name} gets ${status} ${code} with the security headers (a real socket)`, async () => {
      const payload = String(request.payload ?? '');
      const headers = { ...(request.headers as Record<string, string> | undefined) };
      const lines = [
        `${request.method ?? 'GET'} ${request.url} HTTP/1.1`,
        'Host: localhost',
        'Connection: close',
        ...Object.entries(headers).map(([header, value]) => `${header}: ${value}`),
        ...(request.method === 'POST' ? [`Content-Length: ${Buffer.byteLength(payload)}`] : []),
      ];
      assertErrorReply(await raw(`${lines.join('\r\n')}\r\n\r\n${payload}`), status, code, name);
    });
  }

  test('the __proto__ refusal says which key is not allowed, not that the JSON is invalid', async () => {
    const error = assertErrorReply(
      await inject(post('/items', '{"__proto__":{}}')),
      400,
      'EW_HTTP_FORBIDDEN_KEY',
      '__proto__',
    );
    assert.match(error.message, /__proto__/);
    assert.match(error.message, /constructor\.prototype/);
    assert.doesNotMatch(error.message, /not valid JSON/);
  });

  test('headers over the size limit get 431 EW_HTTP_HEADERS_TOO_LARGE with the security headers (a real socket)', async () => {
    const reply = await raw(`GET /items/1 HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assertErrorReply(reply, 431, 'EW_HTTP_HEADERS_TOO_LARGE', '431');
    // Node counts the request line too: a URL over the limit is the same refusal.
    const longUrl = await raw(`GET /items/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    assertErrorReply(longUrl, 431, 'EW_HTTP_HEADERS_TOO_LARGE', '431 for a long URL');
  });

  test('malformed HTTP gets 400 EW_HTTP_BAD_REQUEST with the security headers (a real socket)', async () => {
    const reply = await raw('GET /items/1 HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n');
    assertErrorReply(reply, 400, 'EW_HTTP_BAD_REQUEST', 'malformed HTTP');
  });

  describe('a NUL byte is refused with 400 before any handler runs', () => {
    const refusals: { name: string; request: InjectOptions; code?: string }[] = [
      { name: '%00 in the path', request: { url: '/items/a%00b' } },
      { name: '%00 in the query', request: { url: '/items/a?name=x%00' } },
      { name: 'a raw NUL in the path', request: { url: '/items/a\0b' } },
      { name: 'a \\u0000 escape in a JSON string', request: post('/items', '{"text":"a\\u0000b"}') },
      { name: 'a \\u0000 escape in a JSON key', request: post('/items', '{"a\\u0000":1}') },
      { name: 'an escape after an escaped backslash', request: post('/items', '{"text":"\\\\\\u0000"}') },
      { name: 'a raw NUL in a JSON body', request: post('/items', '{"text":"a\0b"}') },
    ];
    for (const { name, request } of refusals) {
      test(`${name} (inject)`, async () => {
        const before = handled;
        assertErrorReply(await inject(request), 400, 'EW_HTTP_NUL_BYTE', name);
        assert.equal(handled, before, `${name}: the handler ran`);
      });
    }

    test('%00 in the path and the query, over a real socket', async () => {
      const before = handled;
      for (const url of ['/items/a%00b', '/items/a?name=%00']) {
        const reply = await raw(`GET ${url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
        assertErrorReply(reply, 400, 'EW_HTTP_NUL_BYTE', url);
      }
      const body = '{"text":"a\\u0000b"}';
      const reply = await raw(
        `POST /items HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      );
      assertErrorReply(reply, 400, 'EW_HTTP_NUL_BYTE', 'JSON body');
      assert.equal(handled, before, 'a handler ran');
    });

    test("a raw NUL in the request line is refused by Node's parser, with the security headers (a real socket)", async () => {
      const before = handled;
      const reply = await raw('GET /items/a\0b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      assertErrorReply(reply, 400, 'EW_HTTP_BAD_REQUEST', 'raw NUL in the request line');
      assert.equal(handled, before, 'a handler ran');
    });

    test('text that only spells \\u0000 (an escaped backslash, then u0000) is not a NUL and is accepted', async () => {
      const response = await server.app.inject(post('/items', '{"text":"a\\\\u0000b"}'));
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { received: { text: 'a\\u0000b' } });
    });

    test('%2500 (a percent sign, then 00) is not a NUL and is accepted', async () => {
      const response = await server.app.inject({ url: '/items/a%2500' });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { id: 'a%00' });
    });
  });
});
