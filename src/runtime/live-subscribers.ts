import type { SchemaIndex } from '../config/schema-index.js';
import { suggestKey } from '../config/suggest.js';
import { ConfigKeyUnknownError } from '../errors.js';
import type { ConfigValueChange } from './config-changes.js';
import type { ConfigChange, ConfigListener } from './live-config-types.js';

interface Subscription<Values> {
  /** Watched keys or groups; undefined watches every key. */
  readonly keys: readonly string[] | undefined;
  readonly listener: ConfigListener<Values>;
}

/** A key is watched when it is one of `keys` or inside one of them (a group such as `http.rateLimit`). */
function watched(keys: readonly string[] | undefined, key: string): boolean {
  return keys === undefined || keys.some((watch) => key === watch || key.startsWith(`${watch}.`));
}

/**
 * The listeners of one live config and the keys each watches. A listener
 * that throws (or whose promise rejects) is reported to `failed` and the
 * others are still called: one broken listener must not stop the rest of
 * the process from following the configuration.
 */
export class LiveSubscribers<Values> {
  readonly #subscriptions = new Set<Subscription<Values>>();
  readonly #schema: Pick<SchemaIndex, 'leaves' | 'groups'>;
  readonly #failed: (error: unknown, change: ConfigChange<Values>) => void;

  constructor(
    schema: Pick<SchemaIndex, 'leaves' | 'groups'>,
    failed: (error: unknown, change: ConfigChange<Values>) => void,
  ) {
    this.#schema = schema;
    this.#failed = failed;
  }

  /** Adds a listener; EW_CONFIG_KEY for a key the schema does not declare (a typo would never fire). */
  add(keys: readonly string[] | undefined, listener: ConfigListener<Values>): () => void {
    for (const key of keys ?? []) {
      if (this.#schema.leaves.has(key) || this.#schema.groups.has(key)) continue;
      throw new ConfigKeyUnknownError(key, 'subscribe', suggestKey(key, this.#schema.leaves.keys()));
    }
    const subscription: Subscription<Values> = { keys: keys ? [...keys] : undefined, listener };
    this.#subscriptions.add(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  /** Calls every listener that watches one of the changed keys, with those changes only. */
  notify(change: Omit<ConfigChange<Values>, 'changes'>, changes: readonly ConfigValueChange[]): void {
    for (const subscription of [...this.#subscriptions]) {
      const seen = changes.filter((entry) => watched(subscription.keys, entry.key));
      if (seen.length === 0) continue;
      const told: ConfigChange<Values> = Object.freeze({ ...change, changes: Object.freeze(seen) });
      try {
        const result: unknown = subscription.listener(told);
        if (result instanceof Promise) result.catch((error: unknown) => this.#failed(error, told));
      } catch (error) {
        this.#failed(error, told);
      }
    }
  }
}
