import { EnvwardError } from '../errors.js';

/**
 * The plugin's options, or an `http.*` configuration value, are wrong; thrown
 * at registration (or by envwardServerOptions), before the server starts.
 */
export class HttpOptionsError extends EnvwardError {
  constructor(option: string, problem: string, hint: string, environment?: string) {
    super(
      'EW_HTTP_OPTIONS',
      'usage',
      `envward/fastify: ${option} ${problem}.`,
      hint,
      environment === undefined ? { option } : { option, environment },
    );
  }
}

/**
 * The `code` of every JSON error reply the plugin sends
 * (`{ error: { code, message, requestId } }`); clients branch on these.
 * Fastify's own `FST_ERR_*` codes never reach a client: each is one of these.
 */
export const HTTP_REPLY_CODES = Object.freeze({
  notFound: 'EW_HTTP_NOT_FOUND',
  bodyTooLarge: 'EW_HTTP_BODY_TOO_LARGE',
  badJson: 'EW_HTTP_BAD_JSON',
  forbiddenKey: 'EW_HTTP_FORBIDDEN_KEY',
  nulByte: 'EW_HTTP_NUL_BYTE',
  validation: 'EW_HTTP_VALIDATION',
  unsupportedMediaType: 'EW_HTTP_UNSUPPORTED_MEDIA_TYPE',
  badUrl: 'EW_HTTP_BAD_URL',
  uriTooLong: 'EW_HTTP_URI_TOO_LONG',
  headersTooLarge: 'EW_HTTP_HEADERS_TOO_LARGE',
  requestTimeout: 'EW_HTTP_REQUEST_TIMEOUT',
  badRequest: 'EW_HTTP_BAD_REQUEST',
  rateLimited: 'EW_HTTP_RATE_LIMITED',
  unauthorized: 'EW_HTTP_UNAUTHORIZED',
  internal: 'EW_HTTP_INTERNAL',
} as const);

export type HttpReplyCode = (typeof HTTP_REPLY_CODES)[keyof typeof HTTP_REPLY_CODES];

/**
 * A request the plugin refuses before any handler runs, answered as a 400 in
 * the one error body (Fastify's `statusCode` and `code` convention).
 */
export class HttpRequestRefusedError extends Error {
  readonly statusCode = 400;
  readonly code: HttpReplyCode;

  constructor(code: HttpReplyCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The path or query holds a NUL byte (`%00` or a raw one): no route, query or database accepts it. */
export function nulByteInUrl(): HttpRequestRefusedError {
  return new HttpRequestRefusedError(
    HTTP_REPLY_CODES.nulByte,
    'The request URL holds a NUL byte (%00) in its path or query, which is never accepted; remove it.',
  );
}

/** A JSON body holds a NUL character in a string or a key (raw or as a `\u0000` escape). */
export function nulByteInJsonBody(): HttpRequestRefusedError {
  return new HttpRequestRefusedError(
    HTTP_REPLY_CODES.nulByte,
    'The JSON body holds a NUL character (\\u0000) in a string or a key, which is never accepted; remove it.',
  );
}

/** A JSON body is valid JSON but has a key that could change the prototype of objects on the server. */
export function forbiddenJsonKey(): HttpRequestRefusedError {
  return new HttpRequestRefusedError(
    HTTP_REPLY_CODES.forbiddenKey,
    'The JSON body has a "__proto__" key or a "constructor" object with a "prototype" key (constructor.prototype), ' +
      'which is not allowed: it could change the prototype of objects on the server. Rename the key.',
  );
}
