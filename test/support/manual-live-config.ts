/**
 * A LiveConfig driven by the test, for the plugin's own tests: `apply()`
 * re-resolves with a revision's state exactly as a revision applies
 * (reresolve with the `runtime-revisions` layer) and tells subscribers;
 * `fail()` records a revision that did not apply; `setPending()` and
 * `setConnected()` set the rest of the status. No store, no timing: each
 * change has happened when the call returns. openLiveConfig itself is
 * tested in test/runtime/; the plugin is also tested against it there.
 */
import type { ResolvedConfig } from '../../src/config/index.ts';
import { displayValue } from '../../src/config/mask.ts';
import { reresolve } from '../../src/config/resolve.ts';
import type { ConfigListener, LiveConfig, LiveStatus } from '../../src/runtime/live-config-types.ts';
import { revisionLayer } from '../../src/runtime/revision-layer.ts';
import type { RevisionState } from '../../src/runtime/revision-state.ts';

export interface ManualLiveConfig extends LiveConfig<unknown> {
  /** Applies revision `number` with `state` (key -> text, as `config set` takes it). */
  apply(number: number, state: RevisionState): Promise<void>;
  /** Records that revision `number` failed to apply here (the snapshot stays). */
  fail(number: number, code: string, message: string): void;
  setPending(keys: readonly string[]): void;
  setConnected(connected: boolean): void;
  /** Resyncs counted, as after a lost connection. */
  resynced(): void;
}

interface Subscription {
  readonly keys: readonly string[] | undefined;
  readonly listener: ConfigListener<unknown>;
}

export function manualLiveConfig(start: ResolvedConfig<unknown>): ManualLiveConfig {
  let current = start;
  let status: LiveStatus = {
    revision: 0,
    latest: 0,
    pending: [],
    mode: 'poll',
    connected: true,
    counts: { applied: 0, failed: 0, resyncs: 0 },
  };
  const subscriptions = new Set<Subscription>();
  const shown = (config: ResolvedConfig<unknown>, key: string) =>
    displayValue(config.explain(key).value, config.isSecret(key));
  const live: ManualLiveConfig = {
    get current() {
      return current;
    },
    get values() {
      return current.values;
    },
    status: () => status,
    subscribe(keysOrListener: readonly string[] | ConfigListener<unknown>, maybe?: ConfigListener<unknown>) {
      const subscription: Subscription =
        typeof keysOrListener === 'function'
          ? { keys: undefined, listener: keysOrListener }
          : { keys: keysOrListener, listener: maybe as ConfigListener<unknown> };
      subscriptions.add(subscription);
      return () => subscriptions.delete(subscription);
    },
    async refresh() {},
    async close() {
      status = { ...status, mode: 'closed' };
    },
    async apply(number, state) {
      const previous = current;
      const previousNumber = status.revision;
      current = await reresolve(start, [revisionLayer({ number, state })]);
      const { counts } = status;
      status = {
        ...status,
        revision: number,
        latest: Math.max(status.latest, number),
        counts: { ...counts, applied: counts.applied + 1 },
      };
      delete (status as { failure?: unknown }).failure;
      for (const { keys, listener } of subscriptions) {
        const changes = (keys ?? current.keys)
          .filter((key) => current.keys.includes(key))
          .map((key) => ({ key, from: shown(previous, key), to: shown(current, key) }))
          .filter((change) => JSON.stringify(change.from) !== JSON.stringify(change.to));
        if (changes.length > 0) listener({ revision: number, previous: previousNumber, changes, resolved: current });
      }
    },
    fail(number, code, message) {
      const { counts } = status;
      status = {
        ...status,
        latest: Math.max(status.latest, number),
        counts: { ...counts, failed: counts.failed + 1 },
        failure: { revision: number, code, message },
      };
    },
    setPending(keys) {
      status = { ...status, pending: [...keys] };
    },
    setConnected(connected) {
      status = { ...status, connected };
    },
    resynced() {
      status = { ...status, counts: { ...status.counts, resyncs: status.counts.resyncs + 1 } };
    },
  };
  return live;
}
