/**
 * Role changes a console admin asks for, checked against their own roles:
 * granting, changing or revoking a role in environment E needs admin in E,
 * so an admin of development cannot make anyone (themselves included) an
 * admin of production. Pure functions over grants, so the rule is tested
 * apart from the page.
 */
import type { Environment } from '../environment/index.js';
import { field } from './guards.js';
import { allows, type Grants, isRole, type Role } from './roles.js';
import { ConsoleHttpError } from './site.js';

/** The form field of an environment's role select. */
export function roleField(environment: string): string {
  return `role.${environment}`;
}

/**
 * The grants a form asks for, from `current`: each environment whose select
 * was sent takes its value ('' is no role); the others keep theirs. 400 for
 * an unknown role, 403 for a change in an environment `actor` does not
 * administer. Ordered as the project declares its environments.
 */
export function requestedGrants(
  environments: readonly Environment[],
  order: readonly string[],
  actor: Grants,
  current: Grants,
  body: unknown,
): Grants {
  const next = new Map<string, Role>(current);
  for (const environment of environments) {
    const value = field(body, roleField(environment.name));
    if (value === undefined) continue;
    if (value !== '' && !isRole(value)) throw new ConsoleHttpError(400, `"${value.slice(0, 40)}" is not a role.`);
    const wanted = value === '' ? undefined : value;
    if (wanted === current.get(environment.name)) continue;
    if (!allows(actor, environment.name, 'users')) {
      throw new ConsoleHttpError(
        403,
        `Changing a role in ${environment.name} needs the admin role there, which you do not have.`,
      );
    }
    if (wanted) next.set(environment.name, wanted);
    else next.delete(environment.name);
  }
  return new Map([...next].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)));
}

/** Removing a user takes away each of their roles: 403 unless `actor` administers every environment they have one in. */
export function checkRemovable(actor: Grants, target: Grants): void {
  for (const environment of target.keys()) {
    if (!allows(actor, environment, 'users')) {
      throw new ConsoleHttpError(
        403,
        `This user has a role in ${environment}; removing them needs the admin role there, which you do not have.`,
      );
    }
  }
}
