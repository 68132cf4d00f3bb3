import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { failpoint } from '../failpoint.js';
import { absolute, STAGED_SUFFIX, secretPaths } from './paths.js';

/** A rotation's commit record: the staged files to move into place. */
export interface Journal {
  readonly environment: string;
  readonly moves: readonly { readonly from: string; readonly to: string }[];
}

/**
 * Moves every staged file of a committed rotation into place and removes
 * the journal. Idempotent and safe while another process does the same:
 * a file already moved is skipped.
 */
export function rollForward(root: string, environment: string, journal?: Journal): void {
  const journalPath = absolute(root, secretPaths(environment).rotationJournal);
  let record = journal;
  if (!record) {
    try {
      record = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
  }
  for (const [index, move] of record.moves.entries()) {
    try {
      renameSync(absolute(root, move.from), absolute(root, move.to));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    failpoint(`rotate-key:moved-${index + 1}`);
  }
  rmSync(journalPath, { force: true });
}

export function journalExists(root: string, environment: string): boolean {
  return existsSync(absolute(root, secretPaths(environment).rotationJournal));
}

function stagedFiles(environment: string): string[] {
  const paths = secretPaths(environment);
  return [paths.secrets, paths.publicKey, paths.privateKey].map((file) => file + STAGED_SUFFIX);
}

export function stagedFilesExist(root: string, environment: string): boolean {
  return stagedFiles(environment).some((file) => existsSync(absolute(root, file)));
}

/**
 * Brings an environment's files to one consistent key pair after any crash:
 * past the commit point the rotation is finished; before it, its staged
 * files are deleted and the old files, never touched, stay in force. Call
 * only while holding the secrets lock: a live rotation's staged files must
 * not be deleted under it.
 */
export function settleRotation(root: string, environment: string): void {
  if (journalExists(root, environment)) {
    rollForward(root, environment);
    return;
  }
  for (const file of stagedFiles(environment)) rmSync(absolute(root, file), { force: true });
}
