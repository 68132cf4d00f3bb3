/**
 * The state a runtime revision holds: the keys runtime revisions set, each
 * as text, coerced to the key's type when resolved (as `--set` values are).
 * Text keeps one form for every kind of value (bigint and JSON included) in
 * the table, the archive and the diff.
 */
export type RevisionState = Readonly<Record<string, string>>;

/** One key a revision changed; `from` or `to` is null where the key was not set by revisions. */
export interface RevisionChange {
  readonly key: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** The changes from `before` to `after`, in key order. */
export function diffStates(before: RevisionState, after: RevisionState): RevisionChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: RevisionChange[] = [];
  for (const key of keys) {
    const from = Object.hasOwn(before, key) ? (before[key] as string) : null;
    const to = Object.hasOwn(after, key) ? (after[key] as string) : null;
    if (from !== to) changes.push({ key, from, to });
  }
  return changes;
}

/** A resolved value as the text a revision stores (the text `--set` would take for it). */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** A state read back from the table or an archive: an object of strings, or the text is corrupt. */
export function parseState(text: string): RevisionState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const state: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') return undefined;
    state[key] = value;
  }
  return Object.freeze(state);
}

/** Canonical text of a state (keys sorted), as stored. */
export function stateText(state: RevisionState): string {
  return JSON.stringify(Object.fromEntries(Object.entries(state).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
