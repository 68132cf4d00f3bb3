/**
 * Canaries: unique random values planted as secrets, so a test can prove a
 * secret never leaves where it should not (CLI output, logs, HTTP responses,
 * the web console, caches on disk). `assertNoCanary` looks for each canary
 * as it is and in the encodings a leak usually takes (base64 and base64url at
 * every byte alignment, hex, JSON string escaping, URL encoding), so a value
 * that leaks through an encoder is caught too.
 *
 * A canary passes the production strength rule of `envward secrets set`
 * (at least 20 characters, many distinct ones, no common word).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

const labels = new Map<string, string>();

function cleanLabel(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 24);
  return clean === '' ? 'x' : clean;
}

/**
 * A fresh canary: `canary-<label>-<24 random base64url characters>`. The
 * label (letters and digits only) says which secret it stands for in failure
 * messages.
 */
export function makeCanary(label = 'secret'): string {
  const clean = cleanLabel(label);
  for (;;) {
    const random = randomBytes(18).toString('base64url');
    // Enough distinct characters for any tier's strength rule (18 random bytes nearly always have them).
    if (new Set(random).size < 14) continue;
    const canary = `canary-${clean}-${random}`;
    labels.set(canary, clean);
    return canary;
  }
}

/** `n` distinct canaries labelled `<label>1` ... `<label>n`. */
export function makeCanaries(n: number, label = 'secret'): string[] {
  return Array.from({ length: n }, (_, index) => makeCanary(`${label}${index + 1}`));
}

/** The label a canary was made with. */
export function canaryLabel(canary: string): string {
  return labels.get(canary) ?? /^canary-([a-z0-9]+)-/.exec(canary)?.[1] ?? '(not a canary of makeCanary)';
}

/** Base64 fragments of `bytes` that appear in the base64 of any text holding them, whatever its alignment. */
function base64Fragments(bytes: Buffer, encoding: 'base64' | 'base64url'): string[] {
  const fragments: string[] = [];
  for (let skip = 0; skip < 3; skip++) {
    const rest = bytes.subarray(skip);
    const whole = rest.subarray(0, rest.length - (rest.length % 3));
    fragments.push(whole.toString(encoding));
  }
  return fragments;
}

/** Every form of `canary` to look for, with the name of the encoding. */
export function canaryForms(canary: string): { encoding: string; text: string }[] {
  const bytes = Buffer.from(canary, 'utf8');
  const forms = [
    { encoding: 'plain', text: canary },
    { encoding: 'JSON-escaped', text: JSON.stringify(canary).slice(1, -1) },
    { encoding: 'URL-encoded', text: encodeURIComponent(canary) },
    { encoding: 'form-encoded', text: new URLSearchParams({ v: canary }).toString().slice(2) },
    { encoding: 'hex', text: bytes.toString('hex') },
    { encoding: 'HEX', text: bytes.toString('hex').toUpperCase() },
    ...base64Fragments(bytes, 'base64').map((text) => ({ encoding: 'base64', text })),
    ...base64Fragments(bytes, 'base64url').map((text) => ({ encoding: 'base64url', text })),
  ];
  const seen = new Set<string>();
  const unique: { encoding: string; text: string }[] = [];
  for (const form of forms) {
    if (form.text.length < 8 || seen.has(form.text)) continue;
    seen.add(form.text);
    unique.push(form);
  }
  return unique;
}

/** The first canary (and encoding) found in `text`, or undefined. */
export function findCanary(
  text: string,
  canaries: Iterable<string>,
): { canary: string; encoding: string; index: number } | undefined {
  for (const canary of canaries) {
    for (const form of canaryForms(canary)) {
      const index = text.indexOf(form.text);
      if (index >= 0) return { canary, encoding: form.encoding, index };
    }
  }
  return undefined;
}

/** Fails naming `where` and the canary's label when any canary, in any encoding, is in `text`. */
export function assertNoCanary(text: string, canaries: Iterable<string>, where: string): void {
  const found = findCanary(text, canaries);
  if (!found) return;
  const start = Math.max(0, found.index - 60);
  const context = text.slice(start, found.index + 80).replace(/\n/g, '\\n');
  assert.fail(
    `${where}: secret canary "${canaryLabel(found.canary)}" leaked (${found.encoding}) at offset ${found.index}: …${context}…`,
  );
}

/** Fails unless `text` contains `canary` as it is (for the one command asked to reveal it). */
export function assertHasCanary(text: string, canary: string, where: string): void {
  assert.ok(text.includes(canary), `${where}: expected the value of canary "${canaryLabel(canary)}" to be shown`);
}
