import type { ConfigLayer } from '../layer.js';

/** Defaults declared in the schema (`.default(...)`), lowest precedence. */
export const schemaDefaultsLayer: ConfigLayer = {
  name: 'schema-defaults',
  load({ schema }) {
    const entries = [];
    for (const leaf of schema.leaves.values()) {
      if (leaf.hasDefault)
        entries.push({ key: leaf.key, value: leaf.defaultValue, source: { layer: 'schema-defaults' as const } });
    }
    return { entries, issues: [] };
  },
};
