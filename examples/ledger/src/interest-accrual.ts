/**
 * The nightly interest-accrual job. It runs only where money is real or
 * rehearsed (staging, production); scheduling it anywhere else is refused,
 * so a developer's laptop never posts interest into a shared database.
 */
import { Cron } from 'croner';

export const INTEREST_TIERS: readonly string[] = ['staging', 'production'];

export class JobRefusedError extends Error {
  readonly code = 'LEDGER_JOB_REFUSED';
  constructor(job: string, environment: string, tier: string) {
    super(`${job} runs only in ${INTEREST_TIERS.join(' and ')}; ${environment} is ${tier}, so it is not scheduled`);
    this.name = 'JobRefusedError';
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
  return new Cron(cron, { protect: true, catch: true }, run);
}
