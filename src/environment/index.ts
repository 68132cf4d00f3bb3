export {
  APPROVAL_KINDS,
  type ApprovalKind,
  type ApprovalPolicy,
  ApprovalRequiredError,
  type ApprovalsDeclaration,
  approvalsNeeded,
  assertNoApprovalNeeded,
  MAX_APPROVALS,
} from './approval-policy.js';
export { environmentBanner } from './banner.js';
export { buildEnvironmentCatalogue, EnvironmentCatalogue } from './catalogue.js';
export { DECLARATION_FILE, declarationPath, type FileDeclaration, readDeclaredEnvironments } from './declared-files.js';
export {
  type Detection,
  type DetectionInput,
  detectEnvironment,
  MARKER_FILE,
  type OverruledSignal,
} from './detect.js';
export type {
  DetectedEnvironment,
  DetectionSource,
  DetectionSourceKind,
  Environment,
  EnvironmentDeclaration,
  ForceOverride,
  PreviewRecord,
} from './environment.js';
export { assertHostAllowed, findHostConflict, type GuardOverride } from './host-check.js';
export { assertEnvironmentName } from './names.js';
export {
  BUILT_IN_ENVIRONMENTS,
  type BuiltInTier,
  CODE_PATTERN,
  COLOURS,
  type Colour,
  codeFromName,
  defaultsTier,
  isProtectedTier,
  TIER_DEFAULTS,
  TIERS,
  type Tier,
} from './tiers.js';
