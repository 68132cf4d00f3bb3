/**
 * A configuration snapshot's flags, made ready for evaluation once: each
 * flag's value and targeting rules with their evaluation details (variant,
 * reason, provenance) computed ahead, so an evaluation is lookups and, for a
 * percentage rule, one hash; it allocates nothing of its own.
 */
import { fragmentsOf } from '../config/compose.js';
import type { ConfigEntry } from '../config/layer.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { DeclaredFlag } from './flag-declarations.js';
import { type CompiledRule, compileRule } from './flag-targeting.js';
import { sameFlagValue } from './flag-values.js';
import type { FlagSettings, TargetingRule } from './flags-settings.js';

/** OpenFeature's resolution reasons that envward gives. */
export type FlagReason = 'STATIC' | 'DEFAULT' | 'TARGETING_MATCH' | 'SPLIT';

/** Where a flag's value came from, as evaluation details carry it (OpenFeature flag metadata). */
export type FlagProvenance = Readonly<Record<string, string | number | boolean>>;

/** One possible result of evaluating a flag, made once per snapshot. */
export interface FlagOutcome {
  readonly value: unknown;
  readonly variant: string;
  readonly reason: FlagReason;
  readonly flagMetadata: FlagProvenance;
}

export interface FlagEntry {
  readonly flag: DeclaredFlag;
  /** The flag's value when no rule applies: STATIC, or DEFAULT at its schema default. */
  readonly fallback: FlagOutcome;
  readonly rules: readonly CompiledRule<FlagOutcome>[];
}

export interface FlagTable {
  readonly environment: string;
  /** False when the project's `use` has no flags(...) fragment. */
  readonly declared: boolean;
  readonly flags: ReadonlyMap<string, FlagEntry>;
}

type Snapshot = Pick<ResolvedConfig<unknown>, 'values' | 'project' | 'environment' | 'explain'>;

/** The declarations of the project's flags(...) fragment; undefined when it uses none. */
export function declaredFlags(project: Snapshot['project']): readonly DeclaredFlag[] | undefined {
  const fragment = fragmentsOf(project.definition.use).find((candidate) => candidate.key === 'flags');
  const declarations = (fragment as { declarations?: unknown } | undefined)?.declarations;
  return Array.isArray(declarations) ? (declarations as readonly DeclaredFlag[]) : undefined;
}

const LABEL_LENGTH = 64;

/** The variant name of a value: on/off, the string or number itself, or for JSON whether it is the default. */
export function variantOf(flag: DeclaredFlag, value: unknown): string {
  let variant: string;
  if (flag.type === 'boolean') variant = value ? 'on' : 'off';
  else if (flag.type === 'json') variant = sameFlagValue(value, flag.default) ? 'default' : 'configured';
  else variant = String(value);
  return variant.length > LABEL_LENGTH ? variant.slice(0, LABEL_LENGTH) : variant;
}

/** The provenance of the key that decided: its layer and file:line, variable or revision. */
export function provenanceOf(key: string, winner: ConfigEntry | undefined, environment: string): FlagProvenance {
  const source = winner?.source;
  const metadata: Record<string, string | number | boolean> = {
    environment,
    key,
    layer: source?.layer ?? 'schema-defaults',
  };
  if (source?.file !== undefined) metadata.file = source.file;
  if (source?.line !== undefined) metadata.line = source.line;
  if (source?.variable !== undefined) metadata.variable = source.variable;
  if (source?.revision !== undefined && source.layer === 'runtime-revisions')
    metadata.revision = Number(source.revision);
  return Object.freeze(metadata);
}

function entryOf(flag: DeclaredFlag, settings: FlagSettings, resolved: Snapshot): FlagEntry {
  const environment = resolved.environment.name;
  const valueKey = `flags.${flag.name}.value`;
  const valueWinner = resolved.explain(valueKey).winner;
  const fallback: FlagOutcome = Object.freeze({
    value: settings.value,
    variant: variantOf(flag, settings.value),
    reason: !valueWinner || valueWinner.source.layer === 'schema-defaults' ? 'DEFAULT' : 'STATIC',
    flagMetadata: provenanceOf(valueKey, valueWinner, environment),
  });
  const rules: CompiledRule<FlagOutcome>[] = [];
  if (settings.targeting.length > 0) {
    const targetingKey = `flags.${flag.name}.targeting`;
    const base = provenanceOf(targetingKey, resolved.explain(targetingKey).winner, environment);
    settings.targeting.forEach((rule: TargetingRule, index) => {
      const outcome: FlagOutcome = Object.freeze({
        value: rule.value,
        variant: rule.variant ?? variantOf(flag, rule.value),
        reason: rule.percentage === undefined ? 'TARGETING_MATCH' : 'SPLIT',
        flagMetadata: Object.freeze({ ...base, rule: index }),
      });
      rules.push(compileRule(rule, outcome));
    });
  }
  return Object.freeze({ flag, fallback, rules: Object.freeze(rules) });
}

/** The flags of one snapshot, ready to evaluate. */
export function buildFlagTable(resolved: Snapshot): FlagTable {
  const declared = declaredFlags(resolved.project);
  const values = (resolved.values as { flags?: Record<string, FlagSettings> }).flags;
  const flags = new Map<string, FlagEntry>();
  for (const flag of declared ?? []) {
    const settings = values?.[flag.name];
    if (settings) flags.set(flag.name, entryOf(flag, settings, resolved));
  }
  return { environment: resolved.environment.name, declared: declared !== undefined, flags };
}
