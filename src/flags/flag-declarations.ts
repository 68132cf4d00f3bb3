import { FlagDefinitionError } from './flag-errors.js';
import { deepFreeze } from './flag-values.js';

/** The kinds of value a flag holds: OpenFeature's boolean, string, number and object flags. */
export type FlagType = 'boolean' | 'string' | 'number' | 'json';

/**
 * What the production tier allows of a flag: anything (`allowed`), a value
 * other than the default or targeting only with `flags.<name>.reason` set
 * (`requires-reason`), or nothing but the default (`forbidden`).
 */
export type ProductionRule = 'allowed' | 'requires-reason' | 'forbidden';

/** A JSON value, as a `json` flag holds it. */
export type FlagJson = string | number | boolean | null | FlagJson[] | { [key: string]: FlagJson };

interface CommonDeclaration {
  /** What the production tier allows (default `allowed`). */
  readonly production?: ProductionRule;
  /** What the flag is for, shown by `envward flags list`. */
  readonly description?: string;
}

/** One flag as envward.config.ts declares it in `flags({ name: declaration })`. */
export type FlagDeclaration =
  | (CommonDeclaration & { readonly type: 'boolean'; readonly default: boolean })
  | (CommonDeclaration & { readonly type: 'string'; readonly default: string; readonly variants?: readonly string[] })
  | (CommonDeclaration & { readonly type: 'number'; readonly default: number })
  | (CommonDeclaration & { readonly type: 'json'; readonly default: { readonly [key: string]: FlagJson } });

/** A declaration checked and frozen, with its name. */
export interface DeclaredFlag {
  readonly name: string;
  readonly type: FlagType;
  readonly default: unknown;
  /** The values a string flag may take (undefined: any string). */
  readonly variants: readonly string[] | undefined;
  readonly production: ProductionRule;
  readonly description: string | undefined;
}

/** A flag name: letters, digits, "-" and "_", starting with a letter (it is a config key and a metric label). */
export const FLAG_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const TYPES: readonly FlagType[] = ['boolean', 'string', 'number', 'json'];
const PRODUCTION_RULES: readonly ProductionRule[] = ['allowed', 'requires-reason', 'forbidden'];
const DECLARATION_FIELDS = new Set(['type', 'default', 'variants', 'production', 'description']);
/** The longest string a string flag's default or variant may be. */
export const MAX_FLAG_TEXT = 1024;
/** How many flags one project may declare, and how many variants one string flag may list. */
const MAX_FLAGS = 500;
const MAX_VARIANTS = 100;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 64));
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : typeof value;
}

/** Whether `value` is plain JSON (no undefined, function, bigint, NaN, cycle, class instance), within `depth`. */
export function isJson(value: unknown, depth = 64): value is FlagJson {
  if (depth < 0) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth - 1));
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every((item) => isJson(item, depth - 1));
}

function isJsonObject(value: unknown): value is { [key: string]: FlagJson } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isJson(value);
}

function checkDefault(name: string, type: FlagType, value: unknown): void {
  const fits =
    type === 'boolean'
      ? typeof value === 'boolean'
      : type === 'string'
        ? typeof value === 'string' && value.length <= MAX_FLAG_TEXT
        : type === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : isJsonObject(value);
  if (!fits) {
    const expected =
      type === 'json'
        ? 'a JSON object'
        : type === 'string'
          ? `a string of at most ${MAX_FLAG_TEXT} characters`
          : `a finite ${type}`;
    throw new FlagDefinitionError(name, `its default is ${describe(value)}, not ${expected}`);
  }
}

function checkVariants(name: string, declaration: Record<string, unknown>): readonly string[] | undefined {
  const variants = declaration.variants;
  if (variants === undefined) return undefined;
  if (declaration.type !== 'string') throw new FlagDefinitionError(name, '`variants` is for string flags only');
  if (!Array.isArray(variants) || variants.length === 0 || variants.length > MAX_VARIANTS) {
    throw new FlagDefinitionError(name, `\`variants\` must be a list of 1 to ${MAX_VARIANTS} strings`);
  }
  for (const variant of variants) {
    if (typeof variant !== 'string' || variant.length === 0 || variant.length > MAX_FLAG_TEXT) {
      throw new FlagDefinitionError(
        name,
        `variant ${describe(variant)} is not a non-empty string of at most ${MAX_FLAG_TEXT} characters`,
      );
    }
  }
  if (new Set(variants).size !== variants.length) throw new FlagDefinitionError(name, '`variants` lists a value twice');
  if (!variants.includes(declaration.default)) {
    throw new FlagDefinitionError(name, `its default ${describe(declaration.default)} is not one of its variants`);
  }
  return Object.freeze([...variants] as string[]);
}

function declareOne(name: string, raw: unknown): DeclaredFlag {
  if (!FLAG_NAME.test(name) || Object.hasOwn(Object.prototype, name)) {
    throw new FlagDefinitionError(
      name.slice(0, 64),
      'a flag name is letters, digits, "-" and "_", starting with a letter, at most 64 characters',
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new FlagDefinitionError(
      name,
      'its declaration must be an object such as { type: "boolean", default: false }',
    );
  }
  const declaration = raw as Record<string, unknown>;
  const unknown = Object.keys(declaration).find((field) => !DECLARATION_FIELDS.has(field));
  if (unknown !== undefined) {
    throw new FlagDefinitionError(
      name,
      `${describe(unknown)} is not a field of a flag (type, default, variants, production, description)`,
    );
  }
  const type = declaration.type;
  if (!TYPES.includes(type as FlagType)) {
    throw new FlagDefinitionError(name, `its type is ${describe(type)}, not one of ${TYPES.join(', ')}`);
  }
  checkDefault(name, type as FlagType, declaration.default);
  const production = declaration.production ?? 'allowed';
  if (!PRODUCTION_RULES.includes(production as ProductionRule)) {
    throw new FlagDefinitionError(
      name,
      `\`production\` is ${describe(production)}, not one of ${PRODUCTION_RULES.join(', ')}`,
    );
  }
  const description = declaration.description;
  if (description !== undefined && (typeof description !== 'string' || description.length > MAX_FLAG_TEXT)) {
    throw new FlagDefinitionError(name, `\`description\` must be a string of at most ${MAX_FLAG_TEXT} characters`);
  }
  return Object.freeze({
    name,
    type: type as FlagType,
    default: deepFreeze(structuredClone(declaration.default)),
    variants: checkVariants(name, declaration),
    production: production as ProductionRule,
    description,
  });
}

/** Checks every declaration of `flags({...})`; throws EW_FLAG_DEFINITION naming the first wrong one. */
export function declareFlags(declarations: unknown): readonly DeclaredFlag[] {
  if (typeof declarations !== 'object' || declarations === null || Array.isArray(declarations)) {
    throw new FlagDefinitionError(
      '(all)',
      'flags() takes an object of declarations, e.g. flags({ newFeeRule: { type: "boolean", default: false } })',
    );
  }
  const names = Object.keys(declarations);
  if (names.length > MAX_FLAGS) throw new FlagDefinitionError('(all)', `at most ${MAX_FLAGS} flags may be declared`);
  return Object.freeze(names.map((name) => declareOne(name, (declarations as Record<string, unknown>)[name])));
}
