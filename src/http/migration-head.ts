import type { Kysely } from 'kysely';
import type { HistoryTables } from '../migrate/history.js';
import type { Store } from '../store/index.js';

/** How long `/environment` reuses the migration head it read (readiness rounds refresh it too). */
export const MIGRATION_HEAD_TTL_MS = 5_000;

/**
 * The name of the last migration applied to the store (names sort in the
 * order they apply), as `/environment` and `/health/ready` show it: null
 * without a store or before any migration. Read at most once per TTL;
 * readiness's own migration check records what it read, for free.
 */
export interface MigrationHead {
  /** The last value read (null until one was). */
  current(): string | null;
  /** The value now, read again when the last read is older than the TTL; a failed read keeps the last value. */
  read(): Promise<string | null>;
  /** Records the applied migrations' names that another reader (readiness) just read. */
  record(applied: readonly string[]): void;
}

export function migrationHead(
  store: Pick<Store, 'db'> | undefined,
  ttlMs: number = MIGRATION_HEAD_TTL_MS,
): MigrationHead {
  let value: string | null = null;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<string | null> | undefined;
  const record = (applied: readonly string[]) => {
    value = applied.length > 0 ? ([...applied].sort().at(-1) ?? null) : null;
    readAt = performance.now();
  };
  return {
    current: () => value,
    record,
    read() {
      if (!store || performance.now() - readAt < ttlMs) return Promise.resolve(value);
      // History is loaded on the first read: importing envward/fastify loads no Kysely.
      reading ??= import('../migrate/history.js')
        .then(({ appliedMigrationsIfAny }) => appliedMigrationsIfAny(store.db as unknown as Kysely<HistoryTables>))
        .then(
          (rows) => {
            record(rows.map((row) => row.name));
            return value;
          },
          () => value,
        )
        .finally(() => {
          reading = undefined;
        });
      return reading;
    },
  };
}
