/** What every console route uses to answer: a page with its status, and the CSRF token for its forms. */
import type { FastifyReply } from 'fastify';
import type { Html } from './html.js';

/** Sends a page with status `status`. */
export function sendPage(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.toString());
}

/** A CSRF token for the forms of the page being rendered. */
export function csrfToken(reply: FastifyReply): string {
  return reply.generateCsrf();
}

const FLASH_COOKIE = 'envward_flash';

/** A message for the next page (after a POST's redirect), in a signed cookie. */
export function setFlash(reply: FastifyReply, path: string, kind: 'ok' | 'error', text: string): void {
  reply.setCookie(FLASH_COOKIE, JSON.stringify({ kind, text: text.slice(0, 500) }), {
    path,
    httpOnly: true,
    sameSite: 'strict',
    secure: 'auto',
    signed: true,
  });
}

/** The message a POST left, read once. */
export function takeFlash(
  request: {
    readonly cookies: Record<string, string | undefined>;
    unsignCookie(value: string): { valid: boolean; value: string | null };
  },
  reply: FastifyReply,
  path: string,
): { kind: 'ok' | 'error'; text: string } | undefined {
  const signed = request.cookies[FLASH_COOKIE];
  if (!signed) return undefined;
  reply.clearCookie(FLASH_COOKIE, { path });
  const unsigned = request.unsignCookie(signed);
  if (!unsigned.valid || !unsigned.value) return undefined;
  try {
    const parsed = JSON.parse(unsigned.value) as { kind?: unknown; text?: unknown };
    if ((parsed.kind === 'ok' || parsed.kind === 'error') && typeof parsed.text === 'string') {
      return { kind: parsed.kind, text: parsed.text };
    }
  } catch {}
  return undefined;
}
