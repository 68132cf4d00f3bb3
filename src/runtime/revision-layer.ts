import type { ConfigLayer, ValueSource } from '../config/layer.js';
import { LayerCollector } from '../config/layers/text-entry.js';
import type { ResolutionWarning } from '../config/warnings.js';
import type { RevisionState } from './revision-state.js';

/** A revision as a layer reads it: its number (0: none yet) and the state it leaves. */
export interface AppliedRevision {
  readonly number: number;
  readonly state: RevisionState;
}

/** Revision 0: the state before any revision, nothing set by revisions. */
export const REVISION_ZERO: AppliedRevision = Object.freeze({ number: 0, state: Object.freeze({}) });

/**
 * The `runtime-revisions` layer of one revision: its keys, typed as `--set`
 * values are, each with the revision's number as its source. A key the
 * schema no longer declares, or now declares secret, is dropped with a
 * warning rather than refusing the start: the code moved on, the revision
 * stays in the history.
 */
export function revisionLayer(revision: AppliedRevision): ConfigLayer {
  return {
    name: 'runtime-revisions',
    load({ schema, environment }) {
      const collector = new LayerCollector(environment.name);
      const warnings: ResolutionWarning[] = [];
      const source: ValueSource = { layer: 'runtime-revisions', revision: String(revision.number) };
      for (const [key, text] of Object.entries(revision.state)) {
        const leaf = schema.leaves.get(key);
        if (!leaf || leaf.secret) {
          warnings.push({
            code: 'EW_WARN_REVISION_KEY_DROPPED',
            key,
            message: `revision ${revision.number} of ${environment.name} sets ${key}, which the schema ${leaf ? 'now declares secret' : 'no longer declares'}: that value is not used (\`envward config unset ${key} --env ${environment.name}\` removes it)`,
          });
          continue;
        }
        collector.addText(leaf, text, source);
      }
      return { ...collector.output(), warnings };
    },
  };
}
