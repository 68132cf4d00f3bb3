/**
 * The one registry of envward's `EW_` codes. Each error code is one line:
 * its kind (usage, problem, refused), the CLI's exit code for it, and its
 * section in docs/errors.md. The types below make a wrong line a compile
 * error (an exit code that is not its kind's, an anchor that is not the
 * code's), `EnvwardError.code` is the union of these codes, and
 * test/docs/errors-documented.test.ts checks docs/errors.md against this
 * file both ways. Adding a code: one line here, one `### EW_CODE` section
 * there.
 *
 * Besides errors, envward names three kinds of finding with `EW_` codes that
 * are never thrown: configuration issues (inside EW_CONFIG_INVALID), scan
 * findings and HTTP error replies. They are listed here too, so every code
 * has one home.
 */
import type { ErrorKind } from './errors.js';

/** The exit code of each kind of failure (PRODUCT.md contract): a found problem 1, a usage mistake 2, a refusal 3. */
export const EXIT_CODE_BY_KIND = Object.freeze({ problem: 1, usage: 2, refused: 3 } as const);

type ExitCodeOf<Kind extends ErrorKind> = (typeof EXIT_CODE_BY_KIND)[Kind];

/** What the registry says about one error code. */
export interface ErrorCodeInfo {
  readonly kind: ErrorKind;
  /** The CLI's exit code when this error ends a command. */
  readonly exit: 1 | 2 | 3;
  /** Where the code is documented: `errors.md#<code in lower case>`. */
  readonly doc: string;
}

/** One registry line for `Code`: a kind with its own exit code, and the code's anchor. */
type Entry<Code extends string> = {
  [Kind in ErrorKind]: {
    readonly kind: Kind;
    readonly exit: ExitCodeOf<Kind>;
    readonly doc: `errors.md#${Lowercase<Code>}`;
  };
}[ErrorKind];

// An identity function: it only lets the compiler check every line against its code.
function errorRegistry<const Table extends { readonly [Code in keyof Table & string]: Entry<Code> }>(
  table: Table,
): Readonly<Table> {
  return Object.freeze(table);
}

/** Every error envward throws, by code. */
export const ERROR_CODES = errorRegistry({
  EW_USAGE: { kind: 'usage', exit: 2, doc: 'errors.md#ew_usage' },
  EW_ENV_NAME: { kind: 'usage', exit: 2, doc: 'errors.md#ew_env_name' },
  EW_ENV_UNKNOWN: { kind: 'usage', exit: 2, doc: 'errors.md#ew_env_unknown' },
  EW_ENV_DEFINITION: { kind: 'problem', exit: 1, doc: 'errors.md#ew_env_definition' },
  EW_ENV_EXISTS: { kind: 'usage', exit: 2, doc: 'errors.md#ew_env_exists' },
  EW_ENV_NAME_MISLEADING: { kind: 'usage', exit: 2, doc: 'errors.md#ew_env_name_misleading' },
  EW_ENV_CODE_TAKEN: { kind: 'usage', exit: 2, doc: 'errors.md#ew_env_code_taken' },
  EW_DATA_RULE: { kind: 'problem', exit: 1, doc: 'errors.md#ew_data_rule' },
  EW_REFRESH_TARGET: { kind: 'refused', exit: 3, doc: 'errors.md#ew_refresh_target' },
  EW_REFRESH_SAME: { kind: 'refused', exit: 3, doc: 'errors.md#ew_refresh_same' },
  EW_REFRESH_UNRULED: { kind: 'refused', exit: 3, doc: 'errors.md#ew_refresh_unruled' },
  EW_REFRESH_SCHEMA: { kind: 'refused', exit: 3, doc: 'errors.md#ew_refresh_schema' },
  EW_REFRESH_LEAK: { kind: 'problem', exit: 1, doc: 'errors.md#ew_refresh_leak' },
  EW_REFRESH_COPY: { kind: 'problem', exit: 1, doc: 'errors.md#ew_refresh_copy' },
  EW_SANITISE_TARGET: { kind: 'refused', exit: 3, doc: 'errors.md#ew_sanitise_target' },
  EW_PREVIEW_NOT_OURS: { kind: 'refused', exit: 3, doc: 'errors.md#ew_preview_not_ours' },
  EW_PREVIEW_INPUT: { kind: 'usage', exit: 2, doc: 'errors.md#ew_preview_input' },
  EW_HOST_MISMATCH: { kind: 'refused', exit: 3, doc: 'errors.md#ew_host_mismatch' },
  EW_ENV_CONFLICT: { kind: 'refused', exit: 3, doc: 'errors.md#ew_env_conflict' },
  EW_FORCE_REASON: { kind: 'usage', exit: 2, doc: 'errors.md#ew_force_reason' },
  EW_PROJECT_NOT_FOUND: { kind: 'usage', exit: 2, doc: 'errors.md#ew_project_not_found' },
  EW_PROJECT_LOAD: { kind: 'problem', exit: 1, doc: 'errors.md#ew_project_load' },
  EW_PEER_MISSING: { kind: 'usage', exit: 2, doc: 'errors.md#ew_peer_missing' },
  EW_SETTINGS_NOT_USED: { kind: 'usage', exit: 2, doc: 'errors.md#ew_settings_not_used' },
  EW_CONFIG_PARSE: { kind: 'problem', exit: 1, doc: 'errors.md#ew_config_parse' },
  EW_CONFIG_INVALID: { kind: 'problem', exit: 1, doc: 'errors.md#ew_config_invalid' },
  EW_CONFIG_KEY: { kind: 'usage', exit: 2, doc: 'errors.md#ew_config_key' },
  EW_FILE_INPUT: { kind: 'problem', exit: 1, doc: 'errors.md#ew_file_input' },
  EW_FILE_WRITE: { kind: 'problem', exit: 1, doc: 'errors.md#ew_file_write' },
  EW_INIT_EXISTS: { kind: 'refused', exit: 3, doc: 'errors.md#ew_init_exists' },
  EW_SECRET_KEY_MISSING: { kind: 'refused', exit: 3, doc: 'errors.md#ew_secret_key_missing' },
  EW_REVEAL_UNAUDITED: { kind: 'refused', exit: 3, doc: 'errors.md#ew_reveal_unaudited' },
  EW_SECRET_KEY_WRONG: { kind: 'problem', exit: 1, doc: 'errors.md#ew_secret_key_wrong' },
  EW_SECRET_DECRYPT: { kind: 'problem', exit: 1, doc: 'errors.md#ew_secret_decrypt' },
  EW_SECRET_KEY_PERMISSIONS: { kind: 'refused', exit: 3, doc: 'errors.md#ew_secret_key_permissions' },
  EW_SECRET_FILE: { kind: 'problem', exit: 1, doc: 'errors.md#ew_secret_file' },
  EW_SECRET_KEY_EXISTS: { kind: 'refused', exit: 3, doc: 'errors.md#ew_secret_key_exists' },
  EW_SECRET_NO_KEY_PAIR: { kind: 'usage', exit: 2, doc: 'errors.md#ew_secret_no_key_pair' },
  EW_SECRET_KEYS_TRACKED: { kind: 'refused', exit: 3, doc: 'errors.md#ew_secret_keys_tracked' },
  EW_SECRET_NAME: { kind: 'usage', exit: 2, doc: 'errors.md#ew_secret_name' },
  EW_SECRET_WEAK: { kind: 'problem', exit: 1, doc: 'errors.md#ew_secret_weak' },
  EW_SECRET_INPUT: { kind: 'usage', exit: 2, doc: 'errors.md#ew_secret_input' },
  EW_SECRET_LOCKED: { kind: 'problem', exit: 1, doc: 'errors.md#ew_secret_locked' },
  EW_SECRET_KEY_NOT_FILE: { kind: 'problem', exit: 1, doc: 'errors.md#ew_secret_key_not_file' },
  EW_SECRET_JOURNAL: { kind: 'problem', exit: 1, doc: 'errors.md#ew_secret_journal' },
  EW_DB_URL: { kind: 'problem', exit: 1, doc: 'errors.md#ew_db_url' },
  EW_DB_UNAVAILABLE: { kind: 'problem', exit: 1, doc: 'errors.md#ew_db_unavailable' },
  EW_DB_BUSY: { kind: 'problem', exit: 1, doc: 'errors.md#ew_db_busy' },
  EW_ENV_MISMATCH: { kind: 'refused', exit: 3, doc: 'errors.md#ew_env_mismatch' },
  EW_DB_PROJECT_MISMATCH: { kind: 'refused', exit: 3, doc: 'errors.md#ew_db_project_mismatch' },
  EW_DB_IDENTITY_MISMATCH: { kind: 'refused', exit: 3, doc: 'errors.md#ew_db_identity_mismatch' },
  EW_DB_UNSTAMPED: { kind: 'refused', exit: 3, doc: 'errors.md#ew_db_unstamped' },
  EW_SHARED_DATABASE: { kind: 'refused', exit: 3, doc: 'errors.md#ew_shared_database' },
  EW_DB_MISSING: { kind: 'problem', exit: 1, doc: 'errors.md#ew_db_missing' },
  EW_CROSS_ENV_ID: { kind: 'refused', exit: 3, doc: 'errors.md#ew_cross_env_id' },
  EW_STORE_NAME: { kind: 'usage', exit: 2, doc: 'errors.md#ew_store_name' },
  EW_BACKUP_FAILED: { kind: 'problem', exit: 1, doc: 'errors.md#ew_backup_failed' },
  EW_PG_CLIENT_MISSING: { kind: 'usage', exit: 2, doc: 'errors.md#ew_pg_client_missing' },
  EW_BACKUP_EXISTS: { kind: 'refused', exit: 3, doc: 'errors.md#ew_backup_exists' },
  EW_BACKUP_INVALID: { kind: 'problem', exit: 1, doc: 'errors.md#ew_backup_invalid' },
  EW_RESTORE_OTHER_ENVIRONMENT: { kind: 'refused', exit: 3, doc: 'errors.md#ew_restore_other_environment' },
  EW_RESTORE_PROJECT: { kind: 'refused', exit: 3, doc: 'errors.md#ew_restore_project' },
  EW_RESTORE_DIALECT: { kind: 'refused', exit: 3, doc: 'errors.md#ew_restore_dialect' },
  EW_RESTORE_NEWER: { kind: 'refused', exit: 3, doc: 'errors.md#ew_restore_newer' },
  EW_RESTORE_SHARED: { kind: 'refused', exit: 3, doc: 'errors.md#ew_restore_shared' },
  EW_RESTORE_FAILED: { kind: 'problem', exit: 1, doc: 'errors.md#ew_restore_failed' },
  EW_ARCHIVE_INVALID: { kind: 'problem', exit: 1, doc: 'errors.md#ew_archive_invalid' },
  EW_ARCHIVE_ENVIRONMENT: { kind: 'refused', exit: 3, doc: 'errors.md#ew_archive_environment' },
  EW_ARCHIVE_PROJECT: { kind: 'refused', exit: 3, doc: 'errors.md#ew_archive_project' },
  EW_ARCHIVE_STORE: { kind: 'refused', exit: 3, doc: 'errors.md#ew_archive_store' },
  EW_ARCHIVE_EXISTS: { kind: 'refused', exit: 3, doc: 'errors.md#ew_archive_exists' },
  EW_STORE_LOCKED: { kind: 'problem', exit: 1, doc: 'errors.md#ew_store_locked' },
  EW_MIGRATION_ORDER: { kind: 'problem', exit: 1, doc: 'errors.md#ew_migration_order' },
  EW_MIGRATION_CHECKSUM: { kind: 'problem', exit: 1, doc: 'errors.md#ew_migration_checksum' },
  EW_DESTRUCTIVE_MIGRATION: { kind: 'refused', exit: 3, doc: 'errors.md#ew_destructive_migration' },
  EW_MIGRATION_FAILED: { kind: 'problem', exit: 1, doc: 'errors.md#ew_migration_failed' },
  EW_MIGRATION_LOCKED: { kind: 'problem', exit: 1, doc: 'errors.md#ew_migration_locked' },
  EW_MIGRATION_LOAD: { kind: 'problem', exit: 1, doc: 'errors.md#ew_migration_load' },
  EW_OUTBOUND_CONFIG: { kind: 'problem', exit: 1, doc: 'errors.md#ew_outbound_config' },
  EW_OUTBOUND_UNAVAILABLE: { kind: 'problem', exit: 1, doc: 'errors.md#ew_outbound_unavailable' },
  EW_HTTP_OPTIONS: { kind: 'usage', exit: 2, doc: 'errors.md#ew_http_options' },
  EW_REVISION_KEY: { kind: 'refused', exit: 3, doc: 'errors.md#ew_revision_key' },
  EW_REVISION_NOT_FOUND: { kind: 'usage', exit: 2, doc: 'errors.md#ew_revision_not_found' },
  EW_REVISION_CORRUPT: { kind: 'problem', exit: 1, doc: 'errors.md#ew_revision_corrupt' },
  EW_REASON_REQUIRED: { kind: 'usage', exit: 2, doc: 'errors.md#ew_reason_required' },
  EW_REVISION_NO_CHANGE: { kind: 'usage', exit: 2, doc: 'errors.md#ew_revision_no_change' },
  EW_FLAG_DEFINITION: { kind: 'problem', exit: 1, doc: 'errors.md#ew_flag_definition' },
  EW_JOB_GATED: { kind: 'refused', exit: 3, doc: 'errors.md#ew_job_gated' },
  EW_JOB_UNKNOWN: { kind: 'usage', exit: 2, doc: 'errors.md#ew_job_unknown' },
  EW_JOB_DEFINITION: { kind: 'problem', exit: 1, doc: 'errors.md#ew_job_definition' },
  EW_JOB_FAILED: { kind: 'problem', exit: 1, doc: 'errors.md#ew_job_failed' },
  EW_SLOT_UNKNOWN: { kind: 'usage', exit: 2, doc: 'errors.md#ew_slot_unknown' },
  EW_SLOT_REQUIRED: { kind: 'usage', exit: 2, doc: 'errors.md#ew_slot_required' },
  EW_SLOT_NOT_READY: { kind: 'refused', exit: 3, doc: 'errors.md#ew_slot_not_ready' },
  EW_INTEGRATION_CONFIG: { kind: 'problem', exit: 1, doc: 'errors.md#ew_integration_config' },
  EW_AUTH_CONFIG: { kind: 'problem', exit: 1, doc: 'errors.md#ew_auth_config' },
  EW_CONSOLE_PASSWORD: { kind: 'usage', exit: 2, doc: 'errors.md#ew_console_password' },
  EW_CONSOLE_USER: { kind: 'usage', exit: 2, doc: 'errors.md#ew_console_user' },
  EW_CONSOLE_CONFIG: { kind: 'problem', exit: 1, doc: 'errors.md#ew_console_config' },
  EW_APPROVAL_REQUIRED: { kind: 'refused', exit: 3, doc: 'errors.md#ew_approval_required' },
  EW_REQUEST_NOT_FOUND: { kind: 'usage', exit: 2, doc: 'errors.md#ew_request_not_found' },
  EW_REQUEST_SELF_REVIEW: { kind: 'refused', exit: 3, doc: 'errors.md#ew_request_self_review' },
  EW_REQUEST_REVIEWED: { kind: 'refused', exit: 3, doc: 'errors.md#ew_request_reviewed' },
  EW_REQUEST_STALE: { kind: 'refused', exit: 3, doc: 'errors.md#ew_request_stale' },
  EW_REQUEST_CLOSED: { kind: 'refused', exit: 3, doc: 'errors.md#ew_request_closed' },
  EW_REQUEST_CHANGE: { kind: 'usage', exit: 2, doc: 'errors.md#ew_request_change' },
  EW_DEPLOY_INPUT: { kind: 'usage', exit: 2, doc: 'errors.md#ew_deploy_input' },
  EW_DEPLOY_NOT_PROMOTED: { kind: 'problem', exit: 1, doc: 'errors.md#ew_deploy_not_promoted' },
  EW_DEPLOY_PREVIOUS_UNREADABLE: { kind: 'problem', exit: 1, doc: 'errors.md#ew_deploy_previous_unreadable' },
  EW_DEPLOY_VERSION_MISSING: { kind: 'problem', exit: 1, doc: 'errors.md#ew_deploy_version_missing' },
  EW_INTERNAL: { kind: 'problem', exit: 1, doc: 'errors.md#ew_internal' },
});

/** The code of an envward error: one of the registry's. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The kind the registry gives `Code`. */
export type KindOf<Code extends ErrorCode> = (typeof ERROR_CODES)[Code]['kind'];

/** The registry's line for `code`, or undefined for a string that is not an envward error code. */
export function errorCodeInfo(code: string): ErrorCodeInfo | undefined {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : undefined;
}

/** The codes of configuration issues (`ConfigIssue.code`, inside EW_CONFIG_INVALID); docs/errors.md#issue-codes. */
export const ISSUE_CODES = Object.freeze([
  'EW_CONFIG_TYPE',
  'EW_CONFIG_UNKNOWN_KEY',
  'EW_RULE_DEBUG',
  'EW_RULE_LOG_LEVEL',
  'EW_RULE_SECRET_UNSET',
  'EW_RULE_SECRET_DEFAULT',
  'EW_RULE_REQUIRED',
  'EW_RULE_SECRET_PLAIN',
  'EW_RULE_CUSTOM',
  'EW_CONFIG_SCHEMA_THREW',
  'EW_PROJECT_RULE',
  'EW_RULE_FLAG_FORBIDDEN',
  'EW_RULE_FLAG_REASON',
  'EW_RULE_INTEGRATION_MOCK',
  'EW_RULE_INTEGRATION_LIVE',
  'EW_RULE_JWT_WEAK_SECRET',
  'EW_RULE_SLOT_UNDECLARED',
] as const);

export type IssueCode = (typeof ISSUE_CODES)[number];

/** The codes of `envward scan` findings; docs/errors.md#scan-findings. */
/** Codes of resolution warnings (`resolved.warnings`): things resolution went on despite. */
export const RESOLUTION_WARNING_CODES = Object.freeze([
  'EW_WARN_SECRETS_LOCKED',
  'EW_WARN_KEY_EXPOSED',
  'EW_WARN_SECRET_SHADOWED',
  'EW_WARN_REVISION_KEY_DROPPED',
] as const);

export const SCAN_CODES = Object.freeze([
  'EW_SCAN_SHARED_VALUE',
  'EW_SCAN_PLAIN_SECRET',
  'EW_SCAN_KEY_TRACKED',
  'EW_SCAN_KEY_ON_LOWER_TIER',
  'EW_SCAN_WEAK_VALUE',
] as const);

/**
 * The codes of envward/fastify's error replies with their status
 * (`4xx`/`5xx` where it varies); docs/errors.md#http-reply-codes. The
 * plugin names them in http-errors.ts (HTTP_REPLY_CODES), checked against
 * this list by the type there.
 */
export const HTTP_REPLY_STATUS = Object.freeze({
  EW_HTTP_NOT_FOUND: '404',
  EW_HTTP_BODY_TOO_LARGE: '413',
  EW_HTTP_BAD_JSON: '400',
  EW_HTTP_FORBIDDEN_KEY: '400',
  EW_HTTP_NUL_BYTE: '400',
  EW_HTTP_VALIDATION: '400',
  EW_HTTP_UNSUPPORTED_MEDIA_TYPE: '415',
  EW_HTTP_BAD_URL: '400',
  EW_HTTP_URI_TOO_LONG: '414',
  EW_HTTP_HEADERS_TOO_LARGE: '431',
  EW_HTTP_REQUEST_TIMEOUT: '408',
  EW_HTTP_BAD_REQUEST: '4xx',
  EW_HTTP_RATE_LIMITED: '429',
  EW_HTTP_UNAUTHORIZED: '401',
  EW_HTTP_INTERNAL: '5xx',
} as const);
