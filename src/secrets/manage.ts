import { actTarget, type EnvironmentTarget, type OpenedTarget, openTarget } from '../acts/environment-target.js';
import { recordAct, unauditedReason } from '../acts/record-act.js';
import type { Project } from '../config/index.js';
import { assertNoApprovalNeeded } from '../environment/approval-policy.js';
import type { Environment } from '../environment/index.js';
import { UsageError } from '../errors.js';
import { secretPaths } from './paths.js';
import { type RotationResult, rotateKeyPair } from './rotation.js';
import { SecretKeyNameError, SecretNoPublicKeyError } from './secret-errors.js';
import { readSecrets } from './secrets-file.js';
import { settleBeforeReading } from './secrets-lock.js';
import { deleteStoredSecret, type KeygenResult, makeKeyPair, readPublicKey, storeSecrets } from './vault.js';

/*
 * What `envward secrets ...` does, as library calls: each refuses and audits
 * as the command does, and the CLI only parses and prints. Reveal is
 * reveal.ts's.
 */

export interface StoredSecret {
  readonly key: string;
  /** When the current value was set (ISO-8601). */
  readonly updated: string;
  /** How many values it had before this one. */
  readonly changes: number;
  /** When each earlier value was set, oldest first. */
  readonly history: readonly string[];
}

export interface SecretListing {
  readonly environment: string;
  /** The committed public key; null before keygen. */
  readonly publicKey: string | null;
  readonly secrets: readonly StoredSecret[];
  /** Keys the schema marks secret() that have no stored value. */
  readonly missing: readonly string[];
  readonly retiredKeys: readonly { readonly publicKey: string; readonly retired: string }[];
}

/** The secret names of an environment and when each was set; never values, no private key needed. */
export async function listSecrets(target: EnvironmentTarget = {}): Promise<SecretListing> {
  const { project, environment } = await openTarget(target);
  await settleBeforeReading(project.root, environment.name);
  const document = readSecrets(project.root, environment.name);
  const secrets = [...(document?.secrets ?? new Map())].map(([key, record]) => ({
    key,
    updated: record.updated,
    changes: record.history.length,
    history: record.history,
  }));
  const stored = new Set(secrets.map((row) => row.key));
  const missing = [...project.schema.leaves.values()]
    .filter((leaf) => leaf.secret && !stored.has(leaf.key))
    .map((leaf) => leaf.key);
  return {
    environment: environment.name,
    publicKey: readPublicKey(project.root, environment.name) ?? null,
    secrets,
    missing,
    retiredKeys: document?.retired ?? [],
  };
}

/** Only a key the schema marks secret() is stored: envward would not mask any other. */
export function assertSecretKey(project: Project, environment: Environment, key: string): void {
  const leaf = project.schema.leaves.get(key);
  if (!leaf) {
    throw new SecretKeyNameError(
      key,
      environment.name,
      'the schema declares no such key',
      '`envward config show` lists the keys; declare it with secret(...) in envward.config.ts.',
    );
  }
  if (!leaf.secret) {
    throw new SecretKeyNameError(
      key,
      environment.name,
      'the key is not marked secret() in the schema, so envward would not mask it',
      `Wrap its schema with secret(...) in envward.config.ts, e.g. ${key.split('.').pop()}: secret(z.string()).`,
    );
  }
}

export interface SetSecretsRequest extends EnvironmentTarget {
  /** Key -> value; every key must be one the schema marks secret(). */
  readonly values: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  readonly now?: Date;
}

export interface SetSecretsResult {
  readonly environment: string;
  /** Keys whose value was written. */
  readonly changed: readonly string[];
  /** Keys that already had this value: not written. */
  readonly unchanged: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Encrypts and stores several secrets at once (one lock, one write), with
 * setSecret's checks for each key before anything is written.
 */
export async function setSecrets(request: SetSecretsRequest): Promise<SetSecretsResult> {
  const opened = await openTarget(request);
  const values = request.values instanceof Map ? request.values : new Map(Object.entries(request.values));
  return storeChecked(opened, values, request.now);
}

async function storeChecked(
  { project, environment, variables }: OpenedTarget,
  values: ReadonlyMap<string, string> | (() => Promise<ReadonlyMap<string, string>>),
  now: Date | undefined,
): Promise<SetSecretsResult> {
  const keys = values instanceof Map ? [...values.keys()] : [];
  for (const key of keys) assertSecretKey(project, environment, key);
  // Before a value is asked for: in such an environment the CLI proposes a change request instead.
  assertNoApprovalNeeded(environment, 'secrets', 'secrets set');
  if (!readPublicKey(project.root, environment.name)) {
    throw new SecretNoPublicKeyError(environment.name, secretPaths(environment.name).publicKey);
  }
  const result = await storeSecrets(project.root, environment, typeof values === 'function' ? await values() : values, {
    variables,
    ...(now ? { now } : {}),
  });
  return { environment: environment.name, ...result };
}

export interface SetSecretRequest extends EnvironmentTarget {
  readonly key: string;
  /** The value, or how to read it once the key and the key pair are checked (the CLI's prompt). */
  readonly value: string | ((environment: string) => Promise<string>);
  readonly now?: Date;
}

export interface SetSecretResult {
  readonly environment: string;
  readonly key: string;
  /** False when the stored value was already this one: nothing was written. */
  readonly changed: boolean;
  readonly warnings: readonly string[];
}

/**
 * Encrypts and stores the value of one secret() key. Refuses a key the
 * schema does not mark secret() (EW_SECRET_NAME), an environment without a
 * key pair (EW_SECRET_NO_KEY_PAIR) and, in a protected tier, a weak value
 * (EW_SECRET_WEAK). Needs only the public key.
 */
export async function setSecret(request: SetSecretRequest): Promise<SetSecretResult> {
  const opened = await openTarget(request);
  const { key, value } = request;
  // The key is checked before the value is asked for.
  assertSecretKey(opened.project, opened.environment, key);
  const values =
    typeof value === 'string'
      ? new Map([[key, value]])
      : async () => new Map([[key, await value(opened.environment.name)]]);
  const result = await storeChecked(opened, values, request.now);
  return { environment: result.environment, key, changed: result.changed.length > 0, warnings: result.warnings };
}

export interface RemoveSecretRequest extends EnvironmentTarget {
  readonly key: string;
}

/** Removes one stored secret; one that is not stored is EW_SECRET_NAME. */
export async function removeSecret(request: RemoveSecretRequest): Promise<{ environment: string; key: string }> {
  const { project, environment } = await openTarget(request);
  const { key } = request;
  if (!(await deleteStoredSecret(project.root, environment.name, key))) {
    throw new SecretKeyNameError(
      key,
      environment.name,
      `no such secret in ${secretPaths(environment.name).secrets}`,
      `\`envward secrets list --env ${environment.name}\` shows the stored names.`,
    );
  }
  return { environment: environment.name, key };
}

export interface KeygenRequest extends EnvironmentTarget {
  /** Return the private key (to put in a secret store) instead of writing the key file. */
  readonly print?: boolean;
}

/** Makes the environment's key pair: the public key to commit, the private key in .envward/keys/ (or returned). */
export async function keygen(request: KeygenRequest = {}): Promise<KeygenResult & { environment: string }> {
  const { project, environment } = await openTarget(request);
  const result = await makeKeyPair(project.root, environment.name, { print: request.print === true });
  return { environment: environment.name, ...result };
}

export interface RotateKeyRequest extends EnvironmentTarget {
  /**
   * Return the new private key (needed when the old one comes from the
   * variable: the new one cannot be written in its place).
   */
  readonly print?: boolean;
  /** Receives the new private key before the commit point, to show it (the key is from the variable). */
  readonly beforeCommit?: (privateKey: string, environment: string) => void;
  readonly now?: Date;
  /** Who acts, in the audit event; default the OS user. */
  readonly actor?: string;
  /** Why, recorded in the audit event. */
  readonly reason?: string;
}

export interface RotateKeyResult extends RotationResult {
  readonly environment: string;
  /** Whether `secrets.rotate-key` is in the environment's audit log. */
  readonly audited: boolean;
}

/**
 * Replaces the environment's key pair and re-encrypts every secret, all or
 * nothing, then audits it (`secrets.rotate-key`, `<retired> -> <new>`) in
 * the environment's store, found with the new key. The rotation is done by
 * then: a store that cannot be used leaves it unaudited, with a warning.
 */
export async function rotateKey(request: RotateKeyRequest = {}): Promise<RotateKeyResult> {
  const opened = await openTarget(request);
  const { project, environment, variables } = opened;
  const paths = secretPaths(environment.name);
  if ((variables[paths.variable] ?? '').trim() !== '' && !request.print) {
    throw new UsageError(
      `${environment.name}'s key comes from $${paths.variable}, so the new key cannot be written in its place.`,
      `Run with --print (\`print: true\` in the library): the new key is printed and left in ${paths.newPrivateKey} (mode 0600) for your secret store; replace $${paths.variable} with it, then delete the file.`,
    );
  }
  const result = await rotateKeyPair(project.root, environment, {
    variables,
    ...(request.now ? { now: request.now } : {}),
    ...(request.beforeCommit ? { beforeCommit: (key: string) => request.beforeCommit?.(key, environment.name) } : {}),
  });
  // The old key in the variable no longer opens the secrets: the store is found with the new one.
  const target = { ...actTarget(opened), ...(request.actor !== undefined ? { actor: request.actor } : {}) };
  const withNewKey = result.privateKey
    ? { ...target, variables: { ...variables, [paths.variable]: result.privateKey } }
    : target;
  const reason = request.reason?.trim();
  const event = {
    action: 'secrets.rotate-key',
    target: `${result.retired} -> ${result.publicKey}`,
    ...(reason ? { reason } : {}),
    outcome: 'done',
  };
  try {
    await recordAct(withNewKey, event, { unstamped: 'record' });
    return { environment: environment.name, ...result, audited: true };
  } catch (error) {
    const warning = `secrets.rotate-key on ${environment.name} is not audited: its store could not be opened (${unauditedReason(error)})`;
    return { environment: environment.name, ...result, warnings: [...result.warnings, warning], audited: false };
  }
}
