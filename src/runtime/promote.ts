/**
 * Promotion: values of one environment's configuration copied into
 * another's as a revision of the target, validated there first.
 */
import { readPath } from '../config/value-path.js';
import { assertNoApprovalNeeded } from '../environment/approval-policy.js';
import { isEnvwardError, UsageError } from '../errors.js';
import { latestRevision, revisionDb, withLatestRevision } from './applied-revision.js';
import { assertRevisable, assertRevisableValue } from './revisable-keys.js';
import {
  type ActEnvironment,
  openActStore,
  type RevisionRequest,
  type RevisionResult,
  requireReason,
  resolveForAct,
  writeRevision,
} from './revision-context.js';
import type { RevisionState } from './revision-state.js';
import { valueText } from './revision-state.js';

export interface PromoteConfigRequest extends Omit<RevisionRequest, 'env'> {
  /** The environment whose values are copied. */
  readonly from: string;
  /** The environment that gets them, as a new revision. */
  readonly to: string;
  /** Keys whose value (from any layer of `from`) to copy; none: every key `from`'s runtime revisions set. */
  readonly keys?: readonly string[];
}

/** The source's values: its keys as resolved with its latest revision, or its revisions' own state. */
async function sourceState(source: ActEnvironment, keys: readonly string[] | undefined): Promise<RevisionState> {
  let store: Awaited<ReturnType<typeof openActStore>> | undefined;
  try {
    store = await openActStore(source, 'read');
  } catch (error) {
    // A source whose database was never made has no revisions: its files' values are still promotable.
    if (!isEnvwardError(error) || error.code !== 'EW_DB_MISSING' || keys === undefined) throw error;
  }
  try {
    if (keys === undefined) {
      return store ? (await latestRevision(revisionDb(store), source.resolved.environment.name)).state : {};
    }
    const resolved = store ? (await withLatestRevision(source.resolved, store)).resolved : source.resolved;
    const state: Record<string, string> = {};
    for (const key of keys) {
      const leaf = resolved.project.schema.leaves.get(key);
      const value = leaf ? readPath(resolved.values, leaf.path) : undefined;
      if (value !== undefined) state[key] = valueText(value);
    }
    return state;
  } finally {
    await store?.close();
  }
}

/**
 * Copies configuration from one environment to another as a revision of
 * the target: named keys (their resolved values in `from`), or every key
 * `from`'s runtime revisions set. Refused when the values are invalid in
 * the target (EW_CONFIG_INVALID); audited as `config.promote` in the target.
 * @example
 * await promoteConfig({ from: 'staging', to: 'production', keys: ['ledger.transferLimit'], reason: 'CHG-7' });
 */
export async function promoteConfig(request: PromoteConfigRequest): Promise<RevisionResult> {
  const common = {
    ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
    ...(request.project !== undefined ? { project: request.project } : {}),
    ...(request.variables !== undefined ? { variables: request.variables } : {}),
    ...(request.hostname !== undefined ? { hostname: request.hostname } : {}),
  };
  if (request.from === request.to) {
    throw new UsageError(
      `config promote copies from one environment to another: --from and --to are both ${request.to}.`,
    );
  }
  const target = await resolveForAct({ ...common, env: request.to });
  const source = await resolveForAct({ ...common, project: target.resolved.project, env: request.from });
  const reason = requireReason('config promote', target.resolved, request.reason);
  // An approved promotion is a config.set request with the copied values (the CLI proposes it so).
  if (!request.dryRun) assertNoApprovalNeeded(target.resolved.environment, 'config', 'config promote');
  for (const key of request.keys ?? []) assertRevisable(target.resolved, key);
  const copied = await sourceState(source, request.keys);
  // Every key must be one the target's revisions may hold (a source revision made before a key turned secret).
  for (const [key, text] of Object.entries(copied)) {
    assertRevisable(target.resolved, key);
    assertRevisableValue(key, text);
  }
  const store = await openActStore(target, request.dryRun ? 'read' : 'write', request.actor);
  try {
    return await writeRevision(
      target,
      store,
      { action: 'promote', reason, dryRun: request.dryRun ?? false },
      (latest) => {
        const state: Record<string, string> = { ...latest, ...copied };
        // Named keys unset in the source are unset in the target's revisions too.
        for (const key of request.keys ?? []) if (!Object.hasOwn(copied, key)) delete state[key];
        return { state, detail: `from ${request.from}` };
      },
    );
  } finally {
    await store.close();
  }
}
