import { actTarget, type EnvironmentTarget, openTarget } from '../acts/environment-target.js';
import { type ActTarget, recordAct, unauditedReason } from '../acts/record-act.js';
import { RevealUnauditedError, SecretKeyMissingError, SecretKeyNameError } from './secret-errors.js';

export interface RevealRequest extends EnvironmentTarget {
  readonly key: string;
  /** Why the value is needed (a ticket, an incident): recorded in the audit event, as the CLI's --reason. */
  readonly reason?: string;
}

export interface Reveal {
  readonly environment: string;
  readonly key: string;
  readonly value: string;
  /** Whether the reveal is in the environment's audit log; always true for a protected environment. */
  readonly audited: boolean;
  /** What the user should be told (key lookup notes; an unaudited development reveal). */
  readonly warnings: readonly string[];
}

/**
 * Decrypts one secret and audits the reveal in the environment's store: the
 * event `envward secrets get --reveal` writes (`secrets.reveal`, the key's
 * name, the reason if any; actor and host added by the store), never the
 * value. A protected environment's value is returned only once the event is
 * recorded in a database stamped for that environment: a store that cannot
 * be used (unstamped, another environment's, a missing file, a server not
 * reachable, its peers not installed) refuses the reveal
 * (EW_REVEAL_UNAUDITED) and the value is not returned. Development and test
 * reveal with a warning then.
 * @example
 * const { value } = await revealSecret({ env: 'production', key: 'payments.apiKey', reason: 'INC-1234' });
 */
export async function revealSecret(request: RevealRequest): Promise<Reveal> {
  const opened = await openTarget(request);
  const { project, environment, variables } = opened;
  const { key } = request;
  const root = project.root;
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
  const reason = request.reason?.trim();
  try {
    const target: ActTarget = actTarget(opened);
    await recordAct(
      target,
      { action: 'secrets.reveal', target: key, ...(reason ? { reason } : {}), outcome: 'done' },
      { unstamped: 'refuse' },
    );
    return { environment: environment.name, key, value, audited: true, warnings };
  } catch (error) {
    const why = unauditedReason(error);
    if (environment.protected) throw new RevealUnauditedError(environment.name, key, why);
    warnings.push(`secrets.reveal on ${environment.name} is not audited: its store could not be opened (${why})`);
    return { environment: environment.name, key, value, audited: false, warnings };
  }
}
