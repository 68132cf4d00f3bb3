/**
 * What every console page works with: the project, the environments it
 * shows, the store its users and sessions live in, and its settings. Built
 * once per server; request-scoped facts (the user, the CSRF token) travel on
 * the request.
 */
import type { Project } from '../config/index.js';
import type { Environment } from '../environment/index.js';
import type { Store } from '../store/open-store.js';
import type { ConsoleDb } from './console-tables.js';
import type { ConsoleUser } from './user-records.js';

export interface ConsoleSettings {
  /** Absolute lifetime of a session. */
  readonly sessionMinutes: number;
  /** Failed logins in a row that lock an account, and for how long. */
  readonly lockoutAttempts: number;
  readonly lockoutMinutes: number;
  /** Login attempts per minute from one address (all names together). */
  readonly loginPerMinute: number;
  /** OpenID Connect login, when the project configures a provider. */
  readonly oidc?: OidcSettings;
}

/** An OpenID Connect provider the console offers login with (`console.oidc.*`). */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** Absent for a public client (PKCE only). */
  readonly clientSecret?: string;
  /** The console's callback URL as the provider knows it (ends in /login/oidc/callback). */
  readonly redirectUrl: string;
}

export const DEFAULT_CONSOLE_SETTINGS: ConsoleSettings = Object.freeze({
  sessionMinutes: 480,
  lockoutAttempts: 5,
  lockoutMinutes: 15,
  loginPerMinute: 20,
});

export interface ConsoleSite {
  readonly project: Project;
  /** The environment the console runs in: its store holds the users and sessions, its log their logins. */
  readonly home: Environment;
  readonly store: Store;
  readonly db: ConsoleDb;
  /** The environments the console shows, in the project's order (a mounted console: its own only). */
  readonly environments: readonly Environment[];
  /** Process variables and host name for the library calls a page makes (the store URLs, private keys). */
  readonly variables: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
  /** Where the pages are mounted: '' or '/admin'. */
  readonly prefix: string;
  readonly settings: ConsoleSettings;
}

/** A console error a page answers with its status: 403 (role), 404 (no such environment or thing), 400 (bad form). */
export class ConsoleHttpError extends Error {
  readonly status: 400 | 403 | 404 | 409;
  /** A refusal to record in that environment's audit log. */
  readonly refused: { readonly environment: string; readonly action: string } | undefined;
  constructor(
    status: 400 | 403 | 404 | 409,
    message: string,
    refused?: { readonly environment: string; readonly action: string },
  ) {
    super(message);
    this.status = status;
    this.refused = refused;
  }
}

/** The environment a URL names, among those the console shows; 404 otherwise. */
export function environmentOf(site: ConsoleSite, name: string): Environment {
  const environment = site.environments.find((candidate) => candidate.name === name);
  if (!environment) throw new ConsoleHttpError(404, 'No such environment in this console.');
  return environment;
}

/** The actor a console user's acts are audited as. */
export function actorOf(user: Pick<ConsoleUser, 'name'>): string {
  return `console:${user.name}`;
}

/** The library target for acting on `environment` as `user`. */
export function targetFor(site: ConsoleSite, environment: string, user: ConsoleUser) {
  return {
    project: site.project,
    env: environment,
    variables: site.variables,
    hostname: site.hostname,
    actor: actorOf(user),
  } as const;
}

/** A path under the console's prefix. */
export function url(site: ConsoleSite, path: string): string {
  return `${site.prefix}${path}`;
}
