// What an open writes into a stamp once every check has passed: the database's identity,
// the declared sharing, and the first use of another environment's declaration; each audited.
import type { Kysely } from 'kysely';
import type { ResolvedConfig } from '../config/index.js';
import type { AuditLog } from './audit-log.js';
import { identityRecordsMore, sameDatabase } from './database-identity.js';
import type { InternalTables } from './internal-tables.js';
import { recordShares, recordStampedDatabase, type Stamp, sameShares } from './stamp.js';
import type { NamespaceStamp } from './stamp-survey.js';

/**
 * On an open that passed the stamp check: a stamp without the database's
 * identity (or with less of it than this role sees) gets it; a
 * non-protected environment's stamp made on another database (the file was
 * copied or moved, a dump restored) is moved along, with a warning. Each
 * write is audited; a protected environment's copy never gets here.
 */
export async function recordIdentity(
  stamp: Stamp,
  context: {
    internal: Kysely<InternalTables>;
    identity: string;
    environment: ResolvedConfig<unknown>['environment'];
    where: string;
    audit: AuditLog;
    warnings: string[];
  },
): Promise<Stamp> {
  const { internal, identity, environment, where, audit, warnings } = context;
  const filling = identityRecordsMore(stamp.database, identity);
  if (!filling && sameDatabase(stamp.database, identity)) return stamp;
  const { stamp: now, recorded } = await recordStampedDatabase(internal, stamp.database, identity);
  if (recorded) {
    const reason = filling ? 'identity recorded' : `automatic: database moved or copied (was ${stamp.database})`;
    await audit.append({ action: 'db.stamp', target: where, reason, outcome: 'done' });
    if (!filling) {
      warnings.push(
        `The database at ${where} is not the one ${environment.name}'s stamp was made on (${stamp.database}; now ${identity}): it was copied or moved. ${environment.name} is not protected, so the stamp now records where it is (audited).`,
      );
    }
  }
  return now ?? stamp;
}

/**
 * A protected environment's stamp records the sharing it declares now
 * (`database.shareWith`), so that the other namespaces' processes can read
 * it from the database; a change is audited.
 */
export async function recordDeclaredSharing(
  stamp: Stamp,
  context: {
    internal: Kysely<InternalTables>;
    shares: readonly string[];
    where: string;
    audit: AuditLog;
    makeTables: () => Promise<void>;
  },
): Promise<Stamp> {
  const { internal, shares, where, audit, makeTables } = context;
  if (sameShares(stamp.shares, shares)) return stamp;
  await makeTables();
  const now = await recordShares(internal, shares);
  await audit.append({
    action: 'db.stamp',
    target: where,
    reason: shares.length > 0 ? `sharing declared with ${shares.join(', ')}` : 'sharing withdrawn',
    outcome: 'done',
  });
  return now ?? stamp;
}

/**
 * The first use of a declared sharing is audited in the opener's own log
 * (`db.share`, naming the environment and its stamp table); later opens
 * find the event and add none.
 */
export async function auditFirstSharing(
  declared: readonly NamespaceStamp[],
  context: { where: string; audit: AuditLog; makeTables: () => Promise<void> },
): Promise<void> {
  if (declared.length === 0) return;
  const { where, audit, makeTables } = context;
  await makeTables();
  const seen = new Set((await audit.list({ action: 'db.share', limit: 10_000 })).map((row) => row.target));
  for (const { stamp, table } of declared) {
    const target = `${stamp.environment} ${table} ${where}`;
    if (seen.has(target)) continue;
    await audit.append({
      action: 'db.share',
      target,
      reason: `declared in database.shareWith (${stamp.tier})`,
      outcome: 'allowed',
    });
  }
}
