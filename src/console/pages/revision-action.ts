/**
 * What every configuration change the console makes does after the checks:
 * run the library's act as the user, flash what it did (the revision, its
 * live and pending keys) or the library's error as `code: message` (messages
 * name keys, never secret values), and redirect back (POST/redirect/GET).
 */
import type { FastifyReply } from 'fastify';
import { isEnvwardError } from '../../errors.js';
import type { RevisionResult } from '../../runtime/index.js';
import { setFlash } from '../reply-helpers.js';
import { type ConsoleSite, url } from '../site.js';

/** What a written revision says in the flash. */
export function revisionText(result: RevisionResult): string {
  const parts = [`Revision ${result.revision} of ${result.environment} written (${result.action}).`];
  if (result.live.length > 0) parts.push(`Live now: ${result.live.join(', ')}.`);
  if (result.pending.length > 0) parts.push(`Pending until each instance restarts: ${result.pending.join(', ')}.`);
  if (!result.secretsChecked) parts.push('Secrets were not checked: this host has no private key for them.');
  return parts.join(' ');
}

// The acts of one console on one environment, one after the other. Two revisions
// written at once on SQLite from one process can fail with SQLITE_BUSY (seen with
// two setConfig calls in parallel); queued, they take consecutive numbers.
const queues = new WeakMap<ConsoleSite, Map<string, Promise<unknown>>>();

/** Runs `act` after this console's other acts on `environment` (revisions, proposals, reviews). */
export function queued<T>(site: ConsoleSite, environment: string, act: () => Promise<T>): Promise<T> {
  const byEnvironment = queues.get(site) ?? new Map<string, Promise<unknown>>();
  queues.set(site, byEnvironment);
  const previous = byEnvironment.get(environment) ?? Promise.resolve();
  const next = previous.then(act, act);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  byEnvironment.set(environment, settled);
  void settled.then(() => {
    if (byEnvironment.get(environment) === settled) byEnvironment.delete(environment);
  });
  return next;
}

/**
 * Runs `act` on `environment` (after this console's other acts there), flashes
 * its outcome on the page at `path` (under the prefix) and redirects there.
 */
export async function reviseAndRedirect(
  site: ConsoleSite,
  environment: string,
  reply: FastifyReply,
  path: string,
  act: () => Promise<RevisionResult>,
): Promise<FastifyReply> {
  const target = url(site, path);
  try {
    setFlash(reply, target, 'ok', revisionText(await queued(site, environment, act)));
  } catch (error) {
    if (!isEnvwardError(error)) throw error;
    setFlash(reply, target, 'error', `${error.code}: ${error.message}`);
  }
  return reply.redirect(target, 303);
}
