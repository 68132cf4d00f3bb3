import { rolloutPosition } from './flag-rollout.js';
import type { TargetingRule } from './flags-settings.js';

/** What an evaluation is told about the caller: OpenFeature's evaluation context. */
export type TargetingContext = Readonly<Record<string, unknown>>;

type Scalar = string | number | boolean;

/** A targeting rule made ready for evaluation once per configuration snapshot: sets, not lists. */
export interface CompiledRule<Outcome> {
  readonly users: ReadonlySet<string> | undefined;
  readonly tenants: ReadonlySet<string> | undefined;
  readonly attributes: readonly (readonly [name: string, values: ReadonlySet<Scalar>])[];
  readonly percentage: number | undefined;
  readonly outcome: Outcome;
}

export function compileRule<Outcome>(rule: TargetingRule, outcome: Outcome): CompiledRule<Outcome> {
  return {
    users: rule.users ? new Set(rule.users) : undefined,
    tenants: rule.tenants ? new Set(rule.tenants) : undefined,
    attributes: Object.entries(rule.attributes ?? {}).map(
      ([name, wanted]) => [name, new Set<Scalar>(Array.isArray(wanted) ? wanted : [wanted as Scalar])] as const,
    ),
    percentage: rule.percentage,
    outcome,
  };
}

/** Who the caller is: the context's `targetingKey`, else its `user`. */
export function identityOf(context: TargetingContext): string | undefined {
  const key = context.targetingKey;
  if (typeof key === 'string' && key !== '') return key;
  const user = context.user;
  return typeof user === 'string' && user !== '' ? user : undefined;
}

function attribute(context: TargetingContext, name: string): unknown {
  return Object.hasOwn(context, name) ? context[name] : undefined;
}

/**
 * Whether `rule` applies to the caller: every condition it gives holds
 * (users, tenants, attributes, then the percentage rollout, which needs an
 * identity). Constant work per condition: set lookups and one hash.
 */
export function ruleApplies(
  rule: CompiledRule<unknown>,
  flag: string,
  context: TargetingContext,
  identity: string | undefined,
): boolean {
  if (rule.users && (identity === undefined || !rule.users.has(identity))) return false;
  if (rule.tenants) {
    const tenant = attribute(context, 'tenant');
    if (typeof tenant !== 'string' || !rule.tenants.has(tenant)) return false;
  }
  for (const [name, values] of rule.attributes) {
    const value = attribute(context, name);
    if ((typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') || !values.has(value)) {
      return false;
    }
  }
  if (rule.percentage === undefined) return true;
  return identity !== undefined && rolloutPosition(flag, identity) < rule.percentage;
}
