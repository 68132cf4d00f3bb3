import { MASK } from './mask.js';

/** Replaces every known secret value in a text with MASK. */
export type Scrubber = (text: string) => string;

/**
 * Shorter values are not scrubbed: masking every "abc" or "123" in every
 * line would destroy the logs and protect nothing (protected tiers refuse
 * secrets under 16 characters).
 */
export const MIN_SCRUBBED_LENGTH = 4;

const unchanged: Scrubber = (text) => text;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A value as it appears in text, inside a JSON string, inside a JSON string in a JSON string, and in a URL. */
function formsOf(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  return [value, escaped, JSON.stringify(escaped).slice(1, -1), encodeURIComponent(value)];
}

/**
 * Makes a scrubber for `values` (usually `resolved.secretValues()`): one
 * precompiled pattern, longest form first, so a line costs one scan; with no
 * values it returns the text untouched at no cost. Scrubbing is by value,
 * whatever key, message or stack trace the value hides in.
 * @example
 * const scrub = createScrubber(resolved.secretValues());
 * reply.send(scrub(JSON.stringify(body)));
 */
export function createScrubber(values: readonly string[]): Scrubber {
  const forms = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_SCRUBBED_LENGTH) continue;
    for (const form of formsOf(value)) forms.add(form);
  }
  if (forms.size === 0) return unchanged;
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return (text) => text.replace(pattern, MASK);
}
