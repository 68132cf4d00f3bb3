import type { ResolvedConfig } from '../config/resolve.js';

/** Where jobs report: a pino logger, or anything with its `info`, `warn` and `error`. */
export interface JobLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/** How a run started: on its schedule, or by hand (`runJob`, `envward jobs run`). */
export type JobTrigger = 'schedule' | 'manual';

/** What a handler is given for one run. */
export interface JobContext {
  readonly job: string;
  /** The scheduled time this run is for, to the second (a manual run: when it started). */
  readonly slot: Date;
  readonly environment: string;
  readonly trigger: JobTrigger;
  /** Aborted when the process stops jobs (`stop()`) or this instance lost the run's lease: end the work early. */
  readonly signal: AbortSignal;
  readonly logger: JobLogger;
  /** The configuration as it was when the run started (a live config's snapshot). */
  readonly resolved: ResolvedConfig<unknown>;
}

/** A job's work; it throws to fail the run. Runs must be safe to repeat: a run whose holder died is run again. */
export type JobHandler = (context: JobContext) => void | Promise<void>;

const silent = () => {};

/** A logger that drops everything: the default. */
export const SILENT_LOGGER: JobLogger = Object.freeze({ info: silent, warn: silent, error: silent });
