import type { Kysely } from 'kysely';
import type { Scrubber } from '../config/scrubber.js';
import { describeThrown } from '../errors.js';
import type { JobContext, JobHandler } from './job-context.js';
import { extendLease, finishRun, type JobRunTables, releaseLease, type SlotKey } from './job-run-table.js';

/** A run this instance holds the lease of, ready to start. */
export interface HeldRun {
  readonly db: Kysely<JobRunTables>;
  readonly key: SlotKey;
  readonly instance: string;
  readonly leaseMs: number;
  readonly handler: JobHandler;
  readonly context: Omit<JobContext, 'signal'>;
  readonly scrub: Scrubber;
  /** Aborted when the instance stops its jobs. */
  readonly stopping?: AbortSignal;
}

/**
 * How a held run ended: recorded as succeeded or failed; `released` (the
 * instance stopped, the handler gave up: the slot is left for another
 * instance to take over); `lost` (another instance took the slot over
 * after this one's lease ran out; nothing recorded here).
 */
export interface HeldRunEnd {
  readonly outcome: 'succeeded' | 'failed' | 'released' | 'lost';
  /** The handler's error, scrubbed. */
  readonly error?: string;
  readonly seconds: number;
}

/**
 * Runs the handler while a heartbeat extends the lease (every third of it),
 * then records the end, if this instance still holds the run.
 */
export async function runHeld(run: HeldRun): Promise<HeldRunEnd> {
  const controller = new AbortController();
  const onStop = () => controller.abort(new Error('jobs are stopping'));
  if (run.stopping?.aborted) onStop();
  run.stopping?.addEventListener('abort', onStop, { once: true });
  let lost = false;
  let beating = false;
  const heartbeat = setInterval(
    async () => {
      if (beating) return;
      beating = true;
      try {
        const held = await extendLease(run.db, run.key, run.instance, new Date(Date.now() + run.leaseMs));
        if (!held && !lost) {
          lost = true;
          controller.abort(new Error('the lease was lost: another instance took this run over'));
        }
      } catch (error) {
        // A failed beat is retried at the next; the lease lasts three beats.
        run.context.logger.warn({ job: run.key.job, err: describeThrown(error) }, 'job lease not extended');
      } finally {
        beating = false;
      }
    },
    Math.max(10, Math.floor(run.leaseMs / 3)),
  );
  const started = performance.now();
  let failure: { error: unknown } | undefined;
  try {
    await run.handler({ ...run.context, signal: controller.signal });
  } catch (error) {
    failure = { error };
  } finally {
    clearInterval(heartbeat);
    run.stopping?.removeEventListener('abort', onStop);
  }
  const seconds = (performance.now() - started) / 1000;
  if (lost) return { outcome: 'lost', seconds };
  if (failure && run.stopping?.aborted) {
    await releaseLease(run.db, run.key, run.instance, new Date());
    return { outcome: 'released', seconds };
  }
  const error = failure ? run.scrub(describeThrown(failure.error)) : undefined;
  const outcome = failure ? 'failed' : 'succeeded';
  const recorded = await finishRun(run.db, run.key, run.instance, {
    outcome,
    ...(error !== undefined ? { error } : {}),
    at: new Date(),
  });
  if (!recorded) return { outcome: 'lost', seconds };
  return { outcome, ...(error !== undefined ? { error } : {}), seconds };
}
