import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Kysely } from 'kysely';
import type { Store } from '../store/index.js';
import { ensureHistory, type HistoryTables, SEEDS_TABLE } from './history.js';
import { loadModule } from './load-module.js';
import { MigrationFailedError, MigrationLoadError } from './migrate-errors.js';
import { fileChecksum } from './migration-files.js';
import { DEFAULT_WAIT_MS, withMigrationLock } from './migration-lock.js';

export interface SeedResult {
  readonly ran: readonly string[];
  readonly skipped: readonly { readonly name: string; readonly why: string }[];
}

/**
 * Runs `seeds/<env>/*` for the store's environment only, in name order, each
 * in a transaction with its record: a seed that ran (same content) is not
 * run again, so running seeds twice adds no rows, not even at once (seeds
 * run under the migration lock). Production runs only seeds that export
 * `production = true`.
 */
export async function runSeeds(store: Store, options: { readonly waitMs?: number } = {}): Promise<SeedResult> {
  const { environment } = store;
  // A preview is seeded as the environment it was made from, unless it has seeds of its own.
  const own = join(store.projectRoot, 'seeds', environment.name);
  const dir =
    environment.preview && !existsSync(own) ? join(store.projectRoot, 'seeds', environment.preview.from) : own;
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => /\.(m?ts|m?js)$/.test(name) && !name.endsWith('.d.ts'))
      .sort();
  } catch {
    return { ran: [], skipped: [] };
  }
  return withMigrationLock(store, options.waitMs ?? DEFAULT_WAIT_MS, (db) =>
    seedAll(store, db as unknown as Kysely<HistoryTables>, dir, names),
  );
}

async function seedAll(store: Store, db: Kysely<HistoryTables>, dir: string, names: readonly string[]) {
  const { environment } = store;
  await ensureHistory(db);
  const ran: string[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const file of names) {
    const path = join(dir, file);
    const shown = `${relative(store.projectRoot, dir).split(sep).join('/')}/${file}`;
    const name = `${environment.name}/${file.replace(/\.(m?ts|m?js)$/, '')}`;
    const checksum = fileChecksum(readFileSync(path));
    const done = await db.selectFrom(SEEDS_TABLE).select('checksum').where('name', '=', name).executeTakeFirst();
    if (done?.checksum === checksum) {
      skipped.push({ name, why: 'already ran' });
      continue;
    }
    const module = await loadModule(path, shown);
    if (typeof module.seed !== 'function') throw new MigrationLoadError(shown, 'exports no `seed(db)` function');
    if (environment.tier === 'production' && module.production !== true) {
      skipped.push({ name, why: 'production runs only seeds that export production = true' });
      continue;
    }
    try {
      await db.transaction().execute(async (trx) => {
        await (module.seed as (db: Kysely<unknown>) => Promise<unknown>)(trx as unknown as Kysely<unknown>);
        await trx.deleteFrom(SEEDS_TABLE).where('name', '=', name).execute();
        await trx.insertInto(SEEDS_TABLE).values({ name, checksum, applied_at: new Date().toISOString() }).execute();
      });
    } catch (error) {
      throw new MigrationFailedError(
        `seed ${name}`,
        undefined,
        error instanceof Error ? error.message : String(error),
        error,
      );
    }
    ran.push(name);
  }
  if (ran.length > 0) await store.audit.append({ action: 'seed', target: ran.join(', '), outcome: 'done' });
  return { ran, skipped };
}
