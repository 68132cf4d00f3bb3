import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { z } from 'zod';
import { failpoint } from '../failpoint.js';
import { absolute, STAGED_SUFFIX, secretPaths } from './paths.js';
import { SecretJournalError } from './secret-errors.js';

/** A rotation's commit record: the staged files to move into place. */
export interface Journal {
  readonly environment: string;
  readonly moves: readonly { readonly from: string; readonly to: string }[];
}

/**
 * The files a rotation of `environment` may replace, in the order it moves
 * them: the new private key for the secret store first (when the old key came
 * from the variable), then the secrets, the public key and the key file.
 */
export function rotatedFiles(environment: string): readonly string[] {
  const paths = secretPaths(environment);
  return [paths.newPrivateKey, paths.secrets, paths.publicKey, paths.privateKey];
}

/** Four moves of short paths take a few hundred bytes. */
const MAX_JOURNAL_BYTES = 64 * 1024;

function stagedFiles(environment: string): string[] {
  return rotatedFiles(environment).map((file) => file + STAGED_SUFFIX);
}

/**
 * Checks a journal against the only moves a rotation of `environment` makes:
 * each of its staged files onto its own path, once. Anything else (another
 * environment, `..`, an absolute path, an extra field) is planted or damaged,
 * and is refused before anything is renamed.
 */
export function checkJournal(environment: string, data: unknown): Journal {
  const targets = rotatedFiles(environment) as [string, ...string[]];
  const move = z
    .object({ from: z.enum(stagedFiles(environment) as [string, ...string[]]), to: z.enum(targets) })
    .strict()
    .refine((entry) => entry.from === entry.to + STAGED_SUFFIX, {
      message: 'a staged file moves onto its own path only',
    });
  const schema = z
    .object({
      environment: z.literal(environment),
      moves: z
        .array(move)
        .min(1)
        .max(targets.length)
        .refine((moves) => new Set(moves.map((entry) => entry.to)).size === moves.length, {
          message: 'a file is moved twice',
        }),
    })
    .strict();
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new SecretJournalError(environment, secretPaths(environment).rotationJournal, `${where}${issue?.message}`);
}

/** The journal on disk, checked; undefined when there is none. */
function readJournal(root: string, environment: string): Journal | undefined {
  const file = secretPaths(environment).rotationJournal;
  const path = absolute(root, file);
  // Type and size before reading: a planted FIFO or link to /dev/zero would never end.
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return undefined;
  if (!stats.isFile()) throw new SecretJournalError(environment, file, 'it is not a regular file');
  if (stats.size > MAX_JOURNAL_BYTES) {
    throw new SecretJournalError(
      environment,
      file,
      `it is ${stats.size} bytes; a journal is under ${MAX_JOURNAL_BYTES}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new SecretJournalError(environment, file, 'it is not valid JSON');
  }
  return checkJournal(environment, data);
}

/**
 * Moves every staged file of a committed rotation into place and removes
 * the journal. Idempotent and safe while another process does the same:
 * a file already moved is skipped. A journal read from disk is checked
 * first (checkJournal): an invalid one renames nothing.
 */
export function rollForward(root: string, environment: string, journal?: Journal): void {
  const journalPath = absolute(root, secretPaths(environment).rotationJournal);
  const record = journal ?? readJournal(root, environment);
  if (!record) return;
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
