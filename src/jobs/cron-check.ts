import { createRequire } from 'node:module';

type Croner = typeof import('croner');

/** The longest schedule text read; a cron expression is a few dozen characters. */
export const SCHEDULE_MAX_LENGTH = 200;

// Five or six fields of cron characters, or a nickname: what is checked when croner is not installed.
const CRON_SHAPE =
  /^(?:@(?:yearly|annually|monthly|weekly|daily|hourly)|[0-9A-Za-z*,/#?-]+(?:[ \t]+[0-9A-Za-z*,/#?-]+){4,5})$/;

let croner: Croner | null | undefined;

/**
 * croner, loaded synchronously on first use (zod validates synchronously, in
 * resolution), or null when the peer is not installed: then the shape alone
 * is checked and startJobs reports the missing peer.
 */
function cronerNow(): Croner | null {
  if (croner === undefined) {
    try {
      croner = createRequire(import.meta.url)('croner') as Croner;
    } catch {
      croner = null;
    }
  }
  return croner;
}

/** What is wrong with `text` as a cron schedule in `timezone`, or undefined when croner accepts it and it fires. */
export function cronProblem(text: unknown, timezone: string): string | undefined {
  if (typeof text !== 'string') return 'a schedule is a cron expression as text';
  if (text.length > SCHEDULE_MAX_LENGTH) return `a schedule is at most ${SCHEDULE_MAX_LENGTH} characters`;
  const trimmed = text.trim();
  if (!CRON_SHAPE.test(trimmed)) {
    return `${JSON.stringify(text.slice(0, 64))} is not a cron expression (five or six fields, e.g. "0 2 * * *")`;
  }
  const library = cronerNow();
  if (!library) return undefined;
  try {
    new library.CronPattern(trimmed, timezone);
    const next = new library.Cron(trimmed, { timezone, paused: true }).nextRun();
    if (next === null) return `${JSON.stringify(trimmed)} never fires`;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : 'not a cron expression';
    return `${JSON.stringify(trimmed.slice(0, 64))} is not a cron expression: ${reason.slice(0, 200)}`;
  }
  return undefined;
}

/** Whether `timezone` is an IANA time zone this Node knows. */
export function isTimeZone(timezone: unknown): boolean {
  if (typeof timezone !== 'string' || timezone.length === 0 || timezone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
