import type { Kysely } from 'kysely';
import type { ResolvedConfig } from '../config/index.js';
import { migrationStatus } from '../migrate/index.js';
import type { Store } from '../store/index.js';
import { stampRefusal } from '../store/stamp-refusal.js';
import type { ConfigRevisionReport } from './config-revision.js';
import type { MigrationHead } from './migration-head.js';

/** A readiness check: resolves (or returns anything but `false`) when fine, throws or returns `false` when not. */
export type ReadinessCheck = () => unknown;

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed (scrubbed of secret values); absent when fine. */
  readonly detail?: string;
  readonly ms: number;
}

export interface ReadinessReport {
  /** `starting` until the first round of checks has finished. */
  readonly status: 'starting' | 'ready' | 'not-ready';
  /** Why not ready: `starting`, or `failing: stamp, migrations`; null when ready. */
  readonly reason: string | null;
  readonly checkedAt: string | null;
  readonly checks: readonly CheckResult[];
  /** Names of the failing checks, or `['starting']` before the first round. */
  readonly failing: readonly string[];
  /**
   * The runtime revision applied, pending restart-only keys, and a revision
   * that failed to apply here; only when the plugin was given a LiveConfig.
   * Read when asked, not per round. None of it makes the service not ready.
   */
  readonly revision?: ConfigRevisionReport;
  /** The application's version given to the plugin (null: none); the plugin's ready route always shows it. */
  readonly version?: string | null;
  /** The runtime config revision applied; null without a LiveConfig. The plugin's ready route always shows it. */
  readonly configRevision?: number | null;
  /** The last migration applied, as the last round read it; null without a store or before any. */
  readonly migrationHead?: string | null;
}

/** Checks run again every 10 s; a check slower than 2 s fails. */
export const DEFAULT_READINESS_INTERVAL_MS = 10_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

/**
 * The built-in checks, in the order they run: the database answers, its stamp
 * names this environment, no migration is pending (nor changed or missing),
 * the configuration had no problems. Store checks exist only with a store.
 * `current` is the configuration now (a live one's snapshot), `config` the
 * one the service started with.
 */
export function builtInChecks(
  config: ResolvedConfig<unknown>,
  store: Store<unknown> | undefined,
  current: () => ResolvedConfig<unknown> = () => config,
  head?: MigrationHead,
): Record<string, ReadinessCheck> {
  const checks: Record<string, ReadinessCheck> = {};
  if (store) {
    const db = store.db as Kysely<unknown>;
    checks.database = async () => {
      // `select 1`, built by Kysely so no SQL text differs between dialects.
      await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    };
    checks.stamp = async () => {
      const stamp = await store.readStamp();
      const own = config.environment.name;
      if (!stamp) throw new Error(`the database has no environment stamp (this process is "${own}")`);
      // Another environment's or project's database, or a copy of a protected one: the decision an open makes.
      const opener = {
        environment: config.environment,
        project: config.project.definition.project ?? '',
        identity: store.identity,
      };
      const refusal = stampRefusal(stamp, opener, store.where);
      if (refusal) throw new Error(`${refusal.code}: ${refusal.message}`);
    };
    checks.migrations = async () => {
      const status = await migrationStatus(store as Store);
      head?.record(status.applied.map((record) => record.name));
      const problems = [
        ...(status.pending.length > 0 ? [`pending: ${status.pending.join(', ')}`] : []),
        ...(status.changed.length > 0 ? [`changed since applied: ${status.changed.join(', ')}`] : []),
        ...(status.missing.length > 0 ? [`applied but missing: ${status.missing.join(', ')}`] : []),
      ];
      if (problems.length > 0) throw new Error(problems.join('; '));
    };
  }
  checks.config = () => {
    const { issues } = current();
    if (issues.length === 0) return;
    const keys = [...new Set(issues.map((issue) => issue.key || '(root)'))];
    throw new Error(`${issues.length} configuration problem(s) at ${keys.join(', ')}`);
  };
  return checks;
}

export interface ReadinessMonitor {
  /** The last finished round (constant time to read). */
  readonly report: ReadinessReport;
  /** The last report as JSON, serialised once per round. */
  readonly body: string;
  /** Starts the first round now and repeats every interval (the timer does not hold the process open). */
  start(): void;
  /** Runs one round now (or joins the one under way) and returns its report. */
  runNow(): Promise<ReadinessReport>;
  /** Stops the interval and waits for a round under way. */
  stop(): Promise<void>;
}

export interface ReadinessMonitorOptions {
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly scrub: (text: string) => string;
  /** Told of every report whose set of failing checks differs from the last one. */
  readonly onChange?: (report: ReadinessReport, previous: ReadinessReport) => void;
}

const STARTING: ReadinessReport = Object.freeze({
  status: 'starting',
  reason: 'starting',
  checkedAt: null,
  checks: Object.freeze([]),
  failing: Object.freeze(['starting']),
});

function reason(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'the check failed';
}

async function runCheck(name: string, check: ReadinessCheck, timeoutMs: number, scrub: (text: string) => string) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(check), timeout]);
    const ms = Math.round(performance.now() - started);
    if (outcome === false) return { name, ok: false, detail: 'the check returned false', ms };
    return { name, ok: true, ms };
  } catch (error) {
    return { name, ok: false, detail: scrub(reason(error)), ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the readiness checks in the background, so `GET /health/ready` answers
 * from the last result in constant time and a slow database cannot pile up
 * probe requests. Until the first round has finished the report says
 * `starting` (not ready), so a service is never ready before it was checked.
 */
export function createReadinessMonitor(options: ReadinessMonitorOptions): ReadinessMonitor {
  const entries = Object.entries(options.checks);
  let report = STARTING;
  let body = JSON.stringify(STARTING);
  let round: Promise<ReadinessReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runRound = async (): Promise<ReadinessReport> => {
    const checks = await Promise.all(
      entries.map(([name, check]) => runCheck(name, check, options.timeoutMs, options.scrub)),
    );
    const failing = checks.filter((check) => !check.ok).map((check) => check.name);
    const next: ReadinessReport = Object.freeze({
      status: failing.length === 0 ? 'ready' : 'not-ready',
      reason: failing.length === 0 ? null : `failing: ${failing.join(', ')}`,
      checkedAt: new Date().toISOString(),
      checks: Object.freeze(checks),
      failing: Object.freeze(failing),
    });
    const previous = report;
    report = next;
    body = JSON.stringify(next);
    if (previous.failing.join() !== next.failing.join()) options.onChange?.(next, previous);
    return next;
  };

  const runNow = (): Promise<ReadinessReport> => {
    round ??= runRound().finally(() => {
      round = undefined;
    });
    return round;
  };

  return {
    get report() {
      return report;
    },
    get body() {
      return body;
    },
    start() {
      if (timer || stopped) return;
      // Checks cannot reject (each failure is a result); only a throwing onChange could, and it must not crash the process.
      const background = () => void runNow().catch(() => {});
      background();
      timer = setInterval(() => {
        // A round still under way (a slow database) is joined, not doubled.
        if (!round) background();
      }, options.intervalMs);
      timer.unref();
    },
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      await round;
    },
  };
}
