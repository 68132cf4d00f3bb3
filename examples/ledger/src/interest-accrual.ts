/**
 * The nightly interest-accrual job. It runs only where money is real or
 * rehearsed (staging, production); scheduling it anywhere else is refused,
 * so a developer's laptop never posts interest into a shared database.
 * Each run takes a lease (a lock across processes in the store), so of
 * several instances one accrues and the others skip; the accrual records
 * make even an overlapping run post once per account and day.
 */
import { Cron } from 'croner';
import { type Store, StoreLockTimeoutError } from 'envward/store';
import type { AccrualResult, Interest } from './interest.js';
import type { LedgerDatabase } from './schema.js';

export const INTEREST_TIERS: readonly string[] = ['staging', 'production'];

export class JobRefusedError extends Error {
  readonly code = 'LEDGER_JOB_REFUSED';
  constructor(job: string, environment: string, tier: string) {
    super(`${job} runs only in ${INTEREST_TIERS.join(' and ')}; ${environment} is ${tier}, so it is not scheduled`);
    this.name = 'JobRefusedError';
  }
}

const LEASE = 'ledger-interest-accrual';

/** The day a run at `at` accrues: the UTC day that ended last (a 02:00 run accrues yesterday). */
export function accrualDay(at: Date): string {
  return new Date(at.getTime() - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Accrues `day` while holding the lease; resolves `undefined` without
 * accruing when another instance holds it.
 */
export async function accrueUnderLease(
  store: Pick<Store<LedgerDatabase>, 'exclusive'>,
  interest: Interest,
  day: string,
  rateBps: number,
): Promise<AccrualResult | undefined> {
  try {
    return await store.exclusive(LEASE, 0, () => interest.accrue(day, rateBps));
  } catch (error) {
    if (error instanceof StoreLockTimeoutError) return undefined;
    throw error;
  }
}

/** Schedules `run` on `cron` when the tier allows it; throws JobRefusedError otherwise. */
export function scheduleInterestAccrual(
  environment: { name: string; tier: string },
  cron: string,
  run: () => Promise<void>,
): Cron {
  if (!INTEREST_TIERS.includes(environment.tier)) {
    throw new JobRefusedError('interest accrual', environment.name, environment.tier);
  }
  return new Cron(cron, { protect: true, catch: true, timezone: 'UTC' }, run);
}
