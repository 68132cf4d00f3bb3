import { ConfigKeyUnknownError } from '../../errors.js';
import type { ConfigLayer } from '../layer.js';
import { suggestKey } from '../suggest.js';
import { LayerCollector } from './text-entry.js';

/** Explicit parameters (`--set key=value`, API `set`), highest precedence. */
export const explicitLayer: ConfigLayer = {
  name: 'explicit',
  load({ schema, explicit, environment }) {
    const collector = new LayerCollector(environment.name);
    for (const [key, text] of Object.entries(explicit)) {
      const leaf = schema.leaves.get(key);
      if (!leaf) throw new ConfigKeyUnknownError(key, '--set', suggestKey(key, schema.leaves.keys()));
      collector.addText(leaf, text, { layer: 'explicit' });
    }
    return collector.output();
  },
};
