/**
 * envward/flags: feature flags per environment. The `flags({...})` settings
 * fragment: values, targeting rules and reasons under `flags.<name>.`, all
 * live, with its production tier rules. Every name is listed on purpose and
 * documented in docs/api.md.
 */
export type { DeclaredFlag, FlagDeclaration, FlagJson, FlagType, ProductionRule } from './flag-declarations.js';
export { FlagDefinitionError } from './flag-errors.js';
export { type FlagSettings, type FlagsFragment, flags, type TargetingRule } from './flags-settings.js';
