/**
 * `migrate up` where the policy covers migrations: destructive statements
 * run only under an approved migrate.destructive request whose base is the
 * plan now, and each approval is used once.
 */
import { approvalsNeeded } from '../environment/approval-policy.js';
import { approvedRun } from '../migrate/approved-run.js';
import { destructiveBase } from '../migrate/destructive-approval.js';
import { type MigrateOptions, migrateUp, type UpResult } from '../migrate/runner.js';
import type { Store } from '../store/open-store.js';
import { APPROVED_TO_RUN } from './apply.js';
import { requestDb } from './request-context.js';
import { RequestClosedError } from './request-errors.js';
import { requestTarget } from './request-rows.js';
import { normaliseRequest, REQUEST_TABLE, rowsIfAny } from './request-table.js';

const RAN = 'approved; run by migrate up';

/**
 * Runs pending migrations as migrateUp does; where the environment's policy
 * covers migrations and one is destructive, under the oldest approved,
 * unused request for exactly this plan (marked used, audited as
 * `request.run`). Without one, migrateUp refuses: EW_APPROVAL_REQUIRED.
 */
export async function migrateUpWithApproval(store: Store, options: MigrateOptions = {}): Promise<UpResult> {
  if (approvalsNeeded(store.environment, 'migrations') === 0) return migrateUp(store, options);
  const { base, destructive } = await destructiveBase(store);
  if (destructive.length === 0) return migrateUp(store, options);
  const environment = store.environment.name;
  const [approved] = (
    await rowsIfAny(
      requestDb(store)
        .selectFrom(REQUEST_TABLE)
        .selectAll()
        .where('environment', '=', environment)
        .where('kind', '=', 'migrate.destructive')
        .where('status', '=', 'applied')
        .where('outcome', '=', APPROVED_TO_RUN)
        .where('base', '=', base)
        .orderBy('id')
        .limit(1)
        .execute(),
    )
  ).map(normaliseRequest);
  if (!approved) return migrateUp(store, options);
  await store.audit.appendWith(async (trx) => {
    const used = await requestDb({ db: trx })
      .updateTable(REQUEST_TABLE)
      .set({ outcome: RAN })
      .where('id', '=', approved.id)
      .where('outcome', '=', APPROVED_TO_RUN)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows ?? 0n) !== 1) throw new RequestClosedError(environment, approved.id, 'used');
    return {
      event: {
        action: 'request.run',
        target: requestTarget(approved, 'migrate up'),
        reason: approved.reason,
        outcome: 'done',
      },
      value: undefined,
    };
  });
  const reason = options.allowDestructive?.reason ?? `request #${approved.id}: ${approved.reason}`;
  return migrateUp(store, approvedRun({ ...options, allowDestructive: { reason } }, destructive));
}
