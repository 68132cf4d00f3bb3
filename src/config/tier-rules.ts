import type { Environment } from '../environment/index.js';
import type { IssueCode } from '../error-registry.js';
import { type ConfigIssue, describeThrown } from '../errors.js';
import type { ConfigRule, ProjectDefinition } from '../project/definition.js';
import { fragmentsOf } from './compose.js';
import type { ConfigEntry } from './layer.js';
import type { LayerName } from './layer-order.js';
import type { SchemaIndex } from './schema-index.js';
import { issueTarget } from './secret-issues.js';
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

function issueAt(input: RuleInput, code: IssueCode, key: string, message: string): ConfigIssue {
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
  const { environment, schema, values } = input;
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
          // Its capability's rules say where it is needed (auth.jwt.secret: HS algorithms only).
          if (leaf.conditional) continue;
          issues.push(
            issueAt(input, 'EW_RULE_SECRET_UNSET', leaf.key, `secret must be set in the ${environment.tier} tier`),
          );
        } else if (!winner || winner.source.layer === 'schema-defaults' || winner.source.layer === 'tier-defaults') {
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
  // An environment named as its tier (development) is looked up once.
  const names = new Set([environment.tier, environment.name]);
  const required = [...names].flatMap((name) => requiredKeys(input, name, issues));
  for (const key of new Set(required)) {
    const value = readPath(values, key.split('.'));
    if (value === undefined || value === null || value === '') {
      issues.push(
        issueAt(input, 'EW_RULE_REQUIRED', key, `required in ${environment.name} (${environment.tier}) but not set`),
      );
    }
  }
  issues.push(...fragmentRuleIssues(input));
  issues.push(...projectRuleIssues(input));
  return issues;
}

/** The rules of the capabilities the project uses, each over its own settings. */
function fragmentRuleIssues(input: RuleInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const fragment of fragmentsOf(input.definition.use)) {
    if (!fragment.rules) continue;
    for (const finding of fragment.rules(input.values[fragment.key], input.environment)) {
      const key = finding.key === '' ? fragment.key : `${fragment.key}.${finding.key}`;
      issues.push(issueAt(input, finding.code, key, finding.message));
    }
  }
  return issues;
}

/**
 * `required[name]` of envward.config.ts, checked: the project file is not
 * type-checked when it loads, so anything but a list of key names is an
 * issue (EW_PROJECT_RULE), never a crash.
 */
function requiredKeys(input: RuleInput, name: string, issues: ConfigIssue[]): readonly string[] {
  const block: unknown = input.definition.required;
  const list: unknown =
    typeof block === 'object' && block !== null ? (block as Record<string, unknown>)[name] : undefined;
  if (list === undefined) return [];
  if (Array.isArray(list) && list.every((key) => typeof key === 'string' && key !== '')) return list as string[];
  issues.push({
    code: 'EW_PROJECT_RULE',
    key: '',
    environment: input.environment.name,
    message: `\`required.${name}\` of envward.config.ts is not a list of key names; write it as required: { ${name}: ['database.url', ...] }`,
    source: 'required',
  });
  return [];
}

function ruleProblem(input: RuleInput, problem: string): ConfigIssue {
  return {
    code: 'EW_PROJECT_RULE',
    key: '',
    environment: input.environment.name,
    message: `${problem}; fix it in \`rules\` of envward.config.ts (a rule's check returns a list of { key, message }, or nothing)`,
    source: 'rules',
  };
}

function isFinding(value: unknown): value is { key: string; message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { key?: unknown }).key === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/**
 * The project's own rules, each run on its own: a rule that throws, is not a
 * function or returns something other than a list of findings is one
 * EW_PROJECT_RULE issue naming it, and the other rules still run. A finding
 * at or under a secret key is reported at that key with its message withheld.
 */
function projectRuleIssues(input: RuleInput): ConfigIssue[] {
  const { environment } = input;
  const rules: unknown = input.definition.rules ?? [];
  if (!Array.isArray(rules)) return [ruleProblem(input, '`rules` is not a list')];
  const issues: ConfigIssue[] = [];
  rules.forEach((rule: ConfigRule<unknown>, index) => {
    let name = `#${index + 1}`;
    try {
      if (typeof rule?.name === 'string' && rule.name !== '') name = rule.name;
      if (rule.tiers && !rule.tiers.includes(environment.tier)) return;
      if (typeof rule.check !== 'function') {
        issues.push(ruleProblem(input, `project rule "${name}" has no check function`));
        return;
      }
      let findings: unknown;
      try {
        findings = rule.check(input.values, { environment: environment.name, tier: environment.tier });
      } catch (error) {
        issues.push(ruleProblem(input, `project rule "${name}" threw: ${describeThrown(error)}`));
        return;
      }
      if (findings === undefined) return;
      if (!Array.isArray(findings) || !findings.every(isFinding)) {
        const what = Array.isArray(findings) ? 'a list with entries that are not { key, message }' : typeOf(findings);
        issues.push(ruleProblem(input, `project rule "${name}" returned ${what}, not a list of findings`));
        return;
      }
      for (const finding of findings) {
        const target = issueTarget(input.schema, finding.key.split('.'), finding.message);
        issues.push(issueAt(input, 'EW_RULE_CUSTOM', target.key, `${target.message} (rule ${name})`));
      }
    } catch (error) {
      // Reading the rule itself threw (a getter, a Proxy).
      issues.push(ruleProblem(input, `project rule "${name}" cannot be read: ${describeThrown(error)}`));
    }
  });
  return issues;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function') {
    return 'a promise (rules are synchronous)';
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
