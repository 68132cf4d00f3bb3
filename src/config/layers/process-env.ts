import type { ConfigLayer } from '../layer.js';
import { LayerCollector } from './text-entry.js';

/**
 * Process variables, one per key: explicit `variables` mapping or the default
 * (`database.url` <- `DATABASE_URL`). A variable set to "" sets "", it is not
 * treated as missing.
 */
export const processEnvLayer: ConfigLayer = {
  name: 'process-env',
  load({ schema, variables, environment }) {
    const collector = new LayerCollector(environment.name);
    for (const leaf of schema.leaves.values()) {
      const text = variables[leaf.variable];
      if (text !== undefined) collector.addText(leaf, text, { layer: 'process-env', variable: leaf.variable });
    }
    return collector.output();
  },
};
