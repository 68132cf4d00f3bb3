/**
 * What the operations pages (secrets, migrations, audit, jobs) share: an
 * environment's store opened for one request as the signed-in user (so what
 * it writes is audited under `console:<name>`), a read that shows a
 * library refusal on the page instead of failing it, and the POST answer
 * that flashes the outcome and redirects back.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Environment } from '../../environment/index.js';
import { isEnvwardError } from '../../errors.js';
import type { Store } from '../../store/open-store.js';
import { type Html, html } from '../html.js';
import { setFlash } from '../reply-helpers.js';
import { actorOf, type ConsoleSite, targetFor, url } from '../site.js';
import type { ConsoleUser } from '../user-records.js';

/** Runs `work` on `environment`'s store, opened read-only ('read': nothing is written) or to act; always closed. */
export async function withStore<T>(
  site: ConsoleSite,
  environment: Environment,
  user: ConsoleUser,
  mode: 'read' | 'write',
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const { resolveForAct, openActStore } = await import('../../runtime/revision-context.js');
  const act = await resolveForAct(targetFor(site, environment.name, user), { collectIssues: true });
  const store = await openActStore(act, mode, actorOf(user));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** A library error as the console shows it: its code and message (which name keys and files, never values). */
export function problemText(error: unknown): string {
  if (isEnvwardError(error)) return `${error.code}: ${error.message}`;
  throw error;
}

/** What a page reads, or the library's refusal to show in its place (an unstamped or missing database). */
export async function readOr<T>(read: () => Promise<T>): Promise<{ value: T } | { problem: Html }> {
  try {
    return { value: await read() };
  } catch (error) {
    return { problem: html`<p class="bad" data-problem>${problemText(error)}</p>` };
  }
}

/** The path of an environment's page, with the console's prefix. */
export function pagePath(site: ConsoleSite, environment: Environment, page: string): string {
  return url(site, `/env/${encodeURIComponent(environment.name)}/${page}`);
}

/**
 * A POST's answer: runs `act`, flashes what it returns (or the library
 * error's code and message), and redirects to the page (POST/redirect/GET).
 * Console errors (a missing reason, a role) are not caught: they are pages.
 */
export async function actThenRedirect(
  reply: FastifyReply,
  path: string,
  act: () => Promise<{ kind: 'ok' | 'error'; text: string }>,
): Promise<FastifyReply> {
  try {
    const outcome = await act();
    setFlash(reply, path, outcome.kind, outcome.text);
  } catch (error) {
    setFlash(reply, path, 'error', problemText(error));
  }
  return reply.redirect(path, 303);
}

/** The `:env` parameter of a route. */
export function envParam(request: FastifyRequest): string {
  return (request.params as { env?: string }).env ?? '';
}
