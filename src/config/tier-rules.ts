import type { Environment } from '../environment/index.js';
import type { ConfigIssue } from '../errors.js';
import type { ProjectDefinition } from './define-config.js';
import type { ConfigEntry } from './layer.js';
import type { LayerName } from './layer-order.js';
import type { SchemaIndex } from './schema-index.js';
import { readPath } from './value-path.js';

const VERBOSE_LEVELS = new Set(['trace', 'debug', 'silly', 'verbose', 'all']);
const LOG_LEVEL_KEY = /(^|\.)(log\.level|logging\.level|logLevel)$/;
const DEBUG_KEY = /(^|\.)debug$/;

export interface RuleInput {
  readonly environment: Environment;
  readonly definition: ProjectDefinition;
  readonly schema: SchemaIndex;
  readonly values: Record<string, unknown>;
  readonly winners: ReadonlyMap<string, ConfigEntry>;
  /** Every entry of every key, lowest layer first. */
  readonly history?: ReadonlyMap<string, readonly ConfigEntry[]>;
}

/** Layers read from files anyone with the repository can read. */
const PLAIN_LAYERS: ReadonlySet<LayerName> = new Set([
  'base-file',
  'project-dotenv',
  'environment-file',
  'environment-dotenv',
  'code-overrides',
]);

function issueAt(input: RuleInput, code: string, key: string, message: string): ConfigIssue {
  const source = input.winners.get(key)?.source;
  return {
    code,
    key,
    environment: input.environment.name,
    message,
    ...(source?.file !== undefined ? { file: source.file } : {}),
    ...(source?.line !== undefined ? { line: source.line } : {}),
    ...(source ? { source: source.variable ? `$${source.variable}` : source.layer } : {}),
  };
}

/**
 * The built-in rules of protected tiers (no debug flag, log level info or
 * above, secrets set and not defaults), the `required` keys, and the
 * project's own rules. Returns every finding, never just the first.
 */
export function checkTierRules(input: RuleInput): ConfigIssue[] {
  const { environment, definition, schema, values } = input;
  const issues: ConfigIssue[] = [];
  if (environment.protected) {
    for (const leaf of schema.leaves.values()) {
      const last = leaf.path[leaf.path.length - 1];
      // Only debug, log-level and secret keys have rules here: skip the rest cheaply.
      if (!leaf.secret && last !== 'debug' && last !== 'level' && last !== 'logLevel') continue;
      const value = readPath(values, leaf.path);
      if (DEBUG_KEY.test(leaf.key) && value === true) {
        issues.push(issueAt(input, 'EW_RULE_DEBUG', leaf.key, `debug must be off in the ${environment.tier} tier`));
      }
      if (LOG_LEVEL_KEY.test(leaf.key) && typeof value === 'string' && VERBOSE_LEVELS.has(value.toLowerCase())) {
        issues.push(
          issueAt(
            input,
            'EW_RULE_LOG_LEVEL',
            leaf.key,
            `log level "${value}" is below info in the ${environment.tier} tier`,
          ),
        );
      }
      if (leaf.secret) {
        for (const entry of input.history?.get(leaf.key) ?? []) {
          if (!PLAIN_LAYERS.has(entry.source.layer) || entry.value === undefined || entry.value === null) continue;
          if (entry.value === '') continue;
          issues.push({
            code: 'EW_RULE_SECRET_PLAIN',
            key: leaf.key,
            environment: environment.name,
            message: `secret is set in a plain file (${entry.source.layer}); in the ${environment.tier} tier secrets come from \`envward secrets set\` or the process environment`,
            ...(entry.source.file !== undefined ? { file: entry.source.file } : {}),
            ...(entry.source.line !== undefined ? { line: entry.source.line } : {}),
            source: entry.source.layer,
          });
        }
        const winner = input.winners.get(leaf.key);
        if (value === undefined || value === '' || value === null) {
          issues.push(
            issueAt(input, 'EW_RULE_SECRET_UNSET', leaf.key, `secret must be set in the ${environment.tier} tier`),
          );
        } else if (!winner || winner.source.layer === 'schema-defaults') {
          issues.push(
            issueAt(
              input,
              'EW_RULE_SECRET_DEFAULT',
              leaf.key,
              `secret is left at its schema default in the ${environment.tier} tier`,
            ),
          );
        }
      }
    }
  }
  const required = [
    ...(definition.required?.[environment.tier] ?? []),
    ...(definition.required?.[environment.name] ?? []),
  ];
  for (const key of new Set(required)) {
    const value = readPath(values, key.split('.'));
    if (value === undefined || value === null || value === '') {
      issues.push(
        issueAt(input, 'EW_RULE_REQUIRED', key, `required in ${environment.name} (${environment.tier}) but not set`),
      );
    }
  }
  for (const rule of definition.rules ?? []) {
    if (rule.tiers && !rule.tiers.includes(environment.tier)) continue;
    for (const finding of rule.check(values as never, { environment: environment.name, tier: environment.tier }) ??
      []) {
      issues.push(issueAt(input, 'EW_RULE_CUSTOM', finding.key, `${finding.message} (rule ${rule.name})`));
    }
  }
  return issues;
}
