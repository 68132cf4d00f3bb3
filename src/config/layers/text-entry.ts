import type { ConfigIssue } from '../../errors.js';
import { coerceText } from '../coerce.js';
import type { ConfigEntry, LayerOutput, ValueSource } from '../layer.js';
import type { SchemaLeaf } from '../schema-index.js';

/** Collects entries and issues for one layer. */
export class LayerCollector {
  readonly entries: ConfigEntry[] = [];
  readonly issues: ConfigIssue[] = [];

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

  issue(problem: { code: string; key: string; message: string; expected?: string; source: ValueSource }): void {
    const { source } = problem;
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

  output(): LayerOutput {
    return { entries: this.entries, issues: this.issues };
  }
}
