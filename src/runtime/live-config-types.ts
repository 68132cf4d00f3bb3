import type { ResolvedConfig } from '../config/resolve.js';

/** What a subscriber is told when a revision changed keys it watches. */
export interface ConfigChange<Values = unknown> {
  /** The revision now applied. */
  readonly revision: number;
  /** The revision applied before it. */
  readonly previous: number;
  /** The watched keys whose value changed: old and new values, secret ones masked. */
  readonly changes: readonly { readonly key: string; readonly from: unknown; readonly to: unknown }[];
  /** The snapshot now current. */
  readonly resolved: ResolvedConfig<Values>;
}

export type ConfigListener<Values = unknown> = (change: ConfigChange<Values>) => void;

/** Where a live config stands, for readiness and `/environment`. */
export interface LiveStatus {
  /** The revision whose state is applied (0: none). */
  readonly revision: number;
  /** The latest revision seen in the store: `revision`, or newer when that one failed to apply here. */
  readonly latest: number;
  /** Restart-only keys a revision changed since this process started: they apply at its next start. */
  readonly pending: readonly string[];
  /** How changes arrive: PostgreSQL LISTEN/NOTIFY or SQLite PRAGMA data_version polling. */
  readonly mode: 'listen' | 'poll' | 'closed';
  /** False while the PostgreSQL listener is reconnecting (a resync follows). */
  readonly connected: boolean;
  /** Revisions applied, revisions that failed to apply here, and resyncs after a lost connection, since start. */
  readonly counts: { readonly applied: number; readonly failed: number; readonly resyncs: number };
  /** The last failure to apply a revision here (EW_ code and message), if the latest one failed. */
  readonly failure?: { readonly revision: number; readonly code: string; readonly message: string };
}

/**
 * A resolved configuration that follows runtime revisions. `current` is an
 * immutable snapshot swapped whole when a revision applies: hold it for a
 * request and it never changes under you.
 */
export interface LiveConfig<Values = unknown> {
  readonly current: ResolvedConfig<Values>;
  /** `current.values`, read at each access. */
  readonly values: ResolvedConfig<Values>['values'];
  status(): LiveStatus;
  /**
   * Calls `listener` after each revision that changes one of `keys` (every
   * key when omitted), with old and new values (secrets masked). Returns
   * the function that unsubscribes.
   */
  subscribe(listener: ConfigListener<Values>): () => void;
  subscribe(keys: readonly string[], listener: ConfigListener<Values>): () => void;
  /** Checks the store for a newer revision now (what a notification or a poll does). */
  refresh(): Promise<void>;
  /** Stops listening or polling; `current` stays the last snapshot. */
  close(): Promise<void>;
}

/** Where a live config reports: a pino logger, or anything with its `info` and `warn`. */
export interface LiveLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface LiveConfigOptions {
  /** Revisions applied, failures, a lost and resynced connection; default: not reported (see `status()`). */
  readonly logger?: LiveLogger;
  /** SQLite: how often to look for a commit, in milliseconds (default 100). PostgreSQL is told, never polled. */
  readonly pollMs?: number;
}
