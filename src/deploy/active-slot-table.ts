import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { isMissingTable } from '../store/internal-tables.js';

/** One row per environment: the slot that takes traffic, and the switch that made it so. */
export const ACTIVE_SLOT_TABLE = 'envward_active_slot';

export interface ActiveSlotRow {
  environment: string;
  slot: string;
  /** ISO-8601. */
  switched_at: string;
  actor: string;
  reason: string;
}

export interface ActiveSlotTables {
  [ACTIVE_SLOT_TABLE]: ActiveSlotRow;
}

/** The active slot, and whether a switch recorded it or it is the first declared slot by default. */
export interface ActiveSlot {
  readonly slot: string;
  /** False before the first switch: the first declared slot is active then. */
  readonly recorded: boolean;
  readonly switchedAt?: string;
  readonly actor?: string;
  readonly reason?: string;
}

/** Made by the first switch, as the job and revision tables are (the store's table prefix and schema apply). */
export async function ensureActiveSlotTable(db: Kysely<ActiveSlotTables>): Promise<void> {
  // Two switches at once may race on CREATE; the loser finds the table made.
  for (let attempt = 0; ; attempt++) {
    try {
      await db.schema
        .createTable(ACTIVE_SLOT_TABLE)
        .ifNotExists()
        .addColumn('environment', 'text', (column) => column.primaryKey())
        .addColumn('slot', 'text', (column) => column.notNull())
        .addColumn('switched_at', 'text', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('reason', 'text', (column) => column.notNull())
        .execute();
      return;
    } catch (error) {
      if (attempt >= 2) throw error;
      await sql`select 1`.execute(db);
    }
  }
}

/**
 * The environment's active slot: one primary-key read, which creates
 * nothing (readiness runs it). Before any switch, or when the recorded slot
 * is no longer declared, the first declared slot is active.
 */
export async function readActiveSlot(
  db: Kysely<ActiveSlotTables>,
  environment: { readonly name: string; readonly slots: readonly string[] },
): Promise<ActiveSlot> {
  const first = { slot: environment.slots[0] ?? '', recorded: false };
  let row: ActiveSlotRow | undefined;
  try {
    row = await db
      .selectFrom(ACTIVE_SLOT_TABLE)
      .selectAll()
      .where('environment', '=', environment.name)
      .executeTakeFirst();
  } catch (error) {
    if (isMissingTable(error)) return first;
    throw error;
  }
  if (!row || !environment.slots.includes(row.slot)) return first;
  return { slot: row.slot, recorded: true, switchedAt: row.switched_at, actor: row.actor, reason: row.reason };
}

/** Records `row.slot` as the environment's active slot (insert or replace). */
export async function writeActiveSlot(db: Kysely<ActiveSlotTables>, row: ActiveSlotRow): Promise<void> {
  await db
    .insertInto(ACTIVE_SLOT_TABLE)
    .values(row)
    .onConflict((conflict) =>
      conflict.column('environment').doUpdateSet({
        slot: row.slot,
        switched_at: row.switched_at,
        actor: row.actor,
        reason: row.reason,
      }),
    )
    .execute();
}
