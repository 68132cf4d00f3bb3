export { settingsOf } from './capability-settings.js';
export {
  type ConfigRule,
  defineConfig,
  type ProjectDefinition,
  type ProjectInput,
  type Register,
  type RegisteredValues,
  type RuleContext,
  type RuleFinding,
} from './define-config.js';
export { type ConfigDiff, type DifferenceKind, diffConfigs, type KeyDifference } from './diff.js';
export {
  type ConfigEntry,
  type ConfigLayer,
  describeSource,
  type LayerContext,
  type LayerOutput,
  type ValueSource,
} from './layer.js';
export { LAYER_DESCRIPTIONS, LAYER_ORDER, type LayerName } from './layer-order.js';
export { parseDotenvLayer, parseYamlLayer } from './layers/index.js';
export { displayValue, MASK, maskUrlPassword, URL_PASSWORD_MASK } from './mask.js';
export { live } from './reload-marker.js';
// resolveConfig and loadConfig with every capability's layer are src/resolution.ts's.
export { type Explanation, openProject, type Project, type ResolvedConfig, type ResolveOptions } from './resolve.js';
export { defaultVariableFor, type SchemaIndex, type SchemaLeaf } from './schema-index.js';
export { createScrubber, MIN_SCRUBBED_LENGTH, type Scrubber } from './scrubber.js';
export { WITHHELD_MESSAGE } from './secret-issues.js';
export { secret } from './secret-marker.js';
export { defineSettings, type ReloadMode, type SettingsFragment, type TierDefaults } from './settings-fragment.js';
export {
  logResolutionWarnings,
  RESOLUTION_WARNING_CODES,
  type ResolutionWarning,
  type ResolutionWarningCode,
  shadowedSecretWarnings,
  type WarningLog,
} from './warnings.js';
