import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_REPLY_CODES, type HttpReplyCode } from './http-errors.js';
import { REQUEST_ID_HEADER } from './request-id.js';

/** Every error reply: `{ "error": { "code", "message", "requestId" } }`, never a stack. */
export interface ErrorReplyBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly requestId: string;
  };
}

interface ErrorLike {
  readonly statusCode?: unknown;
  readonly status?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly headers?: unknown;
}

/** Fastify's own client errors, each answered with envward's code (Fastify's message is kept). */
const FASTIFY_REPLY_CODES: ReadonlyMap<string, HttpReplyCode> = new Map([
  ['FST_ERR_CTP_INVALID_JSON_BODY', HTTP_REPLY_CODES.badJson],
  ['FST_ERR_CTP_EMPTY_JSON_BODY', HTTP_REPLY_CODES.badJson],
  ['FST_ERR_CTP_BODY_TOO_LARGE', HTTP_REPLY_CODES.bodyTooLarge],
  ['FST_ERR_CTP_INVALID_MEDIA_TYPE', HTTP_REPLY_CODES.unsupportedMediaType],
  ['FST_ERR_VALIDATION', HTTP_REPLY_CODES.validation],
  ['FST_ERR_BAD_URL', HTTP_REPLY_CODES.badUrl],
  ['FST_ERR_MAX_PARAM_LENGTH', HTTP_REPLY_CODES.uriTooLong],
]);
/** The prefix of Fastify's codes and its plugins' (`FST_ERR_*`, `FST_CORS_*`): never shown to a client as is. */
const FASTIFY_CODE_PREFIX = 'FST_';
/** Codes a client may see as they are (the application's own, upper-case with underscores). */
const PLAIN_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

function isErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}

function statusOf(error: ErrorLike, current: number): number {
  if (isErrorStatus(error.statusCode)) return error.statusCode;
  if (isErrorStatus(error.status)) return error.status;
  return isErrorStatus(current) ? current : 500;
}

function clientCode(status: number, ownCode: string, error: unknown): string {
  const fastifyCode = FASTIFY_REPLY_CODES.get(ownCode);
  if (fastifyCode) return fastifyCode;
  if (status === 413) return HTTP_REPLY_CODES.bodyTooLarge;
  if (status === 429) return HTTP_REPLY_CODES.rateLimited;
  if (ownCode.startsWith(FASTIFY_CODE_PREFIX)) return HTTP_REPLY_CODES.badRequest;
  if (status === 404 && ownCode === '') return HTTP_REPLY_CODES.notFound;
  if (status === 400 && error instanceof SyntaxError) return HTTP_REPLY_CODES.badJson;
  return PLAIN_CODE.test(ownCode) ? ownCode : HTTP_REPLY_CODES.badRequest;
}

/** The status, code and client-safe message of an error. */
export function describeError(error: unknown, currentStatus = 500): { status: number; code: string; message: string } {
  const like: ErrorLike = typeof error === 'object' && error !== null ? (error as ErrorLike) : {};
  const status = statusOf(like, currentStatus);
  // A server error's message is for the log: it may name tables, hosts or values.
  if (status >= 500) {
    return { status, code: HTTP_REPLY_CODES.internal, message: STATUS_CODES[status] ?? 'Internal Server Error' };
  }
  const message = typeof like.message === 'string' && like.message !== '' ? like.message : (STATUS_CODES[status] ?? '');
  const ownCode = typeof like.code === 'string' ? like.code : '';
  return { status, code: clientCode(status, ownCode, error), message };
}

export function errorBody(code: string, message: string, requestId: string): string {
  const body: ErrorReplyBody = { error: { code, message, requestId } };
  return JSON.stringify(body);
}

/**
 * The one error handler: a JSON body with a stable code and the request id,
 * the message scrubbed of every secret value, 5xx messages replaced by the
 * status text (the error itself goes to the log, with the request id). It
 * sets the headers of every response again: a hook that failed before the
 * plugin's first one ran must not leave them out.
 */
export function createErrorHandler(scrub: (text: string) => string, headers: Readonly<Record<string, string>>) {
  return function envwardErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const { status, code, message } = describeError(error, reply.statusCode);
    reply.headers(headers).header(REQUEST_ID_HEADER, request.id);
    const own = (error as ErrorLike).headers;
    if (typeof own === 'object' && own !== null) reply.headers(own as Record<string, string>);
    if (status >= 500) request.log.error({ err: error }, `request failed: ${STATUS_CODES[status] ?? status}`);
    else request.log.info({ statusCode: status, code }, scrub(message));
    reply
      .code(status)
      .type('application/json; charset=utf-8')
      .send(errorBody(code, scrub(message), request.id));
  };
}

/**
 * envward's 404 reply for unmatched routes, in the same shape as every other
 * error. The plugin answers with it unless the application sets its own
 * not-found handler (`app.envward.notFound` is this function, for an
 * application handler that wants envward's reply in some cases).
 */
export function createNotFoundReply(scrub: (text: string) => string) {
  return function envwardNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const message = scrub(`Route ${request.method}:${request.url} not found`);
    return reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(errorBody(HTTP_REPLY_CODES.notFound, message, request.id));
  };
}

/**
 * Fastify's `frameworkErrors` (a malformed URL, a path parameter over
 * `maxParamLength`, before any route or hook): the same body, and the
 * headers the hooks would have set.
 */
export function createFrameworkErrorHandler(
  headers: Readonly<Record<string, string>>,
  scrub: (text: string) => string,
) {
  return function envwardFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const { status, code, message } = describeError(error, 400);
    reply
      .headers(headers)
      .header(REQUEST_ID_HEADER, request.id)
      .code(status)
      .type('application/json; charset=utf-8')
      .send(errorBody(code, scrub(message), request.id));
  };
}

/** What Node's HTTP parser reports (`clientError`), as a status and envward's code; anything else is a 400. */
const PARSER_FAILURES: ReadonlyMap<string, readonly [number, HttpReplyCode]> = new Map([
  ['HPE_HEADER_OVERFLOW', [431, HTTP_REPLY_CODES.headersTooLarge]],
  ['ERR_HTTP_REQUEST_TIMEOUT', [408, HTTP_REPLY_CODES.requestTimeout]],
]);

/**
 * Fastify's `clientErrorHandler` (a request Node's parser rejects: malformed
 * HTTP, headers too large, a timeout): written to the socket as Fastify
 * does, no hook having run, with every response's headers, a request id and
 * the JSON body.
 */
export function createClientErrorHandler(headers: Readonly<Record<string, string>>) {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return function envwardClientError(error: Error & { code?: string }, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code] = PARSER_FAILURES.get(error.code ?? '') ?? [400, HTTP_REPLY_CODES.badRequest];
    const requestId = randomUUID();
    const body = errorBody(code, STATUS_CODES[status] ?? 'Bad Request', requestId);
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${extra}${REQUEST_ID_HEADER}: ${requestId}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}
