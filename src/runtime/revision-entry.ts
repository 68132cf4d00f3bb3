import type { RevisionChange } from './revision-state.js';
import type { RevisionAction, RevisionRow } from './revision-table.js';

/** One revision as history shows it (and an archive holds it, with its state). */
export interface RevisionEntry {
  readonly number: number;
  readonly at: string;
  readonly actor: string;
  readonly host: string;
  readonly action: RevisionAction;
  readonly reason: string;
  readonly changes: readonly RevisionChange[];
}

/** The diff a row stores; one envward did not write reads as no changes (history shows it, never throws). */
function parseChanges(text: string): RevisionChange[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as RevisionChange[]) : [];
  } catch {
    return [];
  }
}

/** A stored row as history shows it. */
export function revisionEntry(row: RevisionRow): RevisionEntry {
  return {
    number: row.number,
    at: row.at,
    actor: row.actor,
    host: row.host,
    action: row.action as RevisionAction,
    reason: row.reason,
    changes: parseChanges(row.changes),
  };
}
