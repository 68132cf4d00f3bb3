/**
 * Console roles, granted per environment: viewer reads, operator changes
 * the environment at run time, admin holds its secrets, migrations and
 * users. Each role includes the ones below it. The server checks every
 * action with `allows`; a page hides what the user may not do, but hiding
 * is never the check.
 */
import { UsageError } from '../errors.js';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a console user may do in an environment; each names the least role that may. */
export const ACTIONS = {
  /** Masked config, provenance, diffs, audit, migration status, flags, jobs. */
  read: 'viewer',
  /** Runtime revisions, rollback, flag changes. */
  revise: 'operator',
  /** Run a job now. */
  runJob: 'operator',
  /** Set and rotate secrets. */
  secrets: 'admin',
  /** Approve destructive migrations. */
  migrate: 'admin',
  /** Add users, grant and revoke roles. */
  users: 'admin',
} as const satisfies Readonly<Record<string, Role>>;
export type ConsoleAction = keyof typeof ACTIONS;

/** A user's roles: environment name -> role. */
export type Grants = ReadonlyMap<string, Role>;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether `grants` allow `action` in `environment`. */
export function allows(grants: Grants, environment: string, action: ConsoleAction): boolean {
  const role = grants.get(environment);
  if (role === undefined) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(ACTIONS[action]);
}

/**
 * Parses `development:admin,production:viewer` into grants; EW_USAGE on a
 * malformed pair, an unknown role or an environment named twice. The
 * environments are checked against the project by the caller.
 */
export function parseGrants(text: string): Map<string, Role> {
  const grants = new Map<string, Role>();
  for (const pair of text.split(',')) {
    const match = /^\s*([a-z][a-z0-9-]{0,62})\s*:\s*([a-z]+)\s*$/.exec(pair);
    if (!match) {
      throw new UsageError(
        `--role expects ENVIRONMENT:ROLE pairs separated by commas; "${pair.slice(0, 80)}" is not one.`,
        'Example: --role development:admin,production:viewer (roles: viewer, operator, admin)',
      );
    }
    const [, environment, role] = match as unknown as [string, string, string];
    if (!isRole(role)) {
      throw new UsageError(`Unknown role "${role}" for ${environment}.`, `Roles: ${ROLES.join(', ')}.`);
    }
    if (grants.has(environment)) {
      throw new UsageError(`--role names ${environment} twice.`, 'Give each environment one role.');
    }
    grants.set(environment, role);
  }
  return grants;
}

/** `development:admin, production:viewer` (declaration order of `grants`). */
export function grantsText(grants: Grants): string {
  return [...grants].map(([environment, role]) => `${environment}:${role}`).join(', ');
}
