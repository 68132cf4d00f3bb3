import { UsageError } from '../errors.js';
import { shownName } from './slot-errors.js';

/** Where an instance answers readiness (envward/fastify's default path). */
export const READY_PATH = '/health/ready';
/** The response header in which a slotted instance's readiness names its slot. */
export const SLOT_HEADER = 'x-envward-slot';
/** How long one instance may take to answer readiness. */
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;
/** The check that says an instance's slot is inactive: expected on the target slot before the switch. */
export const SLOT_CHECK = 'slot';

const URL_LIMIT = 2_048;
/** At most this much of an instance's answer is kept for a message. */
const DETAIL_LIMIT = 200;

/** An instance's base URL, checked: http or https, no credentials, no query; normalised to its origin and path. */
export function instanceUrl(text: unknown, where: string): string {
  let url: URL | undefined;
  if (typeof text === 'string' && text.length <= URL_LIMIT && !/\p{Cc}/u.test(text)) {
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(
      `${where}: ${shownName(text)} is not an instance's base URL.`,
      'Give http(s)://host:port of each instance of the target slot, e.g. --instance http://10.0.0.2:3000',
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new UsageError(
      `${where}: an instance URL has no user, password, query or fragment (${url.host}).`,
      'Give http(s)://host:port only; readiness is public.',
    );
  }
  return url.origin;
}

/** What one instance's readiness said, judged for a switch to `slot`. */
export interface InstanceReadiness {
  readonly instance: string;
  /** True when every check but `slot` passed and the instance says it is in the target slot. */
  readonly ready: boolean;
  /** Why not ready; absent when ready. */
  readonly problem?: string;
}

interface ReportBody {
  readonly status?: unknown;
  readonly checks?: readonly { readonly name?: unknown; readonly ok?: unknown; readonly detail?: unknown }[];
}

const cut = (text: string) => (text.length > DETAIL_LIMIT ? `${text.slice(0, DETAIL_LIMIT)}…` : text);

/**
 * Asks one instance for its readiness: ready for the switch when it names
 * `slot` as its own and every check passes but `slot` (which says inactive
 * until the switch). A timeout, a refused connection or an answer that is
 * not envward's readiness report is a problem, never a pass.
 */
export async function probeInstance(instance: string, slot: string, timeoutMs: number): Promise<InstanceReadiness> {
  const not = (problem: string): InstanceReadiness => ({ instance, ready: false, problem: cut(problem) });
  let response: Response;
  try {
    response = await fetch(new URL(READY_PATH, instance), {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const timedOut = (error as Error).name === 'TimeoutError';
    return not(timedOut ? `no answer within ${timeoutMs} ms` : `unreachable (${cause ?? (error as Error).message})`);
  }
  const own = response.headers.get(SLOT_HEADER);
  let body: ReportBody;
  try {
    body = (await response.json()) as ReportBody;
  } catch {
    return not(`answered ${response.status} without a readiness report at ${READY_PATH}`);
  }
  if (!Array.isArray(body?.checks) || body.status === 'starting') {
    return not(body?.status === 'starting' ? 'still starting' : `answered ${response.status} without readiness checks`);
  }
  if (own !== slot) {
    return not(
      own === null ? 'does not name its slot (not started with ENVWARD_SLOT?)' : `is in slot ${own}, not ${slot}`,
    );
  }
  const failing = body.checks.filter((check) => check.name !== SLOT_CHECK && check.ok !== true);
  if (failing.length > 0) {
    const text = failing.map((check) => `${String(check.name)} (${String(check.detail ?? 'failed')})`).join(', ');
    return not(`failing ${text}`);
  }
  return { instance, ready: true };
}
