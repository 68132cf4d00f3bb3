import type { z } from 'zod';
import type { Tier } from '../environment/index.js';
import { isSettingsFragment, type SettingsFragment, tierDefaultsOf } from './settings-fragment.js';

/*
 * A project's schema and the capability fragments it uses become one zod
 * object: `use: [http]` puts the http fragment under `http`. A project may add
 * keys of its own beside a fragment's (`database.readReplicaUrl`), never
 * redeclare one: a second declaration of `http.bodyLimit` would let the
 * project's type pass validation and the capability refuse it at start.
 */

/** The top-level keys envward's capabilities own; a schema declaring one must `use` its fragment. */
export const CAPABILITY_KEYS: Readonly<Record<string, string>> = Object.freeze({
  http: 'http (from envward/fastify)',
  log: 'log (from envward/observe)',
  alerts: 'alerts (from envward/observe)',
  database: 'database (from envward/store)',
  outbound: 'outbound (from envward/outbound)',
  flags: 'flags (from envward/flags)',
  jobs: 'jobs (from envward/jobs)',
  integrations: 'integrations (from envward/outbound)',
  auth: 'auth (from envward/fastify)',
  console: 'console (from envward/console)',
  deploy: 'deploy (from envward/runtime)',
  data: 'data (from envward/data)',
});

/** A composition the project file got wrong; the loader reports it as EW_PROJECT_LOAD at the file. */
export class CompositionError extends Error {}

interface ZodObjectLike {
  readonly shape: Record<string, unknown>;
  extend(shape: Record<string, unknown>): ZodObjectLike;
  readonly _zod: { readonly def: { readonly type: string } };
}

function asObject(value: unknown): ZodObjectLike | undefined {
  const def = (value as { _zod?: { def?: { type?: string } } } | null)?._zod?.def;
  return def?.type === 'object' ? (value as ZodObjectLike) : undefined;
}

// Schemas composed here, so composing again (defineConfig, then the loader) is a no-op.
const COMPOSED = Symbol.for('envward.composedSchemas');
const shared = globalThis as { [COMPOSED]?: WeakSet<object> };
shared[COMPOSED] ??= new WeakSet<object>();
const composedSchemas = shared[COMPOSED];

/** The fragments of `use`, checked: a list of fragments with distinct keys. */
export function fragmentsOf(use: unknown): readonly SettingsFragment[] {
  if (use === undefined) return [];
  if (!Array.isArray(use)) throw new CompositionError('`use` must be a list of settings, e.g. use: [http, log].');
  const seen = new Set<string>();
  for (const fragment of use) {
    if (!isSettingsFragment(fragment)) {
      throw new CompositionError(
        '`use` lists something that is not a settings fragment; import them from envward: `import { http } from "envward/fastify"`.',
      );
    }
    if (seen.has(fragment.key)) throw new CompositionError(`\`use\` lists ${fragment.key} twice.`);
    seen.add(fragment.key);
  }
  return use as readonly SettingsFragment[];
}

/** The project's schema with its fragments merged in; throws CompositionError naming the conflicting key. */
export function composeSchema<S>(schema: S, use: unknown): S {
  const fragments = fragmentsOf(use);
  const project = asObject(schema);
  if (!project || composedSchemas.has(project)) return schema;
  const used = new Set(fragments.map((fragment) => fragment.key));
  for (const key of Object.keys(project.shape)) {
    const owner = CAPABILITY_KEYS[key];
    if (owner && !used.has(key)) {
      throw new CompositionError(
        `the schema declares \`${key}\`, which envward's ${owner} settings own: remove it from the schema and add \`${key}\` to \`use\` (add your own keys beside them under \`${key}\` if you need to).`,
      );
    }
  }
  const added: Record<string, unknown> = {};
  for (const fragment of fragments) {
    const own = project.shape[fragment.key];
    if (own === undefined) {
      added[fragment.key] = fragment.schema;
      continue;
    }
    const ownObject = asObject(own);
    if (!ownObject) {
      throw new CompositionError(
        `the schema declares \`${fragment.key}\` as something other than z.object(...) while \`use\` lists ${fragment.key}: only an object of extra keys can sit beside a fragment.`,
      );
    }
    const fragmentShape = (fragment.schema as unknown as ZodObjectLike).shape;
    const clash = Object.keys(ownObject.shape).find((name) => name in fragmentShape);
    if (clash) {
      throw new CompositionError(
        `the schema redeclares \`${fragment.key}.${clash}\`, which envward's ${fragment.capability} settings declare with their own type and tier defaults: remove it from the schema.`,
      );
    }
    added[fragment.key] = (fragment.schema as unknown as ZodObjectLike).extend(ownObject.shape);
  }
  const composed = project.extend(added);
  composedSchemas.add(composed);
  return composed as S;
}

/** The tier defaults of every fragment in `use`, by full dotted key. */
export function composedTierDefaults(use: unknown, tier: Tier): ReadonlyMap<string, unknown> {
  const defaults = new Map<string, unknown>();
  for (const fragment of fragmentsOf(use)) {
    for (const [key, value] of Object.entries(tierDefaultsOf(fragment.tierDefaults, tier))) {
      defaults.set(`${fragment.key}.${key}`, value);
    }
  }
  return defaults;
}

/** The zod output of a project schema with its fragments (for defineConfig's types). */
export type ComposedSchema<Schema extends z.ZodObject, Use extends readonly SettingsFragment[]> = z.ZodObject<
  Omit<Schema['shape'], Use[number]['key']> & {
    [F in Use[number] as F['key']]: F['key'] extends keyof Schema['shape']
      ? Schema['shape'][F['key']] extends z.ZodObject
        ? z.ZodObject<F['schema']['shape'] & Schema['shape'][F['key']]['shape']>
        : F['schema']
      : F['schema'];
  }
>;
