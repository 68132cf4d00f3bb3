import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { forbiddenJsonKey, nulByteInJsonBody } from './http-errors.js';

const BACKSLASH = 0x5c;

/**
 * Whether a JSON text holds a NUL character: a raw one, or a `\u0000` escape
 * that is not itself escaped (an odd run of backslashes before `u0000`;
 * `\\u0000` is a backslash followed by the text u0000). A scan of the text,
 * so the parsed value is never walked a second time.
 */
export function jsonTextHoldsNul(text: string): boolean {
  if (text.includes('\0')) return true;
  for (let at = text.indexOf('\\u0000'); at !== -1; at = text.indexOf('\\u0000', at + 6)) {
    let backslashes = 1;
    while (at - backslashes >= 0 && text.charCodeAt(at - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 1) return true;
  }
  return false;
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

type Done = (error: Error | null, body?: unknown) => void;

/**
 * Fastify's own JSON parser (secure-json-parse, with the server's
 * `onProtoPoisoning` and `onConstructorPoisoning`), with two refusals of its
 * own: a NUL character anywhere (it would reach the database and fail there
 * as a 500) is EW_HTTP_NUL_BYTE, and a `__proto__` or `constructor.prototype`
 * key is EW_HTTP_FORBIDDEN_KEY instead of "not valid JSON" (Fastify's parser
 * reports both the same way; a body plain JSON.parse accepts can only have
 * failed on such a key, and this second parse happens only on that path).
 */
export function createJsonBodyParser(app: FastifyInstance) {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = app.initialConfig;
  const parse = app.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
  return function envwardJsonParser(request: FastifyRequest, body: string, done: Done): void {
    if (jsonTextHoldsNul(body)) {
      done(nulByteInJsonBody(), undefined);
      return;
    }
    parse(request, body, (error: (Error & { code?: string }) | null, value?: unknown) => {
      if (error?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' && isValidJson(body)) done(forbiddenJsonKey(), undefined);
      else done(error, value);
    });
  };
}

/**
 * Puts envward's JSON parser in place of Fastify's default. An application
 * that registered its own `application/json` parser before the plugin keeps
 * it (Fastify refuses a second one), with a warning that NUL characters and
 * prototype keys in JSON bodies are then its parser's to refuse.
 */
export function registerJsonBodyParser(app: FastifyInstance, log: FastifyBaseLogger): void {
  try {
    app.addContentTypeParser('application/json', { parseAs: 'string' }, createJsonBodyParser(app) as never);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'FST_ERR_CTP_ALREADY_PRESENT') throw error;
    log.warn(
      "envward: this server already has its own application/json parser, which is kept; it must refuse NUL characters and '__proto__' keys itself",
    );
  }
}
