import type { z } from 'zod';
import type { SettingsFragment } from '../config/settings-fragment.js';
import type { EnvironmentDeclaration, Tier } from '../environment/index.js';

/** A problem a rule reports: the key it concerns and what is wrong. */
export interface RuleFinding {
  readonly key: string;
  readonly message: string;
}

export interface RuleContext {
  readonly environment: string;
  readonly tier: Tier;
}

/** A project's own validation rule, run after the schema for the tiers it names. */
export interface ConfigRule<Values = Record<string, unknown>> {
  readonly name: string;
  /** Tiers the rule applies to; all tiers when omitted. */
  readonly tiers?: readonly Tier[];
  check(values: Values, context: RuleContext): readonly RuleFinding[] | undefined;
}

/** Everything a project declares in envward.config.ts (its default export). */
export interface ProjectDefinition<Schema extends z.ZodObject = z.ZodObject> {
  /** The project's name, recorded in database stamps by later capabilities. */
  readonly project?: string;
  /** The whole schema: the project's own keys and the settings of every capability in `use`. */
  readonly schema: Schema;
  /** The capabilities' settings the project uses: `[http, log, database]`. */
  readonly use?: readonly SettingsFragment[];
  /** Custom environments, or changes to the built-in four (hosts, colour, protection). */
  readonly environments?: Readonly<Record<string, EnvironmentDeclaration>>;
  /** Explicit process variables per key; other keys use the default mapping (`database.url` <- `DATABASE_URL`). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Per-environment values set in code: `{ production: { 'log.level': 'warn' } }`. */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Keys that must be set, per tier or per environment name. */
  readonly required?: Readonly<Record<string, readonly string[]>>;
  readonly rules?: readonly ConfigRule<z.output<Schema>>[];
}
