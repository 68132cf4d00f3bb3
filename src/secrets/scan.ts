import { existsSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { bundledDotenv } from '../bundled/index.js';
import type { YamlItem } from '../config/layers/yaml-tree.js';
import { loadYamlTree } from '../config/layers/yaml-tree.js';
import type { Project } from '../config/resolve.js';
import { readConfigText } from '../config/text-file.js';
import { detectEnvironment, type Environment, type Tier } from '../environment/index.js';
import { EnvwardError } from '../errors.js';
import { trackedFiles, trackedFilesContaining } from './git-check.js';
import { PRIVATE_KEY_PATTERN, PRIVATE_KEY_PREFIX } from './key-format.js';
import { findPrivateKey } from './key-source.js';
import { absolute, KEYS_DIR, secretPaths } from './paths.js';
import { readSecrets, type SecretsDocument } from './secrets-file.js';
import { settleBeforeReading } from './secrets-lock.js';
import { secretWeakness } from './strength.js';
import { decryptAll } from './vault.js';

export type ScanCode =
  | 'EW_SCAN_SHARED_VALUE'
  | 'EW_SCAN_PLAIN_SECRET'
  | 'EW_SCAN_KEY_TRACKED'
  | 'EW_SCAN_KEY_ON_LOWER_TIER'
  | 'EW_SCAN_WEAK_VALUE'
  | 'EW_SECRET_DECRYPT'
  | 'EW_SECRET_KEY_WRONG'
  | 'EW_SECRET_FILE';

/** One finding; never carries a secret value. */
export interface ScanFinding {
  readonly code: ScanCode;
  readonly message: string;
  readonly environments?: readonly string[];
  readonly keys?: readonly string[];
  readonly file?: string;
  readonly line?: number;
}

export interface ScanReport {
  readonly findings: readonly ScanFinding[];
  /** Environments with secrets, and how many each holds. */
  readonly secrets: Readonly<Record<string, number>>;
  /** Environments whose values could be decrypted here and so were checked for strength. */
  readonly strengthChecked: readonly string[];
  readonly hostEnvironment: string;
}

const SECRET_NAME = /secret|token|passw(or)?d|pwd|private.?key|api.?key|(^|[_.-])key$|[a-z0-9]Key$|credential/i;
const CREDENTIAL_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
/** A PEM public key or certificate is public by nature, whatever its key is named (auth.jwt.publicKey). */
const PUBLIC_PEM = /^-----BEGIN (?:(?:RSA )?PUBLIC KEY|CERTIFICATE)-----/;

function isPublicPem(value: string): boolean {
  return PUBLIC_PEM.test(value.trim()) && !value.includes('PRIVATE KEY');
}

interface PlainValue {
  readonly key: string;
  readonly value: unknown;
  readonly line: number;
}

function yamlValues(text: string, file: string): PlainValue[] {
  const values: PlainValue[] = [];
  const visit = (items: readonly YamlItem[], prefix: string) => {
    for (const item of items) {
      const key = prefix ? `${prefix}.${item.name}` : item.name;
      if (item.node.t === 'map') visit(item.node.items, key);
      else values.push({ key, value: item.node.value, line: item.line });
    }
  };
  // Not stored in the parse cache: a plain file holding a secret is what we look for.
  const { tree } = loadYamlTree(text, file);
  if (tree?.t === 'map') visit(tree.items, '');
  return values;
}

function dotenvValues(text: string): PlainValue[] {
  const lines = text.split('\n');
  return Object.entries(bundledDotenv().parseDotenv(text)).map(([key, value]) => {
    const index = lines.findIndex((line) =>
      new RegExp(`^\\s*(export\\s+)?${key.replace(/[.]/g, '\\.')}\\s*[=:]`).test(line),
    );
    return { key, value, line: index + 1 };
  });
}

/** Plain configuration files of the project: base, project .env, and each environment's. */
function plainFiles(project: Project): { file: string; kind: 'yaml' | 'dotenv' }[] {
  const files: { file: string; kind: 'yaml' | 'dotenv' }[] = [
    { file: 'config/base.yml', kind: 'yaml' },
    { file: '.env', kind: 'dotenv' },
  ];
  for (const name of project.environments.names) {
    files.push({ file: `config/environments/${name}/settings.yml`, kind: 'yaml' });
    files.push({ file: `config/environments/${name}/.env`, kind: 'dotenv' });
  }
  return files.filter((entry) => existsSync(absolute(project.root, entry.file)));
}

function plainSecretFindings(project: Project): ScanFinding[] {
  const findings: ScanFinding[] = [];
  for (const { file, kind } of plainFiles(project)) {
    const text = readConfigText(absolute(project.root, file), file);
    if (text === undefined) continue;
    for (const entry of kind === 'yaml' ? yamlValues(text, file) : dotenvValues(text)) {
      if (entry.value === null || entry.value === undefined || entry.value === '') continue;
      const leaf = kind === 'yaml' ? project.schema.leaves.get(entry.key) : project.schema.byVariable.get(entry.key);
      const credentialUrl = typeof entry.value === 'string' && CREDENTIAL_URL.test(entry.value);
      let why: string | undefined;
      if (leaf?.secret) why = 'marked secret() in the schema';
      else if (credentialUrl) why = 'a URL with a password in it';
      else if (SECRET_NAME.test(entry.key) && typeof entry.value === 'string' && !isPublicPem(entry.value)) {
        why = 'named like a secret';
      } else if (typeof entry.value === 'string' && entry.value.includes(PRIVATE_KEY_PREFIX))
        why = 'an envward private key';
      if (!why) continue;
      findings.push({
        code: 'EW_SCAN_PLAIN_SECRET',
        message: `${entry.key} in ${file}:${entry.line} is ${why} and sits in a plain file; move it with \`envward secrets set\``,
        keys: [entry.key],
        file,
        line: entry.line,
      });
    }
  }
  return findings;
}

function sharedValueFindings(documents: ReadonlyMap<string, SecretsDocument>): ScanFinding[] {
  const byPrint = new Map<string, { environment: string; key: string }[]>();
  for (const [environment, document] of documents) {
    for (const [key, record] of document.secrets) {
      const list = byPrint.get(record.fingerprint) ?? [];
      list.push({ environment, key });
      byPrint.set(record.fingerprint, list);
    }
  }
  const findings: ScanFinding[] = [];
  for (const uses of byPrint.values()) {
    const environments = [...new Set(uses.map((use) => use.environment))];
    if (environments.length < 2) continue;
    const where = uses.map((use) => `${use.environment}:${use.key}`);
    findings.push({
      code: 'EW_SCAN_SHARED_VALUE',
      message: `one secret value is used in ${environments.length} environments (${where.join(', ')}); give each environment its own`,
      environments,
      keys: [...new Set(uses.map((use) => use.key))],
    });
  }
  return findings;
}

function trackedKeyFindings(root: string): ScanFinding[] {
  const tracked = new Set([...trackedFiles(root, KEYS_DIR), ...trackedFilesContaining(root, PRIVATE_KEY_PATTERN)]);
  return [...tracked].map((file) => ({
    code: 'EW_SCAN_KEY_TRACKED' as const,
    message: `${file} holds a private key and is tracked by git; remove it from git and rotate that key`,
    file,
  }));
}

// A preview runs a pull request's code: below staging, so a staging or production key there is a finding.
const TIER_RANK: ReadonlyMap<string, number> = new Map(
  (['development', 'test', 'preview', 'staging', 'production'] as const satisfies readonly Tier[]).map(
    (tier, index) => [tier, index],
  ),
);

/**
 * Looks for leaks across every environment without needing any private key:
 * values shared between environments (by fingerprint), secrets in plain
 * files, private keys tracked by git, a protected environment's key on a
 * host of a lower tier, and — where a key is here — values too weak for
 * their tier.
 */
export async function scanProject(
  project: Project,
  options: { variables?: Readonly<Record<string, string | undefined>>; hostname?: string } = {},
): Promise<ScanReport> {
  const variables = options.variables ?? process.env;
  const host = detectEnvironment({
    catalogue: project.environments,
    variables,
    projectRoot: project.root,
    hostname: options.hostname ?? osHostname(),
  }).environment;
  const documents = new Map<string, SecretsDocument>();
  const findings: ScanFinding[] = [];
  for (const environment of project.environments.all) {
    await settleBeforeReading(project.root, environment.name);
    try {
      const document = readSecrets(project.root, environment.name);
      if (document) documents.set(environment.name, document);
    } catch (error) {
      findings.push(unreadable(error, environment.name));
    }
  }
  findings.push(
    ...sharedValueFindings(documents),
    ...plainSecretFindings(project),
    ...trackedKeyFindings(project.root),
  );
  const strengthChecked: string[] = [];
  for (const environment of project.environments.all) {
    let lookup: ReturnType<typeof keyHere>;
    try {
      lookup = keyHere(project.root, environment, variables, documents.get(environment.name)?.recipient);
    } catch (error) {
      findings.push(unreadable(error, environment.name));
      continue;
    }
    if (!lookup) continue;
    if ((TIER_RANK.get(environment.tier) ?? 0) > (TIER_RANK.get(host.tier) ?? 0) && environment.protected) {
      findings.push({
        code: 'EW_SCAN_KEY_ON_LOWER_TIER',
        message: `${environment.name}'s private key (${lookup.where}) is on this host, which runs as ${host.name} (${host.tier}); keep ${environment.tier} keys only where ${environment.name} runs`,
        environments: [environment.name],
        ...(lookup.from === 'file' ? { file: lookup.where } : {}),
      });
    }
    const document = documents.get(environment.name);
    if (!document) continue;
    let values: Map<string, string>;
    try {
      values = decryptAll(document, lookup);
    } catch (error) {
      findings.push(unreadable(error, environment.name));
      continue;
    }
    strengthChecked.push(environment.name);
    for (const [key, value] of values) {
      const weakness = secretWeakness(value, environment.tier);
      if (!weakness) continue;
      const line = document.secrets.get(key)?.line;
      findings.push({
        code: 'EW_SCAN_WEAK_VALUE',
        message: `${environment.name}:${key} is too weak: ${weakness}`,
        environments: [environment.name],
        keys: [key],
        file: secretPaths(environment.name).secrets,
        ...(line !== undefined ? { line } : {}),
      });
    }
  }
  const secrets: Record<string, number> = {};
  for (const [name, document] of documents) secrets[name] = document.secrets.size;
  return { findings, secrets, strengthChecked, hostEnvironment: host.name };
}

/** A file or key the scan could not read is itself a finding; the scan goes on with the rest. */
function unreadable(error: unknown, environment: string): ScanFinding {
  if (!(error instanceof EnvwardError) || !/^EW_SECRET_(DECRYPT|KEY_WRONG|FILE)$/.test(error.code)) throw error;
  const { file, line, key } = error.details;
  return {
    code: error.code as ScanCode,
    message: error.message,
    environments: [environment],
    ...(typeof key === 'string' ? { keys: [key] } : {}),
    ...(typeof file === 'string' ? { file } : {}),
    ...(typeof line === 'number' ? { line } : {}),
  };
}

function keyHere(
  root: string,
  environment: Environment,
  variables: Readonly<Record<string, string | undefined>>,
  recipient: string | undefined,
) {
  // A key with loose permissions is itself a finding for the scan to report, not a reason to stop.
  const lenient = { ...environment, protected: false };
  return findPrivateKey(root, lenient, variables, recipient).found;
}
