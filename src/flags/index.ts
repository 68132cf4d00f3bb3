/**
 * envward/flags: feature flags per environment. The `flags({...})` settings
 * fragment (values, targeting rules and reasons under `flags.<name>.`, all
 * live), its production tier rules, an OpenFeature provider over a resolved
 * or live configuration, and `listFlags` for `envward flags list`. Importing
 * it loads no peer: the provider imports the OpenFeature SDK's types only,
 * and prom-client loads when a registry is given. Every name is listed on
 * purpose and documented in docs/api.md.
 */
import { type EnvwardFlagsOptions, EnvwardFlagsProvider, type FlagSource } from './envward-flags-provider.js';

export { type EnvwardFlagsOptions, EnvwardFlagsProvider, type FlagSource } from './envward-flags-provider.js';
export type { DeclaredFlag, FlagDeclaration, FlagJson, FlagType, ProductionRule } from './flag-declarations.js';
export { FlagDefinitionError } from './flag-errors.js';
export { rolloutPosition } from './flag-rollout.js';
export { type FlagSettings, type FlagsFragment, flags, type TargetingRule } from './flags-settings.js';
export {
  type EnvironmentNote,
  type FlagInEnvironment,
  type FlagList,
  type ListedFlag,
  type ListFlagsRequest,
  listFlags,
} from './list-flags.js';

/**
 * An OpenFeature provider for the project's flags: evaluated from `source`
 * (a resolved configuration, or a live one that follows runtime revisions,
 * emitting PROVIDER_CONFIGURATION_CHANGED when a revision changes a flag),
 * with variant, reason and provenance (layer, file, line, revision) in the
 * evaluation details. Synchronous and cheap: no peer loads here.
 * @example
 * import { OpenFeature } from '@openfeature/server-sdk';
 * OpenFeature.setProvider(envwardFlags(runtime.live ?? resolved));
 * const on = await OpenFeature.getClient().getBooleanValue('newFeeRule', false, { targetingKey: userId });
 */
export function envwardFlags(source: FlagSource, options?: EnvwardFlagsOptions): EnvwardFlagsProvider {
  return new EnvwardFlagsProvider(source, options);
}
