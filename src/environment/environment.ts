import type { ApprovalPolicy, ApprovalsDeclaration } from './approval-policy.js';
import type { Colour, Tier } from './tiers.js';

/** How a project declares one environment in envward.config.ts. */
export interface EnvironmentDeclaration {
  /** Required for custom environments; built-ins default to their own name. */
  readonly tier?: Tier;
  readonly colour?: Colour;
  /** Short code used in banners and record ids (3-4 upper-case letters). */
  readonly code?: string;
  readonly protected?: boolean;
  /** Host names this environment runs on: exact names or globs such as `*.prod.example.com`. */
  readonly hosts?: readonly string[];
  /** Changes that need approvals from people other than the requester (docs/requests.md). */
  readonly approvals?: ApprovalsDeclaration;
  /**
   * Blue-green slots (`['blue', 'green']`): 2-4 distinct names. Each instance
   * starts with its slot (ENVWARD_SLOT); only the active slot's instances are
   * ready (docs/slots.md).
   */
  readonly slots?: readonly string[];
}

/** What `envward preview up` recorded about a preview environment it made. */
export interface PreviewRecord {
  /** The environment it was made from: its settings and seeds. */
  readonly from: string;
  /** Who asked for it (`--owner`, else the actor). */
  readonly owner: string;
  readonly createdAt: string;
  /** After this, `envward preview gc` removes it. */
  readonly expiresAt: string;
  /** The database namespace it made, and nothing else, is what `preview down` drops. */
  readonly database:
    | { readonly kind: 'postgres-schema'; readonly schema: string }
    | { readonly kind: 'sqlite-file'; readonly file: string };
}

/** A fully resolved environment: every field set, frozen. */
export interface Environment {
  readonly name: string;
  readonly tier: Tier;
  readonly colour: Colour;
  readonly code: string;
  readonly protected: boolean;
  readonly hosts: readonly string[];
  /** The change-approval policy; `required: 0` when the environment declares none. */
  readonly approvals: ApprovalPolicy;
  /** The file that declares it, when `env create` or `preview up` made it (config/environments/<name>/environment.yml). */
  readonly declaredIn?: string;
  /** Set for the preview environments `envward preview up` made. */
  readonly preview?: PreviewRecord;
  /** The declared slots in order (the first is active until a switch); empty when none. */
  readonly slots: readonly string[];
}

/** Which signal decided the environment, in the fixed detection order. */
export type DetectionSourceKind = 'option' | 'ENVWARD_ENV' | 'APP_ENV' | 'marker-file' | 'host-pattern' | 'default';

export interface DetectionSource {
  readonly kind: DetectionSourceKind;
  /** Human-readable detail: the variable, the marker file path, the matched host pattern. */
  readonly detail: string;
}

/** A guard override: always carries a reason, printed loudly and audited. */
export interface ForceOverride {
  readonly reason: string;
}

/** The outcome of detection: the environment, why, and any override that let it through. */
export interface DetectedEnvironment {
  readonly environment: Environment;
  readonly source: DetectionSource;
  readonly hostname: string;
  /** Set when a host check was overridden with `force`. */
  readonly override?: { readonly guard: string; readonly reason: string; readonly message: string };
}
