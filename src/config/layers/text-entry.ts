import type { IssueCode } from '../../error-registry.js';
import type { ConfigIssue } from '../../errors.js';
import { coerceText } from '../coerce.js';
import type { ConfigEntry, LayerOutput, ValueSource } from '../layer.js';
import type { SchemaLeaf } from '../schema-index.js';
import { didYouMean } from '../suggest.js';

/** Unknown keys reported one by one per layer; the rest are counted in one summary issue. */
export const UNKNOWN_KEYS_LISTED = 20;

/** Collects entries and issues for one layer. */
export class LayerCollector {
  readonly entries: ConfigEntry[] = [];
  readonly issues: ConfigIssue[] = [];
  #unknownKeys = 0;
  #unknownSource: ValueSource | undefined;

  constructor(readonly environment: string) {}

  add(key: string, value: unknown, source: ValueSource): void {
    this.entries.push({ key, value, source });
  }

  /** Adds a value given as text, coerced to the leaf's type; a failed coercion becomes an issue. */
  addText(leaf: SchemaLeaf, text: string, source: ValueSource): void {
    const coerced = coerceText(leaf, text);
    if (coerced.ok) {
      this.add(leaf.key, coerced.value, source);
      return;
    }
    this.issue({
      code: 'EW_CONFIG_TYPE',
      key: leaf.key,
      message: `expected ${coerced.expected}`,
      expected: coerced.expected,
      source,
    });
  }

  issue(problem: { code: IssueCode; key: string; message: string; expected?: string; source: ValueSource }): void {
    const { source } = problem;
    // A file of 75,000 typos must not become 75,000 lines of output: list a few, count the rest.
    if (problem.code === 'EW_CONFIG_UNKNOWN_KEY') {
      this.#unknownKeys += 1;
      this.#unknownSource ??= source;
      if (this.#unknownKeys > UNKNOWN_KEYS_LISTED) return;
    }
    this.issues.push({
      code: problem.code,
      key: problem.key,
      environment: this.environment,
      message: problem.message,
      ...(problem.expected !== undefined ? { expected: problem.expected } : {}),
      ...(source.file !== undefined ? { file: source.file } : {}),
      ...(source.line !== undefined ? { line: source.line } : {}),
      ...(source.column !== undefined ? { column: source.column } : {}),
      source: source.variable ? `$${source.variable}` : source.layer,
    });
  }

  /** A key the schema does not declare; the listed ones get the nearest declared key as a suggestion. */
  unknownKey(key: string, message: string, source: ValueSource, declared: Iterable<string>): void {
    const listed = this.#unknownKeys < UNKNOWN_KEYS_LISTED;
    const suggestion = listed ? didYouMean(key, declared) : '';
    this.issue({ code: 'EW_CONFIG_UNKNOWN_KEY', key, message: `${message}${suggestion}`, source });
  }

  output(): LayerOutput {
    const more = this.#unknownKeys - UNKNOWN_KEYS_LISTED;
    if (more <= 0 || !this.#unknownSource) return { entries: this.entries, issues: this.issues };
    const { layer, file } = this.#unknownSource;
    const summary: ConfigIssue = {
      code: 'EW_CONFIG_UNKNOWN_KEY',
      key: '(more)',
      environment: this.environment,
      message: `and ${more} more keys the schema does not declare (${this.#unknownKeys} in all; the first ${UNKNOWN_KEYS_LISTED} are listed)`,
      ...(file !== undefined ? { file } : {}),
      source: layer,
    };
    return { entries: this.entries, issues: [...this.issues, summary] };
  }
}
