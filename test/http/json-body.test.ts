/**
 * The JSON body's NUL scan, against what JSON.parse makes of the same text:
 * the text holds a NUL exactly when a string or key of the parsed value
 * does, whatever the backslashes, escapes and raw characters around it.
 * Seeded, so every run draws the same cases.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { jsonTextHoldsNul } from '../../src/http/json-body.ts';

const SEED = 20261201;

/** Strings drawn mostly from the characters that matter here: NUL, backslash, `u`, `0`, quotes. */
const tricky = fc.string({
  unit: fc.constantFrom('\0', '\\', 'u', '0', '"', 'a', '\u0001', '\u2028'),
  maxLength: 12,
});

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    tricky,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
  ),
})).value;

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, inner]) => key.includes('\0') || holdsNul(inner));
  }
  return false;
}

describe('jsonTextHoldsNul', () => {
  test('finds a NUL in serialised JSON exactly when the parsed value holds one', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const text = JSON.stringify(value);
        assert.equal(jsonTextHoldsNul(text), holdsNul(JSON.parse(text)), text);
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  test('counts the backslashes before u0000: an odd run is an escape, an even run is text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.string({ maxLength: 6 }), (backslashes, before) => {
        const prefix = JSON.stringify(before).slice(1, -1);
        const text = `"${prefix}${'\\'.repeat(backslashes)}u0000"`;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return; // an odd run before a quote, or the like: not JSON, the parser refuses it anyway
        }
        assert.equal(jsonTextHoldsNul(text), holdsNul(parsed), text);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  test('a raw NUL anywhere in the text counts', () => {
    assert.equal(jsonTextHoldsNul('{"a":1}\0'), true);
    assert.equal(jsonTextHoldsNul('{"a":"b"}'), false);
  });
});
