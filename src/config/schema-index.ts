import { ProjectLoadError } from '../errors.js';
import { isMarkedLive } from './reload-marker.js';
import { isConditionalSecret, isMarkedSecret } from './secret-marker.js';
import type { ReloadMode } from './settings-fragment.js';

/** The kind of value a leaf holds, used to coerce text from .env files and variables. */
export type LeafKind = 'string' | 'number' | 'bigint' | 'boolean' | 'json' | 'other';

/** One settable key of the schema (a leaf: anything that is not a nested object). */
export interface SchemaLeaf {
  readonly key: string;
  /** The key split on dots, computed once. */
  readonly path: readonly string[];
  readonly kind: LeafKind;
  readonly secret: boolean;
  /** A capability's secret that its fragment's rules require where needed (conditionalSecret), not every protected tier. */
  readonly conditional: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  /** The process variable that sets this key (`database.url` <- `DATABASE_URL` unless mapped). */
  readonly variable: string;
  /** Whether a runtime change applies at once (`live`, marked with live()) or at the next start. */
  readonly reload: ReloadMode;
}

/** The schema seen as flat dotted keys, built once per resolve. */
export interface SchemaIndex {
  readonly leaves: ReadonlyMap<string, SchemaLeaf>;
  /** Dotted paths of nested objects (groups), e.g. `database`. */
  readonly groups: ReadonlySet<string>;
  /** Groups wrapped in secret() (every key inside them is secret too). */
  readonly secretGroups: ReadonlySet<string>;
  readonly byVariable: ReadonlyMap<string, SchemaLeaf>;
  /** Each leaf's own zod schema, to check one key alone (to find the key whose transform threw). */
  readonly leafSchemas: ReadonlyMap<string, unknown>;
}

interface ZodDefLike {
  readonly type: string;
  readonly shape?: Record<string, ZodLike>;
  readonly innerType?: ZodLike;
  readonly in?: ZodLike;
  readonly defaultValue?: unknown;
}
interface ZodLike {
  readonly _zod: { readonly def: ZodDefLike };
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

function isZod(value: unknown): value is ZodLike {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** `app.logLevel` -> `APP_LOG_LEVEL`: the documented default variable for a key. */
export function defaultVariableFor(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[.-]/g, '_')
    .toUpperCase();
}

function kindOf(type: string): LeafKind {
  switch (type) {
    case 'string':
    case 'enum':
    case 'literal':
    case 'template_literal':
      return 'string';
    case 'number':
      return 'number';
    case 'bigint':
      return 'bigint';
    case 'boolean':
      return 'boolean';
    case 'array':
    case 'tuple':
    case 'record':
    case 'map':
    case 'set':
      return 'json';
    default:
      return 'other';
  }
}

/** Walks a zod object schema into flat leaves; `variables` maps keys to their process variables. */
export function indexSchema(
  schema: unknown,
  variables: Readonly<Record<string, string>> = {},
  file = 'envward.config.ts',
): SchemaIndex {
  if (!isZod(schema)) throw new ProjectLoadError(file, '`schema` must be a zod object, e.g. z.object({ ... }).');
  const leaves = new Map<string, SchemaLeaf>();
  const groups = new Set<string>();
  const secretGroups = new Set<string>();
  const byVariable = new Map<string, SchemaLeaf>();
  const leafSchemas = new Map<string, unknown>();

  // A secret() object makes every key inside it secret.
  const visit = (node: ZodLike, key: string, inSecret: boolean): void => {
    let current = node;
    let secret = inSecret || isMarkedSecret(current);
    let live = isMarkedLive(current);
    let conditional = isConditionalSecret(current);
    let hasDefault = false;
    let defaultValue: unknown;
    for (;;) {
      const def = current._zod.def;
      if (def.type === 'default' && !hasDefault) {
        hasDefault = true;
        defaultValue = def.defaultValue;
      }
      const inner = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : undefined;
      if (!inner) break;
      current = inner;
      secret ||= isMarkedSecret(current);
      live ||= isMarkedLive(current);
      conditional ||= isConditionalSecret(current);
    }
    const def = current._zod.def;
    if (def.type === 'object' && def.shape) {
      if (key) groups.add(key);
      if (key && secret) secretGroups.add(key);
      for (const [name, child] of Object.entries(def.shape)) visit(child, key ? `${key}.${name}` : name, secret);
      return;
    }
    if (!key) throw new ProjectLoadError(file, '`schema` must be a zod object, e.g. z.object({ ... }).');
    const variable = variables[key] ?? defaultVariableFor(key);
    const leaf: SchemaLeaf = Object.freeze({
      key,
      path: Object.freeze(key.split('.')),
      kind: kindOf(def.type),
      secret,
      conditional,
      hasDefault,
      defaultValue,
      variable,
      reload: live ? 'live' : 'restart',
    });
    leaves.set(key, leaf);
    byVariable.set(variable, leaf);
    leafSchemas.set(key, node);
  };
  visit(schema, '', false);
  for (const key of Object.keys(variables)) {
    if (!leaves.has(key))
      throw new ProjectLoadError(file, `\`variables\` maps "${key}", which the schema does not declare.`);
  }
  return { leaves, groups, secretGroups, byVariable, leafSchemas };
}
