/**
 * Raw SQL judged by its keywords, once comments and literals are out of
 * the way: SQLite's raw SQL, and PostgreSQL text its parser cannot read.
 */
import type { Verdict } from './classify.js';
import { lexStatements, type SqlToken } from './sql-lexer.js';

/** A raw text that cannot be judged: destructive unless its migration exports `safe`. */
export const UNKNOWN_RAW = 'raw SQL whose effect cannot be known';

/** `create <what>` that only adds (`create unique index` counts as an index). */
const ADDITIVE_CREATE = new Set(['table', 'index', 'unique', 'view', 'schema', 'extension', 'type', 'sequence']);
const ADDITIVE_VERBS = new Set(['insert', 'select']);
const DML_VERBS = new Set(['select', 'insert', 'update', 'delete', 'replace']);
const HIDES_DML = new Set(['delete', 'update', 'drop', 'truncate']);

/** The keyword at `index` (undefined for a quoted identifier or a literal, which is never a keyword). */
function keyword(tokens: readonly SqlToken[], index: number): string | undefined {
  const token = tokens[index];
  return token?.kind === 'word' ? token.text : undefined;
}

/** How the statement reads in a reason: its first words, literals elided. */
export function opening(tokens: readonly SqlToken[], words = 3): string {
  return tokens
    .slice(0, words)
    .map((token) => (token.kind === 'word' ? token.text : token.kind === 'identifier' ? token.text : "'…'"))
    .join(' ');
}

/** One statement's verdict from its tokens. */
function statementVerdict(tokens: readonly SqlToken[]): Verdict {
  const top = tokens.filter((token) => token.depth === 0);
  const has = (word: string, from = 0) => top.slice(from).some((token) => token.kind === 'word' && token.text === word);
  let verbAt = 0;
  // `with x as (…) delete from t`: the statement is what follows the common table expressions.
  if (keyword(top, 0) === 'with') {
    verbAt = top.findIndex((token, index) => index > 0 && token.kind === 'word' && DML_VERBS.has(token.text));
    if (verbAt === -1) return { kind: 'unknown', why: UNKNOWN_RAW };
  }
  const verb = keyword(top, verbAt);
  const destructive = { kind: 'destructive', why: `raw SQL: ${opening(top)}` } as const;
  switch (verb) {
    case 'drop':
    case 'truncate':
      return destructive;
    case 'delete':
    case 'update':
      return has('where', verbAt + 1) ? { kind: 'unknown', why: UNKNOWN_RAW } : destructive;
    case 'alter':
      // alter … drop / rename (any object), alter table … alter column … type
      if (has('drop') || has('rename') || (has('alter', verbAt + 1) && has('type'))) return destructive;
      return { kind: 'unknown', why: UNKNOWN_RAW };
    default:
      break;
  }
  // A data-modifying statement inside parentheses (a common table expression) is never plainly additive.
  if (tokens.some((token) => token.depth > 0 && token.kind === 'word' && HIDES_DML.has(token.text))) {
    return { kind: 'unknown', why: UNKNOWN_RAW };
  }
  if (verb === 'create' && ADDITIVE_CREATE.has(keyword(top, verbAt + 1) ?? '')) return { kind: 'additive' };
  if (verb === 'comment' && keyword(top, verbAt + 1) === 'on') return { kind: 'additive' };
  if (verb !== undefined && ADDITIVE_VERBS.has(verb)) return { kind: 'additive' };
  return { kind: 'unknown', why: UNKNOWN_RAW };
}

/**
 * The verdict on a raw SQL text from keywords: destructive when any of its
 * statements drops, truncates, deletes or updates without `where`, or
 * alters by dropping, renaming or changing a type; additive when every
 * statement plainly adds; unknown otherwise.
 */
export function keywordVerdict(text: string, options: { readonly dollarQuotes?: boolean } = {}): Verdict {
  const verdicts = lexStatements(text, options).map(statementVerdict);
  return (
    verdicts.find((verdict) => verdict.kind === 'destructive') ??
    verdicts.find((verdict) => verdict.kind === 'unknown') ?? { kind: 'additive' }
  );
}
