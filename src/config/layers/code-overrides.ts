import type { ConfigLayer } from '../layer.js';
import { LayerCollector } from './text-entry.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Per-environment values declared in code: `overrides: { production: { 'log.level': 'warn' } }`. */
export const codeOverridesLayer: ConfigLayer = {
  name: 'code-overrides',
  load({ definition, environment, schema }) {
    const collector = new LayerCollector(environment.name);
    const overrides = definition.overrides?.[environment.name];
    if (!overrides) return collector.output();
    const file = 'envward.config.ts';
    const visit = (values: Record<string, unknown>, prefix: string): void => {
      for (const [name, value] of Object.entries(values)) {
        const key = prefix ? `${prefix}.${name}` : name;
        const source = { layer: 'code-overrides' as const, file };
        if (schema.leaves.has(key)) collector.add(key, value, source);
        else if (schema.groups.has(key) && isPlainObject(value)) visit(value, key);
        else {
          const message = `overrides.${environment.name} sets a key the schema does not declare`;
          collector.unknownKey(key, message, source, schema.leaves.keys());
        }
      }
    };
    visit(overrides, '');
    return collector.output();
  },
};
