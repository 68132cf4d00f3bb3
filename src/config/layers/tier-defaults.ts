import { composedTierDefaults } from '../compose.js';
import type { ConfigEntry, ConfigLayer } from '../layer.js';

/**
 * The tier defaults of the capability settings a project uses (`http.bodyLimit`
 * is 10 MiB in development, 1 MiB in staging and production), one layer
 * above the schema's own defaults, so `config explain` names them.
 */
export const tierDefaultsLayer: ConfigLayer = {
  name: 'tier-defaults',
  load({ definition, environment, schema }) {
    const entries: ConfigEntry[] = [];
    const { tier } = environment;
    for (const [key, value] of composedTierDefaults(definition.use, tier)) {
      if (schema.leaves.has(key)) entries.push({ key, value, source: { layer: 'tier-defaults', tier } });
    }
    return { entries, issues: [] };
  },
};
