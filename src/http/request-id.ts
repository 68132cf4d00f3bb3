import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header an incoming id is read from and every response echoes. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming id may look like to be kept: up to 128 characters of the
 * kinds proxies and tracers use (UUIDs, ULIDs, hex, `Root=1-...`). Anything
 * else (spaces, control characters, quotes) could forge log lines or
 * headers, so it is replaced.
 */
const REQUEST_ID_FORMAT = /^[A-Za-z0-9][A-Za-z0-9._:=@+/-]{0,127}$/;

export function isAcceptableRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID_FORMAT.test(value);
}

/**
 * Fastify's `genReqId`: keeps a well-formed incoming `X-Request-Id` when
 * trusted, otherwise makes a random UUID. Fastify v5 ignores the incoming
 * header unless told otherwise; envward trusts it where a client cannot
 * choose it unchecked (development, test, or behind a configured proxy;
 * `http.trustRequestId` decides otherwise).
 */
export function requestIdGenerator(trustIncoming: boolean): (request: IncomingMessage) => string {
  if (!trustIncoming) return () => randomUUID();
  return (request) => {
    const incoming = request.headers[REQUEST_ID_HEADER];
    return isAcceptableRequestId(incoming) ? incoming : randomUUID();
  };
}
