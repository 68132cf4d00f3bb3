/**
 * The smallest SQL lexer that can tell code from comments and literals:
 * raw SQL is cut into statements at `;`, each a list of tokens, with
 * comments dropped and every quoted thing kept as one token that can never
 * be taken for a keyword. It judges nothing; the keyword rules do.
 */

export interface SqlToken {
  /** A bare word (lower-cased), a quoted identifier or a string literal (its content). */
  readonly kind: 'word' | 'identifier' | 'literal';
  readonly text: string;
  /** How many parentheses enclose it. */
  readonly depth: number;
}

export interface LexOptions {
  /** PostgreSQL's `$tag$ … $tag$` strings (in SQLite `$name` is a parameter). */
  readonly dollarQuotes?: boolean;
}

const WORD = /[\p{L}_][\p{L}\p{N}_$]*/uy;
const DOLLAR_TAG = /\$([\p{L}_][\p{L}\p{N}_]*)?\$/uy;
const LINE_END = /[\r\n]/g;
const CLOSERS: Readonly<Record<string, string>> = { "'": "'", '"': '"', '`': '`', '[': ']' };

/** The `$tag$` (or `$$`) that opens a dollar-quoted string at `at`, if one does. */
function dollarTagAt(text: string, at: number): string | undefined {
  DOLLAR_TAG.lastIndex = at;
  return DOLLAR_TAG.test(text) ? text.slice(at, DOLLAR_TAG.lastIndex) : undefined;
}

/** Where a quoted run that opens at `start` with `open` ends (past its closer), quotes doubled inside. */
function quotedEnd(text: string, start: number, open: string): number {
  const close = CLOSERS[open] as string;
  let at = start + 1;
  for (;;) {
    const next = text.indexOf(close, at);
    if (next === -1) return text.length;
    // '' inside '…' (and "" inside "…", `` inside `…`) is the quote itself; ] has no escape.
    if (close !== ']' && text[next + 1] === close) {
      at = next + 2;
      continue;
    }
    return next + 1;
  }
}

/**
 * The statements of `text`, each as its tokens; statements with no token
 * (only comments or whitespace) are left out. An unterminated comment or
 * literal runs to the end of the text, as SQLite reads it.
 */
export function lexStatements(text: string, options: LexOptions = {}): SqlToken[][] {
  const statements: SqlToken[][] = [];
  let tokens: SqlToken[] = [];
  let depth = 0;
  let at = 0;
  const push = (kind: SqlToken['kind'], value: string) => tokens.push({ kind, text: value, depth });
  while (at < text.length) {
    const char = text[at] as string;
    if (char === '-' && text[at + 1] === '-') {
      // PostgreSQL ends a line comment at CR too; ending it there in SQLite only shows more code.
      LINE_END.lastIndex = at;
      at = LINE_END.test(text) ? LINE_END.lastIndex : text.length;
    } else if (char === '/' && text[at + 1] === '*') {
      const end = text.indexOf('*/', at + 2);
      at = end === -1 ? text.length : end + 2;
    } else if (char in CLOSERS) {
      const end = quotedEnd(text, at, char);
      const inner = text.slice(at + 1, end - 1);
      push(char === "'" ? 'literal' : 'identifier', inner);
      at = end;
    } else if (char === ';') {
      if (tokens.length > 0) statements.push(tokens);
      tokens = [];
      depth = 0;
      at++;
    } else if (char === '(') {
      depth++;
      at++;
    } else if (char === ')') {
      depth = Math.max(0, depth - 1);
      at++;
    } else if (char === '$' && options.dollarQuotes && dollarTagAt(text, at)) {
      const tag = dollarTagAt(text, at) as string;
      const start = at + tag.length;
      const end = text.indexOf(tag, start);
      push('literal', text.slice(start, end === -1 ? text.length : end));
      at = end === -1 ? text.length : end + tag.length;
    } else {
      WORD.lastIndex = at;
      if (WORD.test(text)) {
        push('word', text.slice(at, WORD.lastIndex).toLowerCase());
        at = WORD.lastIndex;
      } else {
        at++;
      }
    }
  }
  if (tokens.length > 0) statements.push(tokens);
  return statements;
}
