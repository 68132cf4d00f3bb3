import type { Environment } from '../environment/index.js';
import { EnvwardError } from '../errors.js';
import { RevealUnauditedError, SecretKeyMissingError, SecretKeyNameError } from './secret-errors.js';

export interface RevealRequest {
  /** The project's root. */
  readonly root: string;
  readonly environment: Environment;
  readonly key: string;
  /** Process variables (the private key may be one). */
  readonly variables: Readonly<Record<string, string | undefined>>;
  /** Where to resolve the environment's configuration for its store (default: `root`). */
  readonly cwd?: string;
}

export interface Reveal {
  readonly value: string;
  /** Whether the reveal is in the environment's audit log; always true for a protected environment. */
  readonly audited: boolean;
  /** What the user should be told (key lookup notes; an unaudited development reveal). */
  readonly warnings: readonly string[];
}

/**
 * Decrypts one secret and audits the reveal (`secrets.reveal`) in the
 * environment's store. A protected environment's value is returned only
 * when the event is recorded in a database stamped for that environment:
 * a DATABASE_URL pointing elsewhere (unstamped, another environment's, a
 * missing file) refuses the reveal (RevealUnauditedError). Development and
 * test reveal with a warning when their store cannot be used.
 * @example
 * const { value } = await revealSecret({ root, environment, key: 'payments.apiKey', variables: process.env });
 */
export async function revealSecret(request: RevealRequest): Promise<Reveal> {
  const { root, environment, key, variables } = request;
  const [{ secretPaths }, { readSecrets }, { settleBeforeReading }, { findPrivateKey }, { decryptAll }] =
    await Promise.all([
      import('./paths.js'),
      import('./secrets-file.js'),
      import('./secrets-lock.js'),
      import('./key-source.js'),
      import('./vault.js'),
    ]);
  const paths = secretPaths(environment.name);
  await settleBeforeReading(root, environment.name);
  const document = readSecrets(root, environment.name);
  const record = document?.secrets.get(key);
  if (!document || !record) {
    throw new SecretKeyNameError(
      key,
      environment.name,
      `no such secret in ${paths.secrets}`,
      `\`envward secrets list --env ${environment.name}\` shows the stored names.`,
    );
  }
  const lookup = findPrivateKey(root, environment, variables, document.recipient);
  if (!lookup.found) throw new SecretKeyMissingError(environment.name, paths.variable, paths.privateKey);
  const value = decryptAll({ ...document, secrets: new Map([[key, record]]) }, lookup.found).get(key) as string;
  const warnings = [...lookup.warnings];
  try {
    await auditReveal(request);
    return { value, audited: true, warnings };
  } catch (error) {
    const why = error instanceof EnvwardError ? `${error.code}: ${error.message}` : String(error);
    if (environment.protected) throw new RevealUnauditedError(environment.name, key, why);
    warnings.push(`secrets.reveal on ${environment.name} is not audited: its store could not be opened (${why})`);
    return { value, audited: false, warnings };
  }
}

/** Records the reveal in the environment's own store, opened as for any write: its stamp must be the environment's. */
async function auditReveal(request: RevealRequest): Promise<void> {
  const [{ resolveConfig }, { openStore }] = await Promise.all([
    import('../resolution.js'),
    import('../store/index.js'),
  ]);
  const resolved = await resolveConfig<unknown>({
    cwd: request.cwd ?? request.root,
    env: request.environment.name,
    variables: request.variables,
    checkHost: false,
  });
  const store = await openStore(resolved);
  try {
    await store.audit.append({ action: 'secrets.reveal', target: request.key, outcome: 'done' });
  } finally {
    await store.close();
  }
}
