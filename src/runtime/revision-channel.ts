/**
 * The PostgreSQL channel a revision is announced on, with the payload
 * `{"environment":"staging","revision":7}`, sent in the revision's own
 * transaction (delivered on commit). Listeners re-read their own table, so
 * a notification of another namespace's revision costs one query, no more.
 */
export const REVISION_CHANNEL = 'envward_config';

/** A notification's payload, or undefined for one envward did not send. */
export function parseRevisionNotice(
  payload: string | undefined,
): { environment: string; revision: number } | undefined {
  if (!payload) return undefined;
  try {
    const parsed = JSON.parse(payload) as { environment?: unknown; revision?: unknown };
    if (typeof parsed.environment !== 'string' || !Number.isSafeInteger(parsed.revision)) return undefined;
    return { environment: parsed.environment, revision: parsed.revision as number };
  } catch {
    return undefined;
  }
}
