/**
 * Reading the project's configuration files for an archive, byte for byte,
 * and finding the plain files that set a secret key in clear (those stay
 * out of any archive).
 */

import type { ResolvedConfig } from '../config/resolve.js';
import { readProjectFileBytes } from '../config/text-file.js';
import { FileInputError } from '../errors.js';
import { absolute } from './archive-paths.js';

// ignoreBOM: the text is kept as the file has it, a byte order mark included.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A configuration file's text exactly as on disk, or undefined when it does
 * not exist; over 1 MiB, binary or not UTF-8 is EW_FILE_INPUT, as when it
 * is resolved.
 */
export function readArchivableFile(root: string, path: string): string | undefined {
  const bytes = readProjectFileBytes(absolute(root, path), path);
  if (bytes === undefined) return undefined;
  if (bytes.includes(0)) throw new FileInputError(path, 'is binary (contains NUL bytes)');
  try {
    return decoder.decode(bytes);
  } catch {
    throw new FileInputError(path, 'is not valid UTF-8');
  }
}

/** A file's current bytes as text for comparison, or undefined when it is missing or unreadable. */
export function currentText(root: string, path: string): string | undefined {
  try {
    return readArchivableFile(root, path);
  } catch {
    return undefined;
  }
}

/**
 * The plain files (settings, .env) that give a secret() key a value in
 * clear in `resolved`, each with those keys. Such a value is a plaintext
 * secret, and an archive holds none: the file is left out. Found by
 * provenance (every layer's entry, not only the winner), so a value
 * shadowed by a sealed secret counts too.
 */
export function filesWithPlainSecrets(resolved: ResolvedConfig<unknown>): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const key of resolved.keys) {
    if (!resolved.isSecret(key)) continue;
    const { winner, overridden } = resolved.explain(key);
    for (const entry of winner ? [...overridden, winner] : overridden) {
      const { file, layer } = entry.source;
      if (file === undefined || layer === 'secrets') continue;
      const keys = found.get(file) ?? new Set<string>();
      keys.add(key);
      found.set(file, keys);
    }
  }
  return found;
}
