import type { ConfigLayer, LayerContext, LayerOutput } from '../config/layer.js';
import { LayerCollector } from '../config/layers/text-entry.js';
import type { ResolutionWarning } from '../config/warnings.js';
import { findPrivateKey } from './key-source.js';
import { secretPaths } from './paths.js';
import { SecretFileError, SecretKeyMissingError } from './secret-errors.js';
import { readSecrets } from './secrets-file.js';
import { settleBeforeReading } from './secrets-lock.js';
import { decryptAll, readPublicKey } from './vault.js';

/** The key lookup's warnings (a key file or the keys folder others may read or write), typed. */
function keyWarnings(messages: readonly string[]): ResolutionWarning[] {
  return messages.map((message) => ({ code: 'EW_WARN_KEY_EXPOSED', message }));
}

/**
 * The environment's encrypted secrets, decrypted into the resolution at the
 * `secrets` place of LAYER_ORDER. All values open or none: one that fails
 * throws EW_SECRET_DECRYPT and nothing is resolved. Without the private key
 * a protected environment refuses (EW_SECRET_KEY_MISSING); the others go on
 * with a warning and their secret keys unset.
 */
export const secretsLayer: ConfigLayer = secretsLayerWithKeysAt(undefined);

/**
 * The secrets layer reading the secrets files from the resolved project's
 * root and the private key from `keysRoot`'s `.envward/keys/` (and the
 * variable): how `config restore` resolves a staged copy of the project
 * (another directory) with this host's keys, which are never copied.
 * Undefined: the project's own root.
 */
export function secretsLayerWithKeysAt(keysRoot: string | undefined): ConfigLayer {
  return { name: 'secrets', load: (context) => loadSecrets(context, keysRoot ?? context.projectRoot) };
}

async function loadSecrets(context: LayerContext, keysRoot: string): Promise<LayerOutput> {
  const { projectRoot: root, environment } = context;
  await settleBeforeReading(root, environment.name);
  const document = readSecrets(root, environment.name);
  if (!document || document.secrets.size === 0) return { entries: [], issues: [] };
  const paths = secretPaths(environment.name);
  if (readPublicKey(root, environment.name) !== document.recipient) {
    throw new SecretFileError(paths.secrets, `its values are encrypted to another key than ${paths.publicKey}`);
  }
  const lookup = findPrivateKey(keysRoot, environment, context.variables, document.recipient);
  if (!lookup.found) {
    if (environment.protected) throw new SecretKeyMissingError(environment.name, paths.variable, paths.privateKey);
    return {
      entries: [],
      issues: [],
      warnings: [
        {
          code: 'EW_WARN_SECRETS_LOCKED',
          message: `${environment.name}'s ${document.secrets.size} secret(s) are not decrypted: no private key ($${paths.variable} or ${paths.privateKey}); those keys are unset`,
        },
        ...keyWarnings(lookup.warnings),
      ],
    };
  }
  const values = decryptAll(document, lookup.found);
  const collector = new LayerCollector(environment.name);
  for (const [key, value] of values) {
    const line = document.secrets.get(key)?.line;
    const source = { layer: 'secrets' as const, file: paths.secrets, ...(line !== undefined ? { line } : {}) };
    const leaf = context.schema.leaves.get(key);
    if (leaf) collector.addText(leaf, value, source);
    else collector.unknownKey(key, 'the schema declares no such key', source, context.schema.leaves.keys());
  }
  return { ...collector.output(), warnings: keyWarnings(lookup.warnings) };
}
