import type { IssueCode } from '../error-registry.js';
import { type ConfigIssue, describeThrown } from '../errors.js';
import type { ConfigEntry } from './layer.js';
import type { SchemaIndex } from './schema-index.js';
import { issueTarget } from './secret-issues.js';
import { readPath } from './value-path.js';

/*
 * Validating the merged values against the project's schema, and turning
 * what zod reports (or throws) into issues located at the file, line or
 * variable that set each value.
 */

interface ZodIssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly expected?: string;
}

/**
 * The entry that placed the value at `key`: the key's own, else its leaf's
 * (`http.cors.origins` for `http.cors.origins.0`), else the first of a
 * group's keys (`http.helmet` refused as a whole), so every issue has a place.
 */
function winnerFor(key: string, winners: ReadonlyMap<string, ConfigEntry>): ConfigEntry | undefined {
  const own = winners.get(key);
  if (own) return own;
  const parts = key.split('.');
  for (let length = parts.length - 1; length > 0; length--) {
    const leaf = winners.get(parts.slice(0, length).join('.'));
    if (leaf) return leaf;
  }
  const inside = `${key}.`;
  for (const [candidate, entry] of winners) if (candidate.startsWith(inside)) return entry;
  return undefined;
}

/** An issue at `key`, located where the winning value of that key came from. */
function locatedIssue(
  code: IssueCode,
  key: string,
  environment: string,
  message: string,
  winners: ReadonlyMap<string, ConfigEntry>,
  expected?: string,
): ConfigIssue {
  const source = winnerFor(key, winners)?.source;
  return {
    code,
    key,
    environment,
    message,
    ...(expected !== undefined ? { expected } : {}),
    ...(source?.file !== undefined ? { file: source.file } : {}),
    ...(source?.line !== undefined ? { line: source.line } : {}),
    ...(source?.column !== undefined ? { column: source.column } : {}),
    ...(source ? { source: source.variable ? `$${source.variable}` : source.layer } : {}),
  };
}

/** zod's issues as envward's, each at the key and the place its value came from. */
export function schemaIssues(
  issues: readonly ZodIssueLike[],
  environment: string,
  schema: SchemaIndex,
  winners: ReadonlyMap<string, ConfigEntry>,
): ConfigIssue[] {
  return issues.map((issue) => {
    const { key, message } = issueTarget(schema, issue.path, issue.message);
    return locatedIssue('EW_CONFIG_TYPE', key, environment, message, winners, issue.expected);
  });
}

type SafeParseResult = { success: true; data: unknown } | { success: false; error: { issues: ZodIssueLike[] } };
type Parseable = { safeParse(input: unknown, context?: { jitless?: boolean }): SafeParseResult };

/*
 * jitless for this one parse: zod's JIT compiles a parser per object schema
 * with `new Function`, which pays off after thousands of parses, never for a
 * config parsed once per process. Per call, not z.config(): zod is the
 * application's, and its own schemas keep their JIT.
 */
const ONCE = { jitless: true };

/** safeParse, except that a transform or refine of the project's schema may throw: that is returned, not thrown. */
export function parseSchema(schema: unknown, input: unknown): SafeParseResult | { threw: unknown } {
  try {
    return (schema as Parseable).safeParse(input, ONCE);
  } catch (error) {
    return { threw: error };
  }
}

/** The issue for a schema that threw, at the key whose own schema throws alone when there is one. */
export function schemaThrewIssue(
  schema: SchemaIndex,
  input: Record<string, unknown>,
  environment: string,
  winners: ReadonlyMap<string, ConfigEntry>,
  thrown: unknown,
): ConfigIssue {
  let path: readonly string[] = [];
  for (const leaf of schema.leaves.values()) {
    const parseable = schema.leafSchemas.get(leaf.key) as Parseable | undefined;
    try {
      parseable?.safeParse(readPath(input, leaf.path), ONCE);
    } catch {
      path = leaf.path;
      break;
    }
  }
  const { key, secret } = issueTarget(schema, path, '');
  const what = secret ? '(secret; message withheld)' : describeThrown(thrown);
  const message = `the schema threw instead of reporting an issue: ${what}; a transform or refine must not throw (use ctx.addIssue): fix it in envward.config.ts`;
  return locatedIssue('EW_CONFIG_SCHEMA_THREW', key, environment, message, winners);
}
