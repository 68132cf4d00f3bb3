import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledYaml, cacheDirectoryOrNull, writeCacheAtomically } from '../bundled/index.js';
import { loadYamlTree, treeValue, type YamlItem } from '../config/layers/yaml-tree.js';
import { readConfigText } from '../config/text-file.js';
import { writeFileAtomically } from '../project/index.js';
import type { EnvelopeRecord } from './envelope.js';
import { parseSealedValue } from './envelope.js';
import { importPublicKey } from './key-format.js';
import { absolute, secretPaths } from './paths.js';
import { SecretFileError } from './secret-errors.js';

/** One stored secret: its sealed value and when it was set. */
export interface SecretRecord {
  readonly value: string;
  readonly fingerprint: string;
  /** When the current value was set (ISO 8601). */
  readonly updated: string;
  /** When earlier values were set, oldest first: the record of value rotations. */
  readonly history: readonly string[];
  readonly line?: number;
}

export interface RetiredKey {
  readonly publicKey: string;
  readonly retired: string;
}

/** An environment's secrets file, format 1 (docs/secrets.md). */
export interface SecretsDocument {
  readonly environment: string;
  /** The public key every value is encrypted to. */
  readonly recipient: string;
  readonly envelopes: ReadonlyMap<string, EnvelopeRecord>;
  readonly secrets: ReadonlyMap<string, SecretRecord>;
  readonly retired: readonly RetiredKey[];
}

export const SECRETS_FORMAT = 1;

export function emptySecrets(environment: string, recipient: string): SecretsDocument {
  return { environment, recipient, envelopes: new Map(), secrets: new Map(), retired: [] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

const CACHE_FORMAT = '1';
type CachedRecord = [key: string, value: string, fingerprint: string, updated: string, history: string[], line: number];
interface CachedDocument {
  readonly recipient: string;
  readonly envelopes: EnvelopeRecord[];
  readonly secrets: CachedRecord[];
  readonly retired: RetiredKey[];
}

function cacheFileFor(path: string): string | null {
  const dir = cacheDirectoryOrNull();
  return dir && join(dir, `secrets-${createHash('sha256').update(path).digest('hex').slice(0, 24)}.json`);
}

/**
 * Parses secrets-file text; `file` names it in errors. With `cachePath` (the
 * file's absolute path) the parsed document is kept in envward's cache,
 * stamped with the text's hash: it holds ciphertext, fingerprints and dates
 * only, and an unchanged file of 500 secrets then costs one small JSON.parse
 * instead of a YAML parse.
 */
export function parseSecrets(text: string, file: string, environment: string, cachePath?: string): SecretsDocument {
  const cacheFile = cachePath ? cacheFileFor(cachePath) : null;
  const stamp = `${CACHE_FORMAT}:${environment}:${createHash('sha256').update(text).digest('hex')}\n`;
  if (cacheFile) {
    try {
      const stored = readFileSync(cacheFile, 'utf8');
      if (stored.startsWith(stamp)) return fromCache(environment, JSON.parse(stored.slice(stamp.length)));
    } catch {
      // no usable cache: parse
    }
  }
  const document = parseSecretsText(text, file, environment);
  if (cacheFile) writeCacheAtomically(cacheFile, Buffer.from(stamp + JSON.stringify(toCache(document))));
  return document;
}

function toCache(document: SecretsDocument): CachedDocument {
  return {
    recipient: document.recipient,
    envelopes: [...document.envelopes.values()],
    secrets: [...document.secrets].map(([key, r]) => [
      key,
      r.value,
      r.fingerprint,
      r.updated,
      [...r.history],
      r.line ?? 0,
    ]),
    retired: [...document.retired],
  };
}

function fromCache(environment: string, cached: CachedDocument): SecretsDocument {
  return {
    environment,
    recipient: cached.recipient,
    envelopes: new Map(cached.envelopes.map((envelope) => [envelope.id, envelope])),
    secrets: new Map(
      cached.secrets.map(([key, value, fingerprint, updated, history, line]) => [
        key,
        { value, fingerprint, updated, history, ...(line > 0 ? { line } : {}) },
      ]),
    ),
    retired: cached.retired,
  };
}

function parseSecretsText(text: string, file: string, environment: string): SecretsDocument {
  const tree = loadYamlTree(text, file).tree;
  if (tree?.t !== 'map') throw new SecretFileError(file, 'not a secrets file (expected a mapping)');
  const item = (name: string) => tree.items.find((entry) => entry.name === name);
  const top = treeValue(tree) as Record<string, unknown>;
  const fail = (reason: string, at?: YamlItem): never => {
    throw new SecretFileError(file, reason, at?.line);
  };
  if (top.format !== SECRETS_FORMAT) {
    fail(
      `format ${JSON.stringify(top.format)} is not one this envward reads (format ${SECRETS_FORMAT})`,
      item('format'),
    );
  }
  if (top.environment !== environment) {
    fail(`the file belongs to ${JSON.stringify(top.environment)}, not ${environment}`, item('environment'));
  }
  if (typeof top.recipient !== 'string' || !importPublicKey(top.recipient)) {
    fail('recipient is not an envward public key', item('recipient'));
  }
  const envelopes = new Map<string, EnvelopeRecord>();
  const rawEnvelopes = top.envelopes ?? {};
  if (!isRecord(rawEnvelopes)) fail('envelopes must be a mapping of id to public key', item('envelopes'));
  for (const [id, ephemeral] of Object.entries(rawEnvelopes as Record<string, unknown>)) {
    if (typeof ephemeral !== 'string' || !/^[a-z0-9]{1,16}$/.test(id))
      fail(`envelope ${id} is malformed`, item('envelopes'));
    envelopes.set(id, { id, ephemeral: ephemeral as string });
  }
  const secrets = new Map<string, SecretRecord>();
  const secretsItem = item('secrets');
  const secretItems = secretsItem?.node.t === 'map' ? secretsItem.node.items : [];
  if (secretsItem && secretsItem.node.t !== 'map' && treeValue(secretsItem.node) !== null) {
    fail('secrets must be a mapping of key names', secretsItem);
  }
  for (const entry of secretItems) {
    const record = treeValue(entry.node);
    if (
      !isRecord(record) ||
      typeof record.value !== 'string' ||
      !parseSealedValue(record.value) ||
      typeof record.fingerprint !== 'string' ||
      typeof record.updated !== 'string' ||
      !(record.history === undefined || isStringList(record.history))
    ) {
      fail(`the entry for ${entry.name} is malformed (value, fingerprint, updated, history)`, entry);
    }
    const valid = record as { value: string; fingerprint: string; updated: string; history?: string[] };
    secrets.set(entry.name, {
      value: valid.value,
      fingerprint: valid.fingerprint,
      updated: valid.updated,
      history: valid.history ?? [],
      line: entry.line,
    });
  }
  const retired: RetiredKey[] = [];
  const rawRetired = top.retired ?? [];
  if (!Array.isArray(rawRetired)) fail('retired must be a list', item('retired'));
  for (const entry of rawRetired as unknown[]) {
    if (!isRecord(entry) || typeof entry.key !== 'string' || typeof entry.retired !== 'string') {
      fail('a retired key is malformed (key, retired)', item('retired'));
    }
    const valid = entry as { key: string; retired: string };
    retired.push({ publicKey: valid.key, retired: valid.retired });
  }
  return { environment, recipient: top.recipient as string, envelopes, secrets, retired };
}

/** The secrets of `environment`, or undefined when it has no secrets file. */
export function readSecrets(root: string, environment: string): SecretsDocument | undefined {
  const file = secretPaths(environment).secrets;
  const path = absolute(root, file);
  const text = readConfigText(path, file);
  return text === undefined ? undefined : parseSecrets(text, file, environment, path);
}

/**
 * The file's text. Secrets are sorted by name and every unchanged record
 * renders to the same bytes, so a change to one secret is a diff of its
 * lines alone.
 */
export function renderSecrets(document: SecretsDocument): string {
  const { stringify } = bundledYaml();
  const envelopes: Record<string, string> = {};
  for (const id of [...document.envelopes.keys()].sort()) envelopes[id] = document.envelopes.get(id)?.ephemeral ?? '';
  const secrets: Record<string, unknown> = {};
  for (const key of [...document.secrets.keys()].sort()) {
    const record = document.secrets.get(key) as SecretRecord;
    secrets[key] = {
      value: record.value,
      fingerprint: record.fingerprint,
      updated: record.updated,
      ...(record.history.length > 0 ? { history: [...record.history] } : {}),
    };
  }
  const body = {
    format: SECRETS_FORMAT,
    environment: document.environment,
    recipient: document.recipient,
    envelopes,
    secrets,
    ...(document.retired.length > 0
      ? { retired: document.retired.map((entry) => ({ key: entry.publicKey, retired: entry.retired })) }
      : {}),
  };
  const paths = secretPaths(document.environment);
  const header = [
    `# envward secrets of ${document.environment}, format ${SECRETS_FORMAT}: names in clear, each value`,
    `# encrypted on its own to ${paths.publicKey} (X25519, HKDF-SHA256, AES-256-GCM).`,
    '# Written by `envward secrets`; docs/secrets.md describes the format.',
  ];
  return `${header.join('\n')}\n${stringify(body, { lineWidth: 0, minContentWidth: 0 })}`;
}

export function writeSecrets(root: string, document: SecretsDocument, path?: string): Promise<void> {
  return writeFileAtomically(
    path ?? absolute(root, secretPaths(document.environment).secrets),
    renderSecrets(document),
  );
}
