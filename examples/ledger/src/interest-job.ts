/**
 * The interest accrual as a module of its own, for `envward jobs run
 * interestAccrual --env E --reason "..."`: the CLI imports it (the `run` of
 * the job's declaration) and calls its default export. It opens the ledger
 * of the run's environment without migrating or seeding, accrues, closes.
 */
import type { JobContext } from 'envward/jobs';
import { accrueInterest } from './interest-accrual.js';
import { openLedger } from './open-ledger.js';

export default async function interestAccrual(context: JobContext): Promise<void> {
  const runtime = await openLedger({
    root: context.resolved.project.root,
    env: context.environment,
    migrate: false,
    seed: false,
    live: false,
    gateway: false,
  });
  try {
    await accrueInterest(runtime.interest)(context);
  } finally {
    await runtime.close();
  }
}
