import { ForceWithoutReasonError, HostMismatchError } from '../errors.js';
import type { EnvironmentCatalogue } from './catalogue.js';
import type { Environment, ForceOverride } from './environment.js';
import { firstMatchingPattern } from './host-patterns.js';

/** Why `environment` may not run on `hostname`, or undefined when it may. */
export function findHostConflict(
  environment: Environment,
  hostname: string,
  catalogue: EnvironmentCatalogue,
): string | undefined {
  if (environment.hosts.length > 0) {
    if (firstMatchingPattern(environment.hosts, hostname)) return undefined;
    return `the host does not match ${environment.name}'s hosts (${environment.hosts.join(', ')})`;
  }
  for (const other of catalogue.all) {
    if (other.name === environment.name) continue;
    const pattern = firstMatchingPattern(other.hosts, hostname);
    if (pattern) return `the host matches ${other.name}'s host pattern ${pattern}`;
  }
  return undefined;
}

/** The record of an override that let a guard through. */
export interface GuardOverride {
  readonly guard: string;
  readonly reason: string;
  readonly message: string;
}

/**
 * Refuses (`EW_HOST_MISMATCH`) to run `environment` on a host meant for
 * another one, unless `force` gives a reason; then returns the override so
 * the caller can warn loudly and audit it.
 */
export function assertHostAllowed(
  environment: Environment,
  hostname: string,
  catalogue: EnvironmentCatalogue,
  force?: ForceOverride,
): GuardOverride | undefined {
  // No reason, no override: refused even when no guard would have needed it.
  if (force && !force.reason?.trim()) throw new ForceWithoutReasonError();
  const conflict = findHostConflict(environment, hostname, catalogue);
  if (!conflict) return undefined;
  const error = new HostMismatchError(environment.name, hostname, conflict);
  if (!force) throw error;
  return { guard: error.code, reason: force.reason, message: error.message };
}
