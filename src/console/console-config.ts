/**
 * The console's settings as a project configures them (the `consoleSettings`
 * fragment, `console.*`), merged under what the caller passes (`--port`,
 * options) and over the built-in defaults. A bad value stops the console
 * with EW_CONFIG_INVALID naming the file and line, as any other key does.
 */
import type { ResolvedConfig } from '../config/resolve.js';
import { ConfigInvalidError } from '../errors.js';
import { type ConsoleSettings, DEFAULT_CONSOLE_SETTINGS, type OidcSettings } from './site.js';

export interface ConsoleConfig {
  readonly host?: string;
  readonly port?: number;
  readonly cookieSecret?: string;
  readonly settings: ConsoleSettings;
}

interface ConsoleValues {
  readonly host: string;
  readonly port: number;
  readonly sessionMinutes: number;
  readonly lockout: { readonly attempts: number; readonly minutes: number };
  readonly loginPerMinute: number;
  readonly cookieSecret?: string;
  readonly oidc: Partial<OidcSettings>;
}

function oidcOf(values: ConsoleValues['oidc']): OidcSettings | undefined {
  const { issuer, clientId, clientSecret, redirectUrl } = values;
  if (issuer === undefined || clientId === undefined || redirectUrl === undefined) return undefined;
  return { issuer, clientId, redirectUrl, ...(clientSecret !== undefined ? { clientSecret } : {}) };
}

/** The console's configuration from `resolved` (resolved with collectIssues), `overrides` winning. */
export function consoleConfigOf(
  resolved: ResolvedConfig<unknown>,
  overrides: Partial<ConsoleSettings> = {},
): ConsoleConfig {
  const issues = resolved.issues.filter((issue) => issue.key === 'console' || issue.key.startsWith('console.'));
  if (issues.length > 0) throw new ConfigInvalidError(resolved.environment.name, issues);
  const values = (resolved.values as { console?: ConsoleValues }).console;
  if (typeof values !== 'object' || values === null) {
    return { settings: { ...DEFAULT_CONSOLE_SETTINGS, ...overrides } };
  }
  const oidc = oidcOf(values.oidc ?? {});
  return {
    host: values.host,
    port: values.port,
    ...(values.cookieSecret !== undefined ? { cookieSecret: values.cookieSecret } : {}),
    settings: {
      sessionMinutes: values.sessionMinutes,
      lockoutAttempts: values.lockout.attempts,
      lockoutMinutes: values.lockout.minutes,
      loginPerMinute: values.loginPerMinute,
      ...(oidc ? { oidc } : {}),
      ...overrides,
    },
  };
}
