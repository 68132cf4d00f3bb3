/**
 * envward/runtime: runtime control of configuration. Revisions of an
 * environment's non-secret keys in its own store (set, history, rollback,
 * promotion), each validated before it is written and audited, and live
 * reload of them into running processes. Importing it loads nothing heavy:
 * Kysely, the acts and the database drivers load on the first call. Every
 * name is listed on purpose and documented in docs/api.md.
 */

import type { EnvironmentTarget } from '../acts/environment-target.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { ActiveSlot } from '../deploy/active-slot-table.js';
import type { DeploymentEntry } from '../deploy/deployment-entry.js';
import type { DeploymentList, ListDeploymentsRequest } from '../deploy/list-deployments.js';
import type { RecordDeploymentRequest } from '../deploy/record-deployment.js';
import type { SwitchSlotRequest, SwitchSlotResult } from '../deploy/switch-slot.js';
import { importPeer } from '../peers.js';
import type {
  ChangeRequest,
  ListRequestsRequest,
  ProposeChangeRequest,
  ReviewRequestRequest,
  ShowRequestRequest,
} from '../requests/change-request.js';
import type { Store } from '../store/open-store.js';
import type { BackupConfigRequest, BackupResult } from './config-backup.js';
import type { RestoreConfigRequest, RestoreResult } from './config-restore.js';
import type { ConfigHistory, ConfigHistoryRequest } from './history.js';
import type { LiveStore } from './live-config.js';
import type { LiveConfig, LiveConfigOptions } from './live-config-types.js';
import type { PromoteConfigRequest } from './promote.js';
import type { RollbackConfigRequest, SetConfigRequest } from './revision-acts.js';
import type { RevisionResult } from './revision-context.js';
import type { AppliedRevision } from './revision-layer.js';

export type { ActiveSlot } from '../deploy/active-slot-table.js';
export {
  DeployInputError,
  DeployNotPromotedError,
  DeployPreviousUnreadableError,
  DeployVersionMissingError,
} from '../deploy/deploy-errors.js';
export type { DeployOutcome } from '../deploy/deploy-outcomes.js';
export { deploy } from '../deploy/deploy-settings.js';
export type { DeploymentEntry } from '../deploy/deployment-entry.js';
export type { InstanceReadiness } from '../deploy/instance-readiness.js';
export type { DeploymentList, ListDeploymentsRequest } from '../deploy/list-deployments.js';
export type { RecordDeploymentRequest } from '../deploy/record-deployment.js';
export { type InstanceProblem, SlotNotReadyError, SlotRequiredError, SlotUnknownError } from '../deploy/slot-errors.js';
export type { SwitchSlotRequest, SwitchSlotResult } from '../deploy/switch-slot.js';
export { ApprovalRequiredError } from '../environment/approval-policy.js';
export {
  listPreviews,
  type PreviewDown,
  type PreviewDownRequest,
  type PreviewEntry,
  type PreviewGc,
  PreviewInputError,
  PreviewNotOursError,
  type PreviewUp,
  type PreviewUpRequest,
  previewDown,
  previewGc,
  previewUp,
} from '../lifecycle/index.js';
export type {
  ChangeRequest,
  ListRequestsRequest,
  ProposeChangeRequest,
  ProposedChange,
  RequestDiffLine,
  RequestKind,
  RequestReview,
  RequestStatus,
  ReviewRequestRequest,
  ShowRequestRequest,
} from '../requests/change-request.js';
export {
  RequestChangeError,
  RequestClosedError,
  RequestNotFoundError,
  RequestReviewedError,
  RequestSelfReviewError,
  RequestStaleError,
} from '../requests/request-errors.js';
export {
  ArchiveEnvironmentError,
  ArchiveExistsError,
  ArchiveInvalidError,
  ArchiveProjectError,
  ArchiveStoreMoveError,
} from './archive-errors.js';
export type { OmittedFile } from './config-archive.js';
export type { BackedUpEnvironment, BackupConfigRequest, BackupResult } from './config-backup.js';
export type { RestoreConfigRequest, RestoredEnvironment, RestoreResult } from './config-restore.js';
export type { ConfigHistory, ConfigHistoryRequest, RevisionEntry } from './history.js';
export type { LiveStore } from './live-config.js';
export type {
  ConfigChange,
  ConfigListener,
  LiveConfig,
  LiveConfigOptions,
  LiveLogger,
  LiveStatus,
} from './live-config-types.js';
export type { PromoteConfigRequest } from './promote.js';
export type { RevisionsOutcome, RevisionsRestored } from './restore-revisions.js';
export { STORE_LOCATION_KEYS } from './revisable-keys.js';
export type { RollbackConfigRequest, SetConfigRequest } from './revision-acts.js';
export type { RevisionRequest, RevisionResult } from './revision-context.js';
export {
  ReasonRequiredError,
  RevisionCorruptError,
  RevisionKeyError,
  RevisionNoChangeError,
  RevisionNotFoundError,
} from './revision-errors.js';
export { type AppliedRevision, REVISION_ZERO } from './revision-layer.js';
export type { RevisionChange, RevisionState } from './revision-state.js';
export type { RevisionAction } from './revision-table.js';

const acts = () => importPeer('envward/runtime', () => import('./acts.js'));

/**
 * Sets (and unsets) keys of an environment's configuration at run time: a
 * new revision, validated against the schema, tier rules and project rules
 * first (EW_CONFIG_INVALID, nothing written), audited as `config.set`. Live
 * keys apply at once in every running instance; the others are `pending`
 * until each instance's next start.
 * @example
 * await setConfig({ env: 'staging', set: { 'log.level': 'debug' }, reason: 'INC-42' });
 */
export async function setConfig(request: SetConfigRequest): Promise<RevisionResult> {
  return (await acts()).setConfig(request);
}

/**
 * A new revision equal to revision `to`'s state (0: before any revision);
 * history is never rewritten. Validated first, audited as `config.rollback`.
 * @example
 * await rollbackConfig({ env: 'staging', to: 0, reason: 'undo INC-42' });
 */
export async function rollbackConfig(request: RollbackConfigRequest): Promise<RevisionResult> {
  return (await acts()).rollbackConfig(request);
}

/**
 * Copies named keys (or every key the source's revisions set) from one
 * environment to another as a revision of the target, refused when invalid
 * there; audited as `config.promote` in the target.
 * @example
 * await promoteConfig({ from: 'staging', to: 'production', keys: ['ledger.transferLimit'], reason: 'CHG-7' });
 */
export async function promoteConfig(request: PromoteConfigRequest): Promise<RevisionResult> {
  return (await acts()).promoteConfig(request);
}

/**
 * The environment's revisions with their diffs, oldest first; reads only.
 * @example
 * const { revisions } = await configHistory({ env: 'staging', key: 'log.level' });
 */
export async function configHistory(request: ConfigHistoryRequest): Promise<ConfigHistory> {
  return (await acts()).configHistory(request);
}

/**
 * `resolved` again with the environment's latest runtime revision from
 * `store` applied: what a process that does not watch for revisions uses at
 * start. EW_CONFIG_INVALID when the revision no longer validates.
 * @example
 * const { resolved: current, revision } = await withLatestRevision(await resolveConfig(), store);
 */
export async function withLatestRevision<Values>(
  resolved: ResolvedConfig<Values>,
  store: Pick<Store, 'db'>,
): Promise<{ readonly resolved: ResolvedConfig<Values>; readonly revision: AppliedRevision }> {
  return (await acts()).withLatestRevision(resolved, store);
}

const live = () => importPeer('envward/runtime', () => import('./live-config.js'));

/**
 * `resolved` following its environment's runtime revisions in `store`
 * (opened from the same `resolved`): the latest revision applied at once,
 * each later one as it is written, swapped in as a whole new snapshot.
 * Live keys apply; restart keys keep their start value and are reported
 * `pending`; a revision invalid here is not applied (see `status()`).
 * PostgreSQL pushes revisions (LISTEN/NOTIFY, one connection); SQLite is
 * polled (`PRAGMA data_version`, every `pollMs`). Close it before the store.
 * @example
 * const config = await openLiveConfig(resolved, store, { logger });
 * config.subscribe(['log.level'], ({ changes }) => { logger.level = String(changes[0]?.to); });
 */
export async function openLiveConfig<Values>(
  resolved: ResolvedConfig<Values>,
  store: LiveStore,
  options?: LiveConfigOptions,
): Promise<LiveConfig<Values>> {
  return (await live()).openLiveConfig(resolved, store, options);
}

/**
 * Writes a versioned, checksummed archive of one environment's
 * configuration, or every one's (`all`): settings files as on disk, runtime
 * revisions from its store, encrypted secrets (ciphertext and public key,
 * never a private key or a plaintext value). Atomic, mode 0600, never over
 * an existing file unless `force`; audited as `config.backup`.
 * @example
 * await backupConfig({ all: true, out: 'config-backup.json' });
 */
export async function backupConfig(request: BackupConfigRequest): Promise<BackupResult> {
  return (await acts()).backupConfig(request);
}

/**
 * Restores an archive of `backupConfig` into one environment or all it
 * holds, after validating everything (archive, project, environments, the
 * configuration each will resolve to); then files atomically, and each
 * environment's revisions with its `config.restore` audit event in one
 * transaction. Restoring the same archive twice changes nothing more.
 * @example
 * await restoreConfig({ file: 'config-backup.json', env: 'staging', reason: 'CHG-9' });
 */
export async function restoreConfig(request: RestoreConfigRequest): Promise<RestoreResult> {
  return (await acts()).restoreConfig(request);
}

const requests = () => importPeer('envward/runtime', () => import('../requests/index.js'));

/**
 * Proposes a change in an environment whose policy (`approvals` in
 * envward.config.ts) asks for approvals: validated now (nothing written
 * when invalid), a secret's value sealed at once, audited as
 * `request.create`. `actor` defaults to the OS user.
 * @example
 * const request = await proposeChange({ env: 'production', change: { kind: 'config.set', set: { 'log.level': 'debug' } }, reason: 'INC-42' });
 */
export async function proposeChange(request: ProposeChangeRequest): Promise<ChangeRequest> {
  return (await requests()).proposeChange(request);
}

/**
 * An environment's change requests, oldest first (`status` filters); reads only.
 * @example
 * const waiting = await listRequests({ env: 'production', status: 'pending' });
 */
export async function listRequests(request: ListRequestsRequest): Promise<ChangeRequest[]> {
  return (await requests()).listRequests(request);
}

/**
 * One change request with its reviews and masked diff; reads only.
 * @example
 * const request = await showRequest({ env: 'production', id: 7 });
 */
export async function showRequest(request: ShowRequestRequest): Promise<ChangeRequest> {
  return (await requests()).showRequest(request);
}

/**
 * Approves a request as someone other than its requester; the approval
 * that reaches the quorum applies it in the same call, validated again
 * (EW_REQUEST_STALE when the state moved since it was proposed).
 * @example
 * await approveRequest({ env: 'production', id: 7, reason: 'checked' });
 */
export async function approveRequest(request: ReviewRequestRequest): Promise<ChangeRequest> {
  return (await requests()).approveRequest(request);
}

/**
 * Rejects a pending request with a reason; it never applies.
 * @example
 * await rejectRequest({ env: 'production', id: 7, reason: 'wrong limit' });
 */
export async function rejectRequest(
  request: ReviewRequestRequest & { readonly reason: string },
): Promise<ChangeRequest> {
  return (await requests()).rejectRequest(request);
}

const deployments = () => importPeer('envward/runtime', () => import('../deploy/deploy-acts.js'));

/**
 * Records that a version was deployed to an environment (from CI), with how
 * it went: a row in the environment's own store (`envward_deployments`,
 * made on the first record) and its `deploy.record` audit event, written
 * together. The version, commit, outcome and reason are checked first
 * (EW_DEPLOY_INPUT, nothing opened or written). No host check.
 * @example
 * await recordDeployment({ env: 'staging', version: '1.4.2', commit: '5f3a9c1', outcome: 'succeeded' });
 */
export async function recordDeployment(request: RecordDeploymentRequest): Promise<DeploymentEntry> {
  return (await deployments()).recordDeployment(request);
}

/**
 * An environment's deployment records, newest first; reads only (no table
 * yet: none, and none is made).
 * @example
 * const { deployments } = await listDeployments({ env: 'production', limit: 10 });
 */
export async function listDeployments(request: ListDeploymentsRequest): Promise<DeploymentList> {
  return (await deployments()).listDeployments(request);
}

const slots = () => importPeer('envward/runtime', () => import('../deploy/switch-slot.js'));

/**
 * Makes `to` the active blue-green slot of an environment that declares
 * slots, once every instance of it answers ready (but for being inactive)
 * and preflight is clear; recorded in the store with who and why, audited
 * as `deploy.switch`. Switching back is the rollback (docs/slots.md).
 * @example
 * await switchSlot({ env: 'production', to: 'green', reason: 'release 4.2' });
 */
export async function switchSlot(request: SwitchSlotRequest): Promise<SwitchSlotResult> {
  return (await slots()).switchSlot(request);
}

/**
 * The active slot of an environment that declares slots (its first slot
 * before any switch); reads only.
 * @example
 * const { slot } = await activeSlot({ env: 'production' });
 */
export async function activeSlot(request: EnvironmentTarget): Promise<ActiveSlot & { readonly environment: string }> {
  return (await slots()).activeSlot(request);
}
