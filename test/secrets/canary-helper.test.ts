/**
 * The canary helper (test/support/canary.ts) that the masking tests of this
 * and later issues rely on: canaries are unique and pass the production
 * strength rule, and assertNoCanary catches a canary in any of the encodings
 * it promises, at any position, while passing clean text.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { secretWeakness } from '../../src/secrets/strength.ts';
import { assertNoCanary, canaryLabel, findCanary, makeCanaries, makeCanary } from '../support/canary.ts';

describe('canary helper', () => {
  test('canaries are unique, labelled, and strong enough for production', () => {
    const canaries = makeCanaries(50, 'db');
    assert.equal(new Set(canaries).size, 50);
    for (const canary of canaries) {
      assert.match(canary, /^canary-db\d+-[A-Za-z0-9_-]{24}$/);
      assert.equal(secretWeakness(canary, 'production'), undefined, canary);
    }
    assert.equal(canaryLabel(makeCanary('Payments API key!')), 'paymentsapikey');
  });

  test('clean text passes', () => {
    const canary = makeCanary('x');
    assertNoCanary('payments.apiKey = ••••••\n{"value":"••••••"}', [canary], 'clean');
    assertNoCanary(canary.slice(0, -1), [canary], 'one character short is not the canary');
  });

  test('finds the canary plain and in every promised encoding, at every alignment', () => {
    const canary = makeCanary('enc');
    const encodings: [string, (text: string) => string][] = [
      ['plain', (text) => text],
      ['JSON', (text) => JSON.stringify({ value: text })],
      ['URL', (text) => `https://x.invalid/?q=${encodeURIComponent(text)}`],
      ['hex', (text) => Buffer.from(text).toString('hex')],
      ['HEX', (text) => Buffer.from(text).toString('hex').toUpperCase()],
      ['base64', (text) => Buffer.from(text).toString('base64')],
      ['base64url', (text) => Buffer.from(text).toString('base64url')],
    ];
    for (const [name, encode] of encodings) {
      for (const prefix of ['', 'a', 'ab', 'abc', 'Authorization: Basic ']) {
        const text = `before ${encode(`${prefix}${canary}:suffix`)} after`;
        assert.ok(findCanary(text, [canary]), `${name} with prefix ${JSON.stringify(prefix)}`);
        assert.throws(
          () => assertNoCanary(text, ['unrelated', canary], 'stdout of test'),
          (error: Error) => error.message.includes('stdout of test') && error.message.includes('"enc"'),
        );
      }
    }
  });

  test('a canary with characters that need escaping is found JSON-escaped and URL-encoded', () => {
    const canary = `${makeCanary('esc')}"/\\ é+&`;
    assert.ok(findCanary(JSON.stringify({ canary }), [canary])?.encoding.startsWith('JSON'));
    assert.equal(findCanary(`?v=${encodeURIComponent(canary)}`, [canary])?.encoding, 'URL-encoded');
  });
});
