/**
 * The configuration archive: one JSON file, `{ format, version, checksum,
 * body }`, whose checksum is the SHA-256 of the canonical JSON (keys sorted,
 * no spaces) of `{ format, version, body }`. Reading one checks, in order,
 * size, bytes, JSON, format, version, checksum and then every rule of the
 * body, so a restore refuses a damaged archive before it reads a value from
 * it.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_CONFIG_FILE_BYTES } from '../config/text-file.js';
import { ArchiveInvalidError } from './archive-errors.js';
import { environmentFiles, PROJECT_FILES } from './archive-paths.js';
import type { RevisionEntry } from './revision-entry.js';
import type { RevisionState } from './revision-state.js';

export const ARCHIVE_FORMAT = 'envward-config-archive';
/** Bumped when the body changes shape; a reader refuses versions it does not know. */
export const ARCHIVE_VERSION = 1;
/** Larger files are refused before they are read. */
export const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

/** One runtime revision as its row holds it, with its state and changes as data. */
export interface ArchivedRevision extends RevisionEntry {
  readonly state: RevisionState;
}

/** One environment: its files (path -> text) and every revision of its store, oldest first. */
export interface ArchivedEnvironment {
  readonly tier: string;
  readonly files: Readonly<Record<string, string>>;
  readonly revisions: readonly ArchivedRevision[];
}

/** A plain file left out because it sets a secret key in clear; a restore leaves that file as it is. */
export interface OmittedFile {
  readonly file: string;
  readonly keys: readonly string[];
}

export interface ArchiveBody {
  /** The project's name (`project` in envward.config.ts; '' when it declares none). */
  readonly project: string;
  /** The envward version that wrote it. */
  readonly envward: string;
  readonly createdAt: string;
  /** `all`: made with --all (project files restored by --all); `environment`: one environment. */
  readonly scope: 'all' | 'environment';
  /** The project's own files (PROJECT_FILES) that exist. */
  readonly files: Readonly<Record<string, string>>;
  readonly omitted: readonly OmittedFile[];
  readonly environments: Readonly<Record<string, ArchivedEnvironment>>;
}

/** JSON with every object's keys sorted: the text the checksum is taken over. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedDeep(value));
}

function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, child]) => [key, sortedDeep(child)]));
}

/** `sha256:<hex>` of the archive's canonical `{ format, version, body }`. */
export function archiveChecksum(body: ArchiveBody, format = ARCHIVE_FORMAT, version = ARCHIVE_VERSION): string {
  const digest = createHash('sha256').update(canonicalJson({ format, version, body })).digest('hex');
  return `sha256:${digest}`;
}

/** The archive file's text: format and version first (readable with `head`), the body with sorted keys. */
export function archiveText(body: ArchiveBody): string {
  const document = {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    checksum: archiveChecksum(body),
    body: sortedDeep(body),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The file's bytes, its type and size checked on the open descriptor before any byte is read. */
function readBounded(path: string, shown: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ArchiveInvalidError(shown, code === 'ENOENT' ? 'no such file' : `it cannot be read (${code ?? 'error'})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ArchiveInvalidError(shown, 'it is not a regular file');
    if (stats.size > MAX_ARCHIVE_BYTES) {
      throw new ArchiveInvalidError(shown, `it is ${stats.size} bytes; an archive is at most ${MAX_ARCHIVE_BYTES}`);
    }
    // One byte more than the size found: a file that grows while it is read is caught, not cut.
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length !== stats.size) throw new ArchiveInvalidError(shown, 'it changed while it was read');
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Rejects `__proto__` keys while parsing: an archive's names become object keys. */
function noProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new SyntaxError('a "__proto__" key');
  return value;
}

/**
 * Reads, checks and returns an archive's body. Every failure is
 * EW_ARCHIVE_INVALID naming what is wrong; nothing is trusted before the
 * checksum matched.
 */
export function readArchive(path: string, shown: string = path): ArchiveBody {
  const bytes = readBounded(path, shown);
  if (bytes.includes(0)) throw new ArchiveInvalidError(shown, 'it is binary (it contains NUL bytes)');
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new ArchiveInvalidError(shown, 'it is not UTF-8 text');
  }
  let document: unknown;
  try {
    document = JSON.parse(text, noProtoKeys);
  } catch (error) {
    const why = text.trim() === '' ? 'it is empty' : `it is not complete JSON (${(error as Error).message})`;
    throw new ArchiveInvalidError(shown, why);
  }
  if (!isRecord(document) || document.format !== ARCHIVE_FORMAT) {
    throw new ArchiveInvalidError(shown, `it is not an ${ARCHIVE_FORMAT} (no "format": "${ARCHIVE_FORMAT}")`);
  }
  if (document.version !== ARCHIVE_VERSION) {
    throw new ArchiveInvalidError(
      shown,
      `it is format version ${JSON.stringify(document.version)}, and this envward reads version ${ARCHIVE_VERSION}`,
    );
  }
  if (typeof document.checksum !== 'string' || !isRecord(document.body)) {
    throw new ArchiveInvalidError(shown, 'it has no checksum or no body');
  }
  const body = document.body as unknown as ArchiveBody;
  if (archiveChecksum(body) !== document.checksum) {
    throw new ArchiveInvalidError(shown, 'its checksum does not match its body (it was changed or damaged)');
  }
  const problem = bodyProblem(document.body);
  if (problem) throw new ArchiveInvalidError(shown, problem);
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const ACTIONS: ReadonlySet<string> = new Set(['set', 'rollback', 'promote', 'restore']);

/** Why a file map breaks the rules (a path it may not hold, a text too large or binary), or undefined. */
function filesProblem(files: unknown, allowed: readonly string[], where: string): string | undefined {
  if (!isRecord(files)) return `${where}: "files" is not an object`;
  for (const [path, text] of Object.entries(files)) {
    if (!allowed.includes(path)) return `${where}: it may not hold a file ${JSON.stringify(path)}`;
    if (typeof text !== 'string') return `${where}: ${path} is not text`;
    if (text.includes('\0')) return `${where}: ${path} is binary`;
    if (Buffer.byteLength(text) > MAX_CONFIG_FILE_BYTES) return `${where}: ${path} is over the 1 MiB limit`;
  }
  return undefined;
}

const isText = (value: unknown) => typeof value === 'string';
const isTextOrNull = (value: unknown) => value === null || typeof value === 'string';

function revisionProblem(revision: unknown, expected: number, where: string): string | undefined {
  if (!isRecord(revision)) return `${where}: revision ${expected} is not an object`;
  if (revision.number !== expected) return `${where}: revision ${expected} is numbered ${String(revision.number)}`;
  const at = `${where}, revision ${expected}`;
  for (const field of ['at', 'actor', 'host', 'reason'] as const) {
    if (!isText(revision[field])) return `${at}: "${field}" is not text`;
  }
  if (!ACTIONS.has(String(revision.action))) return `${at}: "action" is not one envward writes`;
  if (!isRecord(revision.state) || !Object.values(revision.state).every(isText)) {
    return `${at}: "state" is not an object of texts`;
  }
  const changes = revision.changes;
  const change = (c: unknown) => isRecord(c) && isText(c.key) && isTextOrNull(c.from) && isTextOrNull(c.to);
  if (!Array.isArray(changes) || !changes.every(change)) return `${at}: "changes" is not a list of changes`;
  return undefined;
}

/** The first rule the body breaks, or undefined when it keeps them all. */
function bodyProblem(body: Record<string, unknown>): string | undefined {
  for (const field of ['project', 'envward', 'createdAt'] as const) {
    if (!isText(body[field])) return `"${field}" is not text`;
  }
  if (body.scope !== 'all' && body.scope !== 'environment') return '"scope" is neither "all" nor "environment"';
  const projectProblem = filesProblem(body.files, PROJECT_FILES, 'the project');
  if (projectProblem) return projectProblem;
  if (!isRecord(body.environments)) return '"environments" is not an object';
  const allowed = [...PROJECT_FILES];
  for (const [name, environment] of Object.entries(body.environments)) {
    if (!ENVIRONMENT_NAME.test(name)) return `${JSON.stringify(name)} is not an environment name`;
    const where = `environment ${name}`;
    if (!isRecord(environment) || !isText(environment.tier)) return `${where}: not an object with a tier`;
    const files = environmentFiles(name);
    allowed.push(...files);
    const problem = filesProblem(environment.files, files, where);
    if (problem) return problem;
    if (!Array.isArray(environment.revisions)) return `${where}: "revisions" is not a list`;
    for (const [index, revision] of environment.revisions.entries()) {
      const revisionIssue = revisionProblem(revision, index + 1, where);
      if (revisionIssue) return revisionIssue;
    }
  }
  const omitted = body.omitted;
  const omission = (o: unknown) =>
    isRecord(o) && isText(o.file) && allowed.includes(o.file) && Array.isArray(o.keys) && o.keys.every(isText);
  if (!Array.isArray(omitted) || !omitted.every(omission)) return '"omitted" is not a list of archived files and keys';
  return undefined;
}
