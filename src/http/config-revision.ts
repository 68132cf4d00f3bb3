import type { ResolvedConfig } from '../config/index.js';
import type { LiveConfig, LiveStatus } from '../runtime/index.js';

/**
 * Where a service's live configuration stands, as `GET /environment` and
 * `/health/ready` show it (only when the plugin was given a LiveConfig).
 */
export interface ConfigRevisionReport {
  /** The runtime revision whose state is applied (0: none). */
  readonly applied: number;
  /** The environment's latest revision in the store: newer than `applied` only when it failed to apply here. */
  readonly latest: number;
  /** Restart-only keys a revision changed since this process started: they apply at its next start. */
  readonly pending: readonly string[];
  /** How revisions arrive: `listen` (PostgreSQL), `poll` (SQLite) or `closed`. */
  readonly mode: LiveStatus['mode'];
  /** False while the PostgreSQL listener is reconnecting (it resyncs when back). */
  readonly connected: boolean;
  /** Why the latest revision did not apply here (its EW_ code, message scrubbed); null when it did. */
  readonly failure: { readonly revision: number; readonly code: string; readonly message: string } | null;
}

/** A plugin's configuration as the plugin reads it: the snapshot at registration, and the live one if any. */
export interface PluginConfig {
  /** The snapshot at registration: restart-only settings (headers, CORS, body limit) are read from it once. */
  readonly initial: ResolvedConfig<unknown>;
  readonly live: LiveConfig<unknown> | undefined;
  /** The snapshot now: `live.current`, or `initial` when the configuration is static. */
  current(): ResolvedConfig<unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Whether `value` is a LiveConfig (openLiveConfig's result) rather than a resolved configuration. */
export function isLiveConfig(value: unknown): value is LiveConfig<unknown> {
  return (
    isObject(value) &&
    typeof value.status === 'function' &&
    typeof value.subscribe === 'function' &&
    isObject((value as { current?: unknown }).current)
  );
}

/** The plugin's view of a resolved configuration or a LiveConfig. */
export function pluginConfig(config: ResolvedConfig<unknown> | LiveConfig<unknown>): PluginConfig {
  if (!isLiveConfig(config)) return Object.freeze({ initial: config, live: undefined, current: () => config });
  return Object.freeze({ initial: config.current, live: config, current: () => config.current });
}

/** The report of a LiveConfig's status; the failure's message goes through `scrub`. */
export function configRevisionReport(status: LiveStatus, scrub: (text: string) => string): ConfigRevisionReport {
  const { failure } = status;
  return Object.freeze({
    applied: status.revision,
    latest: Math.max(status.latest, status.revision),
    pending: Object.freeze([...status.pending]),
    mode: status.mode,
    connected: status.connected,
    failure: failure
      ? Object.freeze({ revision: failure.revision, code: failure.code, message: scrub(failure.message) })
      : null,
  });
}

/**
 * A text that changes whenever the report would: bodies made from a status
 * are kept until it changes, so a probe or a scrape sends a cached string.
 */
export function statusFingerprint(status: LiveStatus): string {
  const failure = status.failure ? `${status.failure.revision}:${status.failure.code}` : '';
  return `${status.revision}|${status.latest}|${status.mode}|${status.connected}|${failure}|${status.pending.join(',')}`;
}
