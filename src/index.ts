/**
 * envward: one codebase, run safely in development, test, staging and
 * production. This module is the public API of the core (environments,
 * config, secrets, errors, preflight, scaffold); importing it does no work.
 * Each capability has its own entry (`envward/store`, `envward/migrate`,
 * `envward/fastify`, `envward/observe`, `envward/outbound`), so importing
 * the core loads none of their dependencies.
 *
 * The list below is explicit on purpose: every name here is public and
 * documented in docs/api.md (test/docs/exports-documented.test.ts checks
 * both ways). Internals are imported from their modules, never from here.
 */

/** zod itself (a peer: the application's own instance); `import { z } from 'zod'` is the same module. */
export { z } from 'zod';
export { checkHost, type HostCheck, type HostCheckRequest } from './acts/host-check.js';
export {
  type ConfigDiff,
  type ConfigEntry,
  type ConfigRule,
  type DifferenceKind,
  defineConfig,
  defineSettings,
  diffConfigs,
  type Explanation,
  type KeyDifference,
  LAYER_DESCRIPTIONS,
  LAYER_ORDER,
  type LayerName,
  live,
  MASK,
  openProject,
  type Project,
  type ProjectDefinition,
  type ProjectInput,
  RESOLUTION_WARNING_CODES,
  type Register,
  type RegisteredValues,
  type ReloadMode,
  type ResolutionWarning,
  type ResolutionWarningCode,
  type ResolvedConfig,
  type ResolveOptions,
  type RuleContext,
  type RuleFinding,
  type SettingsFragment,
  secret,
  settingsOf,
  type TierDefaults,
  type ValueSource,
} from './config/index.js';
export {
  type Colour,
  type DetectedEnvironment,
  type DetectionSource,
  type DetectionSourceKind,
  type Environment,
  type EnvironmentDeclaration,
  environmentBanner,
  type ForceOverride,
  isProtectedTier,
  type PreviewRecord,
  TIERS,
  type Tier,
} from './environment/index.js';
export { ERROR_CODES, type ErrorCode, type ErrorCodeInfo, errorCodeInfo, type IssueCode } from './error-registry.js';
export {
  ConfigInvalidError,
  type ConfigIssue,
  ConfigKeyUnknownError,
  ConfigParseError,
  EnvConflictError,
  EnvDefinitionError,
  EnvNameError,
  EnvUnknownError,
  EnvwardError,
  type ErrorDetails,
  type ErrorKind,
  type ErrorLocation,
  FileInputError,
  FileWriteError,
  ForceWithoutReasonError,
  formatIssue,
  HostMismatchError,
  InitExistsError,
  isEnvwardError,
  ProjectLoadError,
  ProjectNotFoundError,
  SettingsNotUsedError,
  UsageError,
} from './errors.js';
// The capabilities' settings, for envward.config.ts: each loads zod only; its capability loads on use.
export { auth } from './http/auth-settings-schema.js';
export { http } from './http/settings-schema.js';
export {
  type CreatedEnvironment,
  type CreateEnvironmentRequest,
  createEnvironment,
  EnvCodeTakenError,
  EnvExistsError,
  EnvNameMisleadingError,
} from './lifecycle/index.js';
export { alerts } from './observe/alert-settings-schema.js';
export { log } from './observe/log-settings-schema.js';
export { integrations } from './outbound/integration-settings-schema.js';
export { outbound } from './outbound/outbound-settings-schema.js';
export type {
  CheckName,
  CheckStatus,
  PreflightCheck,
  PreflightFinding,
  PreflightIntegration,
  PreflightOptions,
  PreflightReport,
} from './preflight/index.js';
export { runPreflight } from './preflight/index.js';
export { type ScaffoldResult, scaffoldProject } from './project/scaffold.js';
export { loadConfig, resolveConfig } from './resolution.js';
export {
  type EnvironmentTarget,
  type KeygenRequest,
  type KeygenResult,
  keygen,
  listSecrets,
  type RemoveSecretRequest,
  type Reveal,
  type RevealRequest,
  RevealUnauditedError,
  type RotateKeyRequest,
  type RotateKeyResult,
  type RotationResult,
  removeSecret,
  revealSecret,
  rotateKey,
  type ScanCode,
  type ScanFinding,
  type ScanReport,
  SecretDecryptError,
  SecretFileError,
  SecretInputError,
  SecretJournalError,
  SecretKeyExistsError,
  SecretKeyMissingError,
  SecretKeyNameError,
  SecretKeyNotFileError,
  SecretKeyPermissionsError,
  SecretKeysTrackedError,
  SecretKeyWrongError,
  type SecretListing,
  SecretNoPublicKeyError,
  SecretsLockedError,
  SecretWeakError,
  type SetSecretRequest,
  type SetSecretResult,
  type SetSecretsRequest,
  type SetSecretsResult,
  type StoredSecret,
  scanProject,
  setSecret,
  setSecrets,
  storedSecretNames,
} from './secrets/index.js';
export { reportStartupError, type StartupErrorOptions } from './startup-error.js';
export { database } from './store/database-settings-schema.js';
