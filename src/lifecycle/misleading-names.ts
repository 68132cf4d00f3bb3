import type { Tier } from '../environment/index.js';

/**
 * Words that say a tier, as people write them in environment names. A name
 * holding one of another tier's words (`prod-copy` of tier staging, `dev2`
 * of tier production) tells whoever reads it the wrong thing, in a banner,
 * a log line or a shell prompt.
 */
const TIER_WORDS: ReadonlyMap<string, Tier> = new Map([
  ['dev', 'development'],
  ['devel', 'development'],
  ['develop', 'development'],
  ['development', 'development'],
  ['local', 'development'],
  ['test', 'test'],
  ['tst', 'test'],
  ['testing', 'test'],
  ['stg', 'staging'],
  ['stage', 'staging'],
  ['staging', 'staging'],
  ['prod', 'production'],
  ['prd', 'production'],
  ['production', 'production'],
  ['live', 'production'],
  ['pr', 'preview'],
  ['preview', 'preview'],
]);

/** The first word of `name` that says a tier other than `tier`, or undefined. */
export function misleadingWord(name: string, tier: Tier): { word: string; tier: Tier } | undefined {
  for (const word of name.match(/[a-z]+/g) ?? []) {
    const said = TIER_WORDS.get(word);
    if (said !== undefined && said !== tier) return { word, tier: said };
  }
  return undefined;
}
