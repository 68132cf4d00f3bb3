/**
 * Issue 11, item 21: the masking canary test corrupted "the first sealed
 * value" with a pattern that skipped payloads starting with `-` (about 1 in
 * 64 random nonces), so it corrupted another secret and failed. Its helper
 * must corrupt the first value whatever base64url character it starts with.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corruptFirstSealedValue } from '../support/secrets-project.ts';

const file = (first: string) =>
  `secrets:\n  a.key:\n    value: ew1:ab12:${first}QUJD\n  b.key:\n    value: ew1:ab12:xQUJD\n`;

test('the first sealed value is corrupted whatever character its payload starts with', () => {
  for (const first of ['-', '_', 'A', 'z', '0']) {
    const text = file(first);
    const corrupted = corruptFirstSealedValue(text);
    const [aBefore, bBefore] = text.split('b.key');
    const [aAfter, bAfter] = corrupted.split('b.key');
    assert.notEqual(aAfter, aBefore, `payload starting with ${first}: the first value changed`);
    assert.equal(bAfter, bBefore, `payload starting with ${first}: the second value is untouched`);
  }
});

test('a file without a sealed value is an error, not a silent no-op', () => {
  assert.throws(() => corruptFirstSealedValue('secrets: {}\n'), /no sealed value/);
});
