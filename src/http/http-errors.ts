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
 */
export const HTTP_REPLY_CODES = Object.freeze({
  notFound: 'EW_HTTP_NOT_FOUND',
  bodyTooLarge: 'EW_HTTP_BODY_TOO_LARGE',
  badJson: 'EW_HTTP_BAD_JSON',
  badRequest: 'EW_HTTP_BAD_REQUEST',
  rateLimited: 'EW_HTTP_RATE_LIMITED',
  internal: 'EW_HTTP_INTERNAL',
} as const);

export type HttpReplyCode = (typeof HTTP_REPLY_CODES)[keyof typeof HTTP_REPLY_CODES];
