import { z } from 'zod';
import { live } from '../config/reload-marker.js';
import { defineSettings, type FragmentFinding, type SettingsFragment } from '../config/settings-fragment.js';
import type { Environment } from '../environment/index.js';
import {
  type DeclaredFlag,
  declareFlags,
  type FlagDeclaration,
  type FlagJson,
  isJson,
  MAX_FLAG_TEXT,
} from './flag-declarations.js';
import { sameFlagValue } from './flag-values.js';

/** Bounds on `flags.<name>.targeting`, so a hostile revision cannot make every evaluation slow. */
export const TARGETING_LIMITS = Object.freeze({
  /** Rules per flag. */
  rules: 100,
  /** Users, tenants or values of one attribute in one rule. */
  listed: 10_000,
  /** Characters of a user, tenant, attribute name or value. */
  text: 256,
});
/** The longest `flags.<name>.reason`. */
export const MAX_REASON = 1000;

const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const VARIANT_LABEL = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** A flag's value schema for its type (a json flag holds a JSON object). */
function valueSchema(flag: DeclaredFlag) {
  switch (flag.type) {
    case 'boolean':
      return z.boolean();
    case 'number':
      return z.number();
    case 'string':
      return flag.variants ? z.enum(flag.variants as [string, ...string[]]) : z.string().max(MAX_FLAG_TEXT);
    case 'json':
      // A record, so text from .env, variables and revisions is read as JSON (the leaf's kind is json).
      return z
        .record(z.string(), z.unknown())
        .refine((value) => isJson(value), 'must be plain JSON, nested at most 64 deep');
  }
}

function listOf(item: z.ZodType) {
  return z.array(item).min(1).max(TARGETING_LIMITS.listed);
}

/**
 * One targeting rule: who it applies to (every condition given must hold;
 * a rule without conditions applies to everyone) and the value they get.
 */
function ruleSchema(flag: DeclaredFlag) {
  const name = z.string().min(1).max(TARGETING_LIMITS.text);
  const scalar = z.union([z.string().max(TARGETING_LIMITS.text), z.number(), z.boolean()]);
  return z.strictObject({
    /** The variant's name in evaluation details and metrics (default: made from the value). */
    variant: z.string().regex(VARIANT_LABEL, 'letters, digits and "_.:-", at most 64').optional(),
    value: valueSchema(flag),
    /** Targeting keys (the OpenFeature targetingKey, or `user`) the rule applies to. */
    users: listOf(name).optional(),
    /** Values of the context's `tenant` the rule applies to. */
    tenants: listOf(name).optional(),
    /** Context attributes that must equal the value given (or one of the values listed). */
    attributes: z
      .record(
        z.string().regex(ATTRIBUTE_NAME, 'an attribute name is letters, digits and "_.-"'),
        z.union([scalar, listOf(scalar)]),
      )
      .optional(),
    /** The share of targeting keys, 0 to 100, the rule applies to (a stable hash of flag and key decides). */
    percentage: z.number().min(0).max(100).optional(),
  });
}

function flagSchema(flag: DeclaredFlag) {
  return z.object({
    value: live((valueSchema(flag) as z.ZodType).default(flag.default)),
    targeting: live(z.array(ruleSchema(flag)).max(TARGETING_LIMITS.rules).default([])),
    reason: live(z.string().max(MAX_REASON).optional()),
  });
}

type ValueOf<D extends FlagDeclaration> = D extends { type: 'boolean' }
  ? boolean
  : D extends { type: 'number' }
    ? number
    : D extends { type: 'string'; variants: readonly (infer V)[] }
      ? V
      : D extends { type: 'string' }
        ? string
        : { [key: string]: FlagJson };

/** A targeting rule as validated (docs/flags.md). */
export interface TargetingRule<Value = unknown> {
  readonly variant?: string;
  readonly value: Value;
  readonly users?: readonly string[];
  readonly tenants?: readonly string[];
  readonly attributes?: Readonly<Record<string, string | number | boolean | readonly (string | number | boolean)[]>>;
  readonly percentage?: number;
}

/** The settings of one flag, as the schema gives them. */
export interface FlagSettings<Value = unknown> {
  readonly value: Value;
  readonly targeting: readonly TargetingRule<Value>[];
  readonly reason?: string;
}

type FlagSchema<D extends FlagDeclaration> = z.ZodType<FlagSettings<ValueOf<D>>, Partial<FlagSettings<ValueOf<D>>>>;

/** The fragment `flags({...})` makes: the settings plus the declarations the provider and `flags list` read. */
export type FlagsFragment<Declarations extends Record<string, FlagDeclaration> = Record<string, FlagDeclaration>> =
  SettingsFragment<'flags', z.ZodObject<{ [Name in keyof Declarations & string]: FlagSchema<Declarations[Name]> }>> & {
    readonly declarations: readonly DeclaredFlag[];
  };

/** Why a flag is "on" in production: a value other than its default, or targeting. */
function onKey(flag: DeclaredFlag, settings: FlagSettings): string | undefined {
  if (!sameFlagValue(settings.value, flag.default)) return `${flag.name}.value`;
  if (settings.targeting.length > 0) return `${flag.name}.targeting`;
  return undefined;
}

/** The production tier's rules of each flag's `production` declaration. */
function productionRules(declared: readonly DeclaredFlag[]) {
  return (settings: unknown, environment: Environment): readonly FragmentFinding[] => {
    if (environment.tier !== 'production' || typeof settings !== 'object' || settings === null) return [];
    const findings: FragmentFinding[] = [];
    for (const flag of declared) {
      if (flag.production === 'allowed') continue;
      const own = (settings as Record<string, FlagSettings | undefined>)[flag.name];
      if (!own) continue;
      const key = onKey(flag, own);
      if (key === undefined) continue;
      const what = key.endsWith('.value') ? 'a value other than its default' : 'targeting rules';
      if (flag.production === 'forbidden') {
        findings.push({
          code: 'EW_RULE_FLAG_FORBIDDEN',
          key,
          message: `flag ${flag.name} is declared production: 'forbidden', but ${environment.name} gives it ${what}; remove flags.${key} from ${environment.name}'s settings (or unset it with \`envward config unset flags.${key} --env ${environment.name}\`)`,
        });
      } else if (!own.reason?.trim()) {
        findings.push({
          code: 'EW_RULE_FLAG_REASON',
          key,
          message: `flag ${flag.name} is declared production: 'requires-reason', and ${environment.name} gives it ${what} without a reason; set flags.${flag.name}.reason to why it is on (a ticket, a decision)`,
        });
      }
    }
    return findings;
  };
}

/**
 * Feature flags per environment: each flag's `value`, `targeting` rules and
 * `reason` under `flags.<name>.`, all live (a runtime revision changes them
 * in every running instance). Declaration mistakes throw EW_FLAG_DEFINITION.
 * @example
 * defineConfig({ use: [flags({ newFeeRule: { type: 'boolean', default: false, production: 'requires-reason' } })], schema })
 */
export function flags<const Declarations extends Record<string, FlagDeclaration>>(
  declarations: Declarations,
): FlagsFragment<Declarations> {
  const declared = declareFlags(declarations);
  const fragment = defineSettings({
    key: 'flags',
    capability: 'envward/flags',
    tierDefaults: { development: {}, test: {}, staging: {}, production: {} },
    rules: productionRules(declared),
    schema: () => z.object(Object.fromEntries(declared.map((flag) => [flag.name, flagSchema(flag)]))),
  });
  // The getter of `schema` is kept (the schema is built when first read); the declarations ride along.
  return Object.freeze(
    Object.defineProperties(
      {},
      {
        ...Object.getOwnPropertyDescriptors(fragment),
        declarations: { value: declared, enumerable: true },
      },
    ),
  ) as unknown as FlagsFragment<Declarations>;
}
