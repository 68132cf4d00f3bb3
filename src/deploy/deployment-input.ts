/**
 * What a deployment record may hold, checked before anything is opened: a
 * CI job's arguments are input from outside (a branch name in a version, a
 * pasted log in a reason), so each is bounded and printable.
 */
import { DeployInputError } from './deploy-errors.js';
import { DEPLOY_OUTCOMES, type DeployOutcome } from './deploy-outcomes.js';

/** 1 to 100 printable ASCII characters, no space at either end: `1.4.2`, `v2026.03.01+build.7`, `main-5f3a9c1`. */
const VERSION = /^[\x21-\x7e](?:[\x20-\x7e]{0,98}[\x21-\x7e])?$/;
/** A git object name, abbreviated (7) to SHA-256 (64). */
const COMMIT = /^[0-9a-fA-F]{7,64}$/;
/** Printable, no line breaks or control characters; tabs and non-ASCII letters are fine. */
const REASON = /^[^\p{Cc}\p{Cs}\u2028\u2029]{1,500}$/u;

export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_LIST_LIMIT = 50;

/** The version as recorded; EW_DEPLOY_INPUT when it is not 1..100 printable characters. */
export function checkedVersion(version: unknown): string {
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new DeployInputError(
      'version',
      version,
      'a version is 1 to 100 printable ASCII characters, no space at either end',
      '--version 1.4.2',
    );
  }
  return version;
}

/** The commit in lower case, or null when none; EW_DEPLOY_INPUT when it is not 7 to 64 hex digits. */
export function checkedCommit(commit: unknown): string | null {
  if (commit === undefined) return null;
  if (typeof commit !== 'string' || !COMMIT.test(commit)) {
    throw new DeployInputError(
      'commit',
      commit,
      'a commit is 7 to 64 hexadecimal digits (a git object name)',
      '--commit 5f3a9c1',
    );
  }
  return commit.toLowerCase();
}

export function checkedOutcome(outcome: unknown): DeployOutcome {
  if (typeof outcome !== 'string' || !(DEPLOY_OUTCOMES as readonly string[]).includes(outcome)) {
    throw new DeployInputError(
      'outcome',
      outcome,
      `an outcome is one of ${DEPLOY_OUTCOMES.join(', ')}`,
      '--outcome succeeded',
    );
  }
  return outcome as DeployOutcome;
}

/** The reason trimmed, or undefined when none; EW_DEPLOY_INPUT when over 500 characters or holding control characters. */
export function checkedReason(reason: unknown): string | undefined {
  if (reason === undefined) return undefined;
  const trimmed = typeof reason === 'string' ? reason.trim() : reason;
  if (trimmed === '') return undefined;
  if (typeof trimmed !== 'string' || !REASON.test(trimmed)) {
    throw new DeployInputError(
      'reason',
      reason,
      'a reason is one line of at most 500 characters without control characters',
      '--reason "CHG-1234"',
    );
  }
  return trimmed;
}

export function checkedLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new DeployInputError(
      'limit',
      limit,
      `a limit is a whole number from 1 to ${MAX_LIST_LIMIT}`,
      'deploy list --env production --limit 20',
    );
  }
  return limit;
}
