/**
 * What a running process applies of a revision: the keys marked live take
 * the revision's values; every other key keeps the value of the revision
 * the process started with, since the process read it once at start (a
 * port bound, a pool sized) and a new value would be a lie until it restarts.
 */
import type { ConfigLayer } from '../config/layer.js';
import type { SchemaIndex } from '../config/schema-index.js';
import { type AppliedRevision, revisionLayer } from './revision-layer.js';
import type { RevisionState } from './revision-state.js';

/** A revision as one process applies it, given the revision it started with. */
export interface LiveRevisionPlan {
  /** The live keys' part, from the new revision (keys the schema no longer declares go here too, to be warned of). */
  readonly live: AppliedRevision;
  /** The restart keys' part, from the start revision. */
  readonly kept: AppliedRevision;
  /** Restart keys whose value in the new revision differs from the start revision's, in key order. */
  readonly pending: readonly string[];
}

function pick(state: RevisionState, keep: (key: string) => boolean): RevisionState {
  return Object.freeze(Object.fromEntries(Object.entries(state).filter(([key]) => keep(key))));
}

/** Splits `latest` into what applies now and what waits for the next start (see the module's comment). */
export function planLiveRevision(
  start: AppliedRevision,
  latest: AppliedRevision,
  schema: Pick<SchemaIndex, 'leaves'>,
): LiveRevisionPlan {
  const restarts = (key: string) => {
    const leaf = schema.leaves.get(key);
    return leaf !== undefined && !leaf.secret && leaf.reload !== 'live';
  };
  const keys = [...new Set([...Object.keys(start.state), ...Object.keys(latest.state)])].sort();
  const pending = keys.filter((key) => restarts(key) && start.state[key] !== latest.state[key]);
  return {
    live: { number: latest.number, state: pick(latest.state, (key) => !restarts(key)) },
    kept: { number: start.number, state: pick(start.state, restarts) },
    pending,
  };
}

/**
 * The `runtime-revisions` layer of a plan: both parts, each key with the
 * number of the revision its value really comes from (what `explain` shows).
 */
export function liveRevisionLayer(plan: LiveRevisionPlan): ConfigLayer {
  const live = revisionLayer(plan.live);
  const kept = revisionLayer(plan.kept);
  return {
    name: 'runtime-revisions',
    async load(context) {
      const [a, b] = [await kept.load(context), await live.load(context)];
      return {
        entries: [...a.entries, ...b.entries],
        issues: [...a.issues, ...b.issues],
        warnings: [...(a.warnings ?? []), ...(b.warnings ?? [])],
      };
    },
  };
}
