/**
 * The default composition of a resolution: config's layers plus the layers
 * of the capabilities the root entry ships (today: secrets). Config knows no
 * capability's module, so the config ⇄ secrets import cycle is gone; every
 * caller that wants secrets resolved (the root entry, the CLI, preflight,
 * audited acts) resolves through here. Defining it loads nothing: the
 * secrets layer's module is imported on the first resolution.
 */
import type { RegisteredValues } from './config/define-config.js';
import type { ConfigLayer } from './config/layer.js';
import { type ResolvedConfig, type ResolveOptions, resolveConfig as resolveLayers } from './config/resolve.js';

/** The environment's encrypted secrets, at the `secrets` place of LAYER_ORDER. */
const secretsLayer: ConfigLayer = {
  name: 'secrets',
  async load(context) {
    const { secretsLayer: layer } = await import('./secrets/secrets-layer.js');
    return layer.load(context);
  },
};

/** What every resolution of the root entry reads besides config's own layers; `options.layers` replace them by name. */
export const DEFAULT_LAYERS: readonly ConfigLayer[] = Object.freeze([secretsLayer]);

/**
 * Resolves the configuration of one environment from every layer, secrets
 * included, validates it (schema, tier rules, project rules), and returns
 * the frozen values with their provenance. Throws one EW_CONFIG_INVALID
 * listing every problem.
 * @example
 * const resolved = await resolveConfig({ env: 'staging' });
 * resolved.explain('database.url').winner?.source; // { layer: 'environment-file', file: ..., line: 3 }
 */
export function resolveConfig<V = RegisteredValues>(options: ResolveOptions = {}): Promise<ResolvedConfig<V>> {
  return resolveLayers<V>({ ...options, layers: [...DEFAULT_LAYERS, ...(options.layers ?? [])] });
}

/**
 * Resolves and validates the configuration of the detected environment and
 * returns it frozen and typed (register your project's type once with
 * `declare module 'envward' { interface Register { config: typeof config } }`).
 * @example
 * const config = await loadConfig();
 * config.database.url; // typed from the schema
 */
export async function loadConfig<V = RegisteredValues>(
  options: ResolveOptions = {},
): Promise<ResolvedConfig<V>['values']> {
  return (await resolveConfig<V>(options)).values;
}
