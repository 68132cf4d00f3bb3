import type { Kysely } from 'kysely';
import type { ActiveSlotTables } from '../deploy/active-slot-table.js';
import type { Environment } from '../environment/index.js';
import type { AnyStore } from './options.js';
import type { ReadinessCheck } from './readiness.js';

/** How often an instance of a slotted environment looks for a switch between readiness rounds. */
export const SLOT_POLL_MS = 1_000;

export interface SlotReadiness {
  /** The `slot` readiness check: fails with "inactive slot" unless this instance's slot is active. */
  readonly check: ReadinessCheck;
  /** Reads the active slot every `pollMs` and calls `onSwitch` when it moved; returns the stop function. */
  watch(onSwitch: () => void, pollMs?: number): () => void;
}

/**
 * This instance's slot against the store's record, read fresh each time
 * (one primary-key read that creates nothing). The watch makes a switch
 * show in readiness within a second rather than at the next round.
 */
export function slotReadiness(environment: Environment, own: string, store: AnyStore): SlotReadiness {
  const db = store.db as Kysely<ActiveSlotTables>;
  let seen: string | undefined;
  const active = async () => {
    // Loaded on the first read: importing envward/fastify loads no query builder.
    const { readActiveSlot } = await import('../deploy/active-slot-table.js');
    seen = (await readActiveSlot(db, environment)).slot;
    return seen;
  };
  return {
    async check() {
      const slot = await active();
      if (slot !== own) throw new Error(`inactive slot: this instance is in slot ${own}, and ${slot} is active`);
    },
    watch(onSwitch, pollMs = SLOT_POLL_MS) {
      let reading = false;
      const timer = setInterval(() => {
        if (reading) return;
        reading = true;
        const before = seen;
        // A failed read is the `slot` check's to report at its round; the watch only looks for a switch.
        active()
          .then((slot) => {
            if (before !== undefined && slot !== before) onSwitch();
          })
          .catch(() => {})
          .finally(() => {
            reading = false;
          });
      }, pollMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
