/**
 * What a change request for destructive migrations is approved against, and
 * how an approved run is told apart. The base is the migration head and the
 * plan of the pending migrations: a new file, an edit or another applied
 * migration makes an approval stale (approved-run.ts marks the run).
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/index.js';
import { migrationPlan, migrationStatus } from './runner.js';

export interface DestructiveBase {
  /** `migrations:<sha256>` of the applied names and the pending plan. */
  readonly base: string;
  /** The pending migrations with a destructive statement. */
  readonly destructive: readonly string[];
}

/** The store's migration head and pending plan, as a fingerprint. */
export async function destructiveBase(store: Store): Promise<DestructiveBase> {
  const status = await migrationStatus(store);
  const plan = await migrationPlan(store);
  const text = JSON.stringify({
    applied: status.applied.map((record) => record.name),
    plan: plan.map((migration) => ({
      name: migration.name,
      statements: migration.statements.map((statement) => [statement.sql, statement.destructive]),
    })),
  });
  return {
    base: `migrations:${createHash('sha256').update(text).digest('hex')}`,
    destructive: plan.filter((migration) => migration.destructive).map((migration) => migration.name),
  };
}
