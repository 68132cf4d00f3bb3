import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_REPLY_CODES } from './http-errors.js';

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

const JSON_BODY_ERRORS = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);
/** Codes a client may see as they are (Fastify's and the application's own, upper-case with underscores). */
const PLAIN_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

function isErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}

function statusOf(error: ErrorLike, current: number): number {
  if (isErrorStatus(error.statusCode)) return error.statusCode;
  if (isErrorStatus(error.status)) return error.status;
  return isErrorStatus(current) ? current : 500;
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
  if (status === 413) return { status, code: HTTP_REPLY_CODES.bodyTooLarge, message };
  if (status === 429) return { status, code: HTTP_REPLY_CODES.rateLimited, message };
  if (status === 404 && ownCode === '') return { status, code: HTTP_REPLY_CODES.notFound, message };
  if (status === 400 && (JSON_BODY_ERRORS.has(ownCode) || error instanceof SyntaxError)) {
    return { status, code: HTTP_REPLY_CODES.badJson, message };
  }
  return { status, code: PLAIN_CODE.test(ownCode) ? ownCode : HTTP_REPLY_CODES.badRequest, message };
}

export function errorBody(code: string, message: string, requestId: string): string {
  const body: ErrorReplyBody = { error: { code, message, requestId } };
  return JSON.stringify(body);
}

/**
 * The one error handler: a JSON body with a stable code and the request id,
 * the message scrubbed of every secret value, 5xx messages replaced by the
 * status text (the error itself goes to the log, with the request id).
 */
export function createErrorHandler(scrub: (text: string) => string) {
  return function envwardErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const { status, code, message } = describeError(error, reply.statusCode);
    const headers = (error as ErrorLike).headers;
    if (typeof headers === 'object' && headers !== null) reply.headers(headers as Record<string, string>);
    if (status >= 500) request.log.error({ err: error }, `request failed: ${STATUS_CODES[status] ?? status}`);
    else request.log.info({ statusCode: status, code }, scrub(message));
    reply
      .code(status)
      .type('application/json; charset=utf-8')
      .send(errorBody(code, scrub(message), request.id));
  };
}

/** 404 for unmatched routes, in the same shape as every other error. */
export function createNotFoundHandler(scrub: (text: string) => string) {
  return function envwardNotFound(request: FastifyRequest, reply: FastifyReply): void {
    const message = scrub(`Route ${request.method}:${request.url} not found`);
    reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(errorBody(HTTP_REPLY_CODES.notFound, message, request.id));
  };
}

/**
 * Fastify's `frameworkErrors` (a malformed URL, before any route or hook):
 * the same body, and the headers the hooks would have set.
 */
export function createFrameworkErrorHandler(headers: Readonly<Record<string, string>>, requestIdHeader: string) {
  return function envwardFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const { status, code, message } = describeError(error, 400);
    reply
      .headers(headers)
      .header(requestIdHeader, request.id)
      .code(status)
      .type('application/json; charset=utf-8')
      .send(errorBody(code, message, request.id));
  };
}

/**
 * Fastify's `clientErrorHandler` (a request Node's parser rejects: malformed
 * HTTP, headers too large, a timeout): written to the socket as Fastify
 * does, with the environment header and a JSON body.
 */
export function createClientErrorHandler(headers: Readonly<Record<string, string>>) {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return function envwardClientError(error: Error & { code?: string }, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const requestId = randomUUID();
    const body = errorBody(HTTP_REPLY_CODES.badRequest, STATUS_CODES[status] ?? 'Bad Request', requestId);
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${extra}x-request-id: ${requestId}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}
