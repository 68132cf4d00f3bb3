/**
 * The nightly interest-accrual job's handler. Where it runs (staging and
 * production, never development) and that one instance runs each night's
 * slot are envward/jobs': `defineJobs` in envward.config.ts declares the
 * gate, `startJobs` in server.ts schedules it and takes the slot's lease.
 * A slot whose holder died is run again by another instance; the accrual
 * records make any repeat post once per account and day.
 */
import type { JobContext } from 'envward/jobs';
import type { LedgerConfig } from '../envward.config.js';
import type { Interest } from './interest.js';

/** The day a run at `at` accrues: the UTC day that ended last (a 02:00 run accrues yesterday). */
export function accrualDay(at: Date): string {
  return new Date(at.getTime() - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Accrues the day before the run's slot at `ledger.interestRateBps`, as the
 * configuration stood when the run started (a live revision applies to the next run).
 */
export function accrueInterest(interest: Interest) {
  return async ({ slot, resolved, logger }: JobContext): Promise<void> => {
    const rateBps = (resolved.values as LedgerConfig).ledger.interestRateBps;
    const result = await interest.accrue(accrualDay(slot), rateBps);
    logger.info({ ...result }, 'interest accrued');
  };
}
