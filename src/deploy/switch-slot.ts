/**
 * `deploy switch`: the active slot of a blue-green environment moved to
 * another slot, only after every instance of that slot answers ready (but
 * for being inactive) and the environment passes preflight; the record and
 * its audit event written in one transaction.
 */
import type { Kysely } from 'kysely';
import type { EnvironmentTarget } from '../acts/environment-target.js';
import type { ForceOverride } from '../environment/index.js';
import { UsageError } from '../errors.js';
import { runPreflight } from '../preflight/index.js';
import { openActStore, resolveForAct } from '../runtime/revision-context.js';
import type { Store } from '../store/index.js';
import {
  type ActiveSlot,
  type ActiveSlotTables,
  ensureActiveSlotTable,
  readActiveSlot,
  writeActiveSlot,
} from './active-slot-table.js';
import { DEFAULT_PROBE_TIMEOUT_MS, type InstanceReadiness, instanceUrl, probeInstance } from './instance-readiness.js';
import { type InstanceProblem, SlotNotReadyError, SlotUnknownError } from './slot-errors.js';

/** A switch's reason: required, at most this many printable characters. */
const REASON_LIMIT = 500;
/** More instances than this in one slot is a mistake in the list, not a fleet to probe at once. */
const INSTANCE_LIMIT = 64;

export interface SwitchSlotRequest extends EnvironmentTarget {
  /** The slot that takes traffic after the switch. */
  readonly to: string;
  /** Why: required, recorded with the active slot and in the audit log. */
  readonly reason: string;
  /** Who switches; default the OS user. */
  readonly actor?: string;
  /** The target slot's instances (base URLs); default `deploy.slots.<to>` of the environment's settings. */
  readonly instances?: readonly string[];
  /** How long each instance may take to answer readiness (default 5 s). */
  readonly timeoutMs?: number;
  /** Switches although an instance or preflight failed (they are still checked and reported); audited. */
  readonly force?: ForceOverride;
}

export interface SwitchSlotResult {
  readonly environment: string;
  /** The slot active before. */
  readonly from: string;
  readonly to: string;
  /** False when `to` was already active: nothing checked, written or audited. */
  readonly switched: boolean;
  /** Each target instance's readiness, as checked before the switch. */
  readonly instances: readonly InstanceReadiness[];
  /** Preflight's outcome for the environment (its host check aside); absent when nothing was checked. */
  readonly preflight?: 'clear' | 'findings' | 'refused';
  /** The problems a `force` switched past; empty otherwise. */
  readonly overridden: readonly InstanceProblem[];
}

/** Thrown inside the transaction when another switch made `to` active first: nothing is written. */
class AlreadyActive extends Error {}

function slotDb(store: { readonly db: unknown }) {
  return store.db as Kysely<ActiveSlotTables>;
}

function checkedReason(reason: unknown): string {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text === '') {
    throw new UsageError(
      'deploy switch needs a reason: it moves traffic, and the audit log records why.',
      'Add --reason "why" (a ticket, a release).',
    );
  }
  if (text.length > REASON_LIMIT || /\p{Cc}/u.test(text)) {
    throw new UsageError(
      `deploy switch: a reason is one line of at most ${REASON_LIMIT} printable characters.`,
      'Shorten it; link a ticket for the details.',
    );
  }
  return text;
}

function settingsInstances(values: unknown, slot: string): readonly unknown[] {
  const slots = (values as { deploy?: { slots?: Record<string, unknown> } }).deploy?.slots;
  const listed = slots && Object.hasOwn(slots, slot) ? slots[slot] : undefined;
  return Array.isArray(listed) ? listed : [];
}

/**
 * The environment's active slot as recorded (or its first declared slot
 * before any switch); reads only, creates nothing.
 * @example const { slot } = await activeSlot({ env: 'production' });
 */
export async function activeSlot(request: EnvironmentTarget): Promise<ActiveSlot & { readonly environment: string }> {
  const act = await resolveForAct(request);
  const environment = act.resolved.environment;
  if (environment.slots.length === 0) throw new SlotUnknownError('', environment, 'deploy');
  const store = await openActStore(act, 'read');
  try {
    return { environment: environment.name, ...(await readActiveSlot(slotDb(store), environment)) };
  } finally {
    await store.close();
  }
}

/**
 * Makes `to` the environment's active slot once its instances are ready
 * and preflight is clear, recording who, when and why, audited as
 * `deploy.switch` (`slot blue -> green`). Switching back is the rollback.
 * Refused with EW_SLOT_NOT_READY naming each instance that is not ready
 * (or the missing list), EW_SLOT_UNKNOWN for a slot the environment does
 * not declare; nothing is written then.
 * @example await switchSlot({ env: 'production', to: 'green', reason: 'release 4.2' });
 */
export async function switchSlot(request: SwitchSlotRequest): Promise<SwitchSlotResult> {
  const reason = checkedReason(request.reason);
  const act = await resolveForAct(request);
  const environment = act.resolved.environment;
  if (!environment.slots.includes(request.to))
    throw new SlotUnknownError(request.to, environment, 'deploy switch --to');
  const listed = request.instances ?? settingsInstances(act.resolved.values, request.to);
  if (listed.length > INSTANCE_LIMIT) {
    throw new UsageError(
      `deploy switch: ${listed.length} instances listed, at most ${INSTANCE_LIMIT}.`,
      'List the target slot’s instances only.',
    );
  }
  const instances = [...new Set(listed.map((url) => instanceUrl(url, 'deploy switch instance')))];
  const timeoutMs = request.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;

  const reader = await openActStore(act, 'read');
  let current: ActiveSlot;
  try {
    current = await readActiveSlot(slotDb(reader), environment);
  } finally {
    await reader.close();
  }
  const unchanged = {
    environment: environment.name,
    from: current.slot,
    to: request.to,
    instances: [],
    overridden: [],
  };
  if (current.slot === request.to) return { ...unchanged, switched: false };

  const [probes, preflight] = await Promise.all([
    Promise.all(instances.map((instance) => probeInstance(instance, request.to, timeoutMs))),
    runPreflight(environment.name, {
      project: act.resolved.project,
      ...(request.variables !== undefined ? { variables: request.variables } : {}),
      ...(request.hostname !== undefined ? { hostname: request.hostname } : {}),
    }),
  ]);
  const problems: InstanceProblem[] = [];
  if (instances.length === 0) {
    problems.push({
      instance: `slot ${request.to}`,
      problem: `no instance listed (deploy.slots.${request.to} in the settings, or --instance URL)`,
    });
  }
  for (const probe of probes)
    if (!probe.ready) problems.push({ instance: probe.instance, problem: probe.problem ?? 'not ready' });
  // The host check is left out: an operator switches from their own machine, as they set config.
  const failing = preflight.checks.filter(
    (check) => check.name !== 'host' && (check.status === 'fail' || check.status === 'refused'),
  );
  if (failing.length > 0) {
    problems.push({
      instance: 'preflight',
      problem: `failing ${failing.map((check) => check.name).join(', ')} (envward preflight ${environment.name})`,
    });
  }
  if (problems.length > 0 && !request.force) throw new SlotNotReadyError(environment.name, request.to, problems);

  const store: Store = await openActStore(act, 'write', request.actor);
  try {
    await ensureActiveSlotTable(slotDb(store));
    const { value: from } = await store.audit.appendWith(async (trx) => {
      const before = await readActiveSlot(slotDb({ db: trx }), environment);
      if (before.slot === request.to) throw new AlreadyActive();
      await writeActiveSlot(slotDb({ db: trx }), {
        environment: environment.name,
        slot: request.to,
        switched_at: new Date().toISOString(),
        actor: store.actor,
        reason,
      });
      const forced = problems.length > 0 ? ` (forced past: ${problems.map((entry) => entry.instance).join(', ')})` : '';
      return {
        event: {
          action: 'deploy.switch',
          target: `slot ${before.slot} -> ${request.to}${forced}`,
          reason,
          outcome: 'done',
        },
        value: before.slot,
      };
    });
    return {
      ...unchanged,
      from,
      switched: true,
      instances: probes,
      preflight: preflight.outcome,
      overridden: problems,
    };
  } catch (error) {
    if (error instanceof AlreadyActive) return { ...unchanged, from: request.to, switched: false, instances: probes };
    throw error;
  } finally {
    await store.close();
  }
}
