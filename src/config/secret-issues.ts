import type { ConfigIssue } from '../errors.js';
import type { ConfigEntry } from './layer.js';
import { secretTexts, urlPasswords } from './mask.js';
import type { SchemaIndex } from './schema-index.js';
import type { Scrubber } from './scrubber.js';
import { readPath } from './value-path.js';

/**
 * The message of a schema or project-rule issue at a secret key. Their own
 * messages are written by the project and may quote the value (a refine()
 * message built from its input), so none is shown.
 */
export const WITHHELD_MESSAGE = 'invalid value (secret; message withheld)';

/**
 * The secret key (or secret() group) at or above `path`, if any:
 * `['vault', 'headers', 'X-Key']` is `vault.headers` when that record is
 * secret(), since its keys are secret too and must not become an issue's path.
 */
export function secretKeyAt(schema: SchemaIndex, path: readonly PropertyKey[]): string | undefined {
  let key = '';
  let group: string | undefined;
  for (const part of path) {
    key = key === '' ? String(part) : `${key}.${String(part)}`;
    if (schema.leaves.get(key)?.secret) return key;
    // Inside a secret group, its declared keys may be named; anything else stops at the group.
    if (schema.secretGroups.has(key)) group = key;
    else if (group !== undefined && !schema.groups.has(key)) return group;
  }
  return group;
}

/**
 * Where an issue written by the project (schema or rule) is reported: its
 * own key and message, or for anything at or under a secret key that key
 * and WITHHELD_MESSAGE.
 */
export function issueTarget(
  schema: SchemaIndex,
  path: readonly PropertyKey[],
  message: string,
): { readonly key: string; readonly message: string; readonly secret: boolean } {
  const secretKey = secretKeyAt(schema, path);
  if (secretKey !== undefined) return { key: secretKey, message: WITHHELD_MESSAGE, secret: true };
  return { key: path.map(String).join('.'), message, secret: false };
}

/**
 * Every text a secret may be found as in this run: the values of secret keys
 * (resolved and as every layer gave them, with a record's keys) and the
 * password of every URL in any value. The second line of defence after
 * masking by key: scrubbing by value.
 */
export function knownSecretTexts(
  schema: SchemaIndex,
  values: unknown,
  history: ReadonlyMap<string, readonly ConfigEntry[]>,
): string[] {
  const texts = new Set<string>();
  const add = (list: readonly string[]) => {
    for (const text of list) texts.add(text);
  };
  for (const leaf of schema.leaves.values()) {
    const candidates = [readPath(values, leaf.path), ...(history.get(leaf.key) ?? []).map((entry) => entry.value)];
    for (const candidate of candidates) {
      if (leaf.secret) add(secretTexts(candidate));
      add(urlPasswords(candidate));
    }
  }
  return [...texts];
}

/** The issue with every known secret value scrubbed from its text. */
export function scrubIssue(issue: ConfigIssue, scrub: Scrubber): ConfigIssue {
  const key = scrub(issue.key);
  const message = scrub(issue.message);
  const expected = issue.expected === undefined ? undefined : scrub(issue.expected);
  if (key === issue.key && message === issue.message && expected === issue.expected) return issue;
  return { ...issue, key, message, ...(expected !== undefined ? { expected } : {}) };
}
