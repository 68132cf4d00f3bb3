/** What `envward preflight <env>` found, check by check; never carries a secret value. */
export type CheckName = 'host' | 'config' | 'integrations' | 'secrets' | 'database' | 'migrations' | 'promotion';

/**
 * pass: clear. fail: a finding that blocks a deploy (exit 1). refused: a
 * guard refused (exit 3). skipped: could not be checked here, with why.
 */
export type CheckStatus = 'pass' | 'fail' | 'refused' | 'skipped';

export interface PreflightFinding {
  readonly code: string;
  readonly message: string;
  readonly key?: string;
  readonly file?: string;
  readonly line?: number;
}

export interface PreflightCheck {
  readonly name: CheckName;
  readonly status: CheckStatus;
  /** One line on what was checked, for the human report. */
  readonly summary: string;
  readonly findings: readonly PreflightFinding[];
  /** Things worth seeing that do not block (pending migrations, skipped decryption). */
  readonly notes: readonly string[];
}

/** One integration as the environment runs it: `{ name: 'payments', mode: 'live', host: 'api.pay.example' }`. */
export interface PreflightIntegration {
  readonly name: string;
  readonly mode: 'mock' | 'sandbox' | 'live';
  readonly host: string | null;
}

export interface PreflightReport {
  readonly environment: string;
  readonly tier: string;
  /** The version checked against `deploy.promotionOrder` (`--version` or ENVWARD_VERSION); absent when none was given. */
  readonly version?: string;
  readonly checks: readonly PreflightCheck[];
  /** Each declared integration's mode and its base URL's host (never a credential or a path); absent when none is declared. */
  readonly integrations?: readonly PreflightIntegration[];
  /** 'clear' (exit 0), 'findings' (exit 1) or 'refused' (exit 3, a guard refused). */
  readonly outcome: 'clear' | 'findings' | 'refused';
}

export function outcomeOf(checks: readonly PreflightCheck[]): PreflightReport['outcome'] {
  if (checks.some((check) => check.status === 'refused')) return 'refused';
  if (checks.some((check) => check.status === 'fail')) return 'findings';
  return 'clear';
}
