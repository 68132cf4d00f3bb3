import { join } from 'node:path';
import { openProject, type Project } from '../config/resolve.js';
import { readConfigText } from '../config/text-file.js';
import { secretPaths } from '../secrets/paths.js';
import { assertNewName, templateOf, unsetSecrets } from './create-environment.js';
import { removeEnvironmentFiles, writeEnvironmentDirectory } from './environment-directory.js';
import { EnvExistsError, PreviewInputError } from './lifecycle-errors.js';
import { dropPreviewNamespace, namespaceExists, previewDatabase } from './preview-database.js';
import { settingsWithoutStoreLocation } from './template-settings.js';

export interface PreviewUpRequest {
  readonly cwd?: string;
  /** The preview's name: `pr-123`. */
  readonly name: string;
  /** The environment whose settings and seeds it starts from (default staging). */
  readonly from?: string;
  /** How long it lives: `72h`, `30m`, `7d`, `1s` (at most 90 days). */
  readonly ttl: string;
  /** Who asked for it (default the actor). */
  readonly owner?: string;
  /** A postgres:// database to make the preview's schema in; default a SQLite file of its own. */
  readonly database?: string;
  /** Who acts, in the audit log; default the OS user. */
  readonly actor?: string;
  readonly variables?: Readonly<Record<string, string | undefined>>;
  readonly now?: Date;
}

export interface PreviewUp {
  /** The environment name to deploy with (`ENVWARD_ENV=pr-123`). */
  readonly name: string;
  readonly from: string;
  readonly code: string;
  readonly owner: string;
  readonly expiresAt: string;
  /** Where its database is (never a password). */
  readonly database: string;
  readonly migrations: readonly string[];
  readonly seeds: readonly string[];
  readonly files: readonly string[];
  /** Secrets its rules ask for, to set with `envward secrets set <key> --env <name>` (none are copied). */
  readonly secretsToSet: readonly string[];
}

const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_TTL_MS = 90 * 86_400_000;

/** `72h` in milliseconds; whole numbers of s, m, h or d only, at most 90 days. */
export function ttlMilliseconds(ttl: string): number {
  const match = /^([1-9][0-9]{0,6})([smhd])$/.exec(ttl.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] as string] as number) : Number.NaN;
  if (!(ms > 0 && ms <= MAX_TTL_MS)) {
    throw new PreviewInputError(
      `--ttl "${ttl.slice(0, 20)}" is not a time to live of at most 90 days.`,
      'Give a whole number and a unit: 30m, 72h, 7d (s, m, h or d).',
    );
  }
  return ms;
}

/** A free code for the banner: the name's letters and digits, else P and its last three, else P and a count. */
function previewCode(project: Project, name: string): string {
  const taken = new Set(project.environments.all.map((environment) => environment.code));
  const letters = name.replace(/[^a-z0-9]/g, '').toUpperCase();
  const counted = Array.from({ length: 1_296 }, (_, index) => `P${index.toString(36).toUpperCase().padStart(2, '0')}`);
  const code = [letters.slice(0, 4), `P${letters.slice(-3)}`, ...counted].find(
    (candidate) => /^[A-Z0-9]{2,4}$/.test(candidate) && !taken.has(candidate),
  );
  if (code === undefined) throw new EnvExistsError(name, 'every preview code is taken');
  return code;
}

function owner(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > 100 || /\p{Cc}/u.test(trimmed)) {
    throw new PreviewInputError('--owner must be one line of 1-100 characters.', 'Example: --owner "ci:pr-123 (ada)"');
  }
  return trimmed;
}

/**
 * Makes a preview environment: its declaration (tier preview, owner,
 * expiry, what it made) and settings in config/environments/<name>/, a key
 * pair, and its database (a schema or a SQLite file that did not exist),
 * stamped, migrated and seeded as its template is; audited in its own log
 * as `preview.up`. A failure on the way removes what was made.
 * @example const { name } = await previewUp({ name: 'pr-123', from: 'staging', ttl: '72h' });
 */
export async function previewUpNow(request: PreviewUpRequest): Promise<PreviewUp> {
  const ttlMs = ttlMilliseconds(request.ttl);
  const project = await openProject(request.cwd);
  const { name } = request;
  assertNewName(project, name, 'preview', 'preview up');
  const template = templateOf(project, request.from ?? 'staging');
  const database = previewDatabase(
    name,
    request.database ?? (request.variables ?? process.env).ENVWARD_PREVIEW_DATABASE,
  );
  const { userInfo } = await import('node:os');
  const actor = request.actor ?? userInfo().username;
  const now = request.now ?? new Date();
  const record = {
    owner: owner(request.owner ?? actor),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    database: database.made,
  };
  if (await namespaceExists(project.root, database)) {
    throw new EnvExistsError(
      name,
      database.made.kind === 'postgres-schema'
        ? `schema ${database.made.schema} exists in that database`
        : `${database.made.file} exists`,
    );
  }
  const templateSettings = `config/environments/${template.name}/settings.yml`;
  const source = readConfigText(join(project.root, templateSettings), templateSettings) ?? '{}\n';
  const settings = settingsWithoutStoreLocation(source, templateSettings).text({
    'database.url': database.url,
    ...(database.schema ? { 'database.schema': database.schema } : {}),
  });
  const code = previewCode(project, name);
  const header = `Made by \`envward preview up\` from ${template.name} on ${record.createdAt}; \`envward preview down ${name}\` removes it.`;
  const files = writeEnvironmentDirectory(
    project.root,
    name,
    { tier: 'preview', code, from: template.name, preview: record },
    header,
    settings,
  );
  try {
    const { makeKeyPair } = await import('../secrets/vault.js');
    const keys = await makeKeyPair(project.root, name);
    const provisioned = await provision(request, name, actor, record.expiresAt);
    return {
      name,
      from: template.name,
      code,
      owner: record.owner,
      expiresAt: record.expiresAt,
      database: provisioned.shown,
      migrations: provisioned.migrations,
      seeds: provisioned.seeds,
      files: [...files, ...keys.files],
      secretsToSet: await unsetSecrets(project.root, name),
    };
  } catch (error) {
    // Undo in the reverse order: the namespace (it did not exist before), then the files.
    await dropPreviewNamespace(project.root, name, database.url, database.made).catch(() => undefined);
    removeEnvironmentFiles(project.root, name, secretPaths(name).privateKey);
    throw error;
  }
}

/** Opens the new preview's store (stamping it), migrates, seeds and audits; returns what ran. */
async function provision(request: PreviewUpRequest, name: string, actor: string, expiresAt: string) {
  const { resolveForAct } = await import('../runtime/revision-context.js');
  const { openStore } = await import('../store/index.js');
  const { migrateUp, runSeeds } = await import('../migrate/index.js');
  const { resolved } = await resolveForAct(
    {
      ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
      ...(request.variables !== undefined ? { variables: request.variables } : {}),
      env: name,
    },
    { collectIssues: true },
  );
  const store = await openStore(resolved, { actor });
  try {
    const up = await migrateUp(store, { reason: `preview up ${name}` });
    const seeds = await runSeeds(store);
    await store.audit.append({
      action: 'preview.up',
      target: `${name} from ${resolved.environment.preview?.from ?? '?'} until ${expiresAt}`,
      outcome: 'done',
    });
    return { shown: store.where, migrations: up.applied, seeds: seeds.ran };
  } finally {
    await store.close();
  }
}
