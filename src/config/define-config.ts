import type { z } from 'zod';
import type { ConfigRule, ProjectDefinition } from '../project/definition.js';
import { type ComposedSchema, composeSchema } from './compose.js';
import type { SettingsFragment } from './settings-fragment.js';

export type { ConfigRule, ProjectDefinition, RuleContext, RuleFinding } from '../project/definition.js';

/** What envward.config.ts passes to defineConfig: the project's own schema and the capabilities it uses. */
export interface ProjectInput<Schema extends z.ZodObject, Use extends readonly SettingsFragment[]>
  extends Omit<ProjectDefinition<Schema>, 'schema' | 'use' | 'rules'> {
  readonly schema: Schema;
  readonly use?: Use;
  readonly rules?: readonly ConfigRule<z.output<ComposedSchema<Schema, Use>>>[];
}

/**
 * Declares a project: its schema, the capabilities' settings it uses, and
 * its environments. The returned `schema` is the whole schema, the
 * fragments in `use` merged in, so its type is the type of the values.
 * @example
 * export default defineConfig({
 *   use: [http, log, database],
 *   schema: z.object({ app: z.object({ port: z.number().int().default(3000) }) }),
 *   environments: { qa: { tier: 'staging' } },
 * });
 */
export function defineConfig<const Schema extends z.ZodObject, const Use extends readonly SettingsFragment[] = []>(
  definition: ProjectInput<Schema, Use>,
): ProjectDefinition<ComposedSchema<Schema, Use>> {
  // The fields are copied as they are (getters stay getters), and the schema is composed when first
  // read, so whatever the project's own code throws surfaces where envward reads that field.
  const result = Object.defineProperties({}, Object.getOwnPropertyDescriptors(definition));
  let composed: unknown;
  Object.defineProperty(result, 'schema', {
    enumerable: true,
    get: () => {
      composed ??= composeSchema(definition.schema, definition.use);
      return composed;
    },
  });
  return result as ProjectDefinition<ComposedSchema<Schema, Use>>;
}

/**
 * Register a project's definition to type `loadConfig()` without arguments:
 * `declare module 'envward' { interface Register { config: typeof config } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in user projects
export interface Register {}

/** The config type of the registered project, or a plain record when none is registered. */
export type RegisteredValues = Register extends { config: ProjectDefinition<infer Schema> }
  ? z.output<Schema>
  : Record<string, unknown>;
