import type { FlagType } from './flag-declarations.js';
import type { FlagOutcome, FlagTable } from './flag-table.js';
import { identityOf, ruleApplies, type TargetingContext } from './flag-targeting.js';

/** The flag types OpenFeature asks for: its object flags are envward's json flags. */
export type RequestedType = 'boolean' | 'string' | 'number' | 'object';

const TYPE_OF_REQUEST: Readonly<Record<RequestedType, FlagType>> = {
  boolean: 'boolean',
  string: 'string',
  number: 'number',
  object: 'json',
};

/** An evaluation that could not give the flag's value: the caller's default is used. */
export interface FlagFailure {
  readonly errorCode: 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH';
  readonly errorMessage: string;
}

/** A flag name as messages quote it: at most 64 characters, nothing that could break a line. */
function quoted(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

/**
 * Evaluates flag `name` for `context` in `table`: the first targeting rule
 * that applies, else the flag's value. Returns the snapshot's ready-made
 * outcome, or a failure when the flag is not declared or is of another type.
 */
export function evaluateFlag(
  table: FlagTable,
  name: string,
  requested: RequestedType,
  context: TargetingContext,
): FlagOutcome | FlagFailure {
  const entry = table.flags.get(name);
  if (!entry) {
    return {
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: table.declared
        ? `flag ${quoted(name)} is not declared in flags({...}) of envward.config.ts (environment ${table.environment})`
        : 'envward.config.ts declares no flags: add flags({...}) from envward/flags to `use`',
    };
  }
  if (TYPE_OF_REQUEST[requested] !== entry.flag.type) {
    return {
      errorCode: 'TYPE_MISMATCH',
      errorMessage: `flag ${quoted(name)} is a ${entry.flag.type} flag, asked for as ${requested}`,
    };
  }
  if (entry.rules.length === 0) return entry.fallback;
  const identity = identityOf(context);
  for (const rule of entry.rules) {
    if (ruleApplies(rule, name, context, identity)) return rule.outcome;
  }
  return entry.fallback;
}
