/**
 * Unit tests of the encryption of secret values (src/secrets/envelope.ts,
 * key-format.ts): key text, sealing and opening, the binding of each value
 * to its environment and key name (AAD), tampering, and a property test
 * that any Unicode string round-trips.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { OpenEnvelope, parseSealedValue, VALUE_PREFIX } from '../../src/secrets/envelope.ts';
import {
  generateKeyPairText,
  importPrivateKey,
  importPublicKey,
  keyLabel,
  PRIVATE_KEY_PATTERN,
  PRIVATE_KEY_PREFIX,
  PUBLIC_KEY_PREFIX,
  publicKeyOf,
  publicKeyText,
} from '../../src/secrets/key-format.ts';

function pair() {
  const text = generateKeyPairText();
  const privateKey = importPrivateKey(text.privateKey);
  assert.ok(privateKey, 'generated private key imports');
  return { ...text, key: privateKey };
}

/** Seals `value` to `recipient` and returns the stored form and the envelope record. */
function seal(recipient: string, value: string, environment = 'production', key = 'payments.apiKey', id = 'e1') {
  const envelope = OpenEnvelope.create(recipient, id);
  return { sealed: envelope.seal(value, environment, key), record: envelope.record };
}

function open(
  record: { id: string; ephemeral: string },
  sealed: string,
  recipient: string,
  privateKey: ReturnType<typeof pair>['key'],
  environment = 'production',
  key = 'payments.apiKey',
): string | undefined {
  const parts = parseSealedValue(sealed);
  assert.ok(parts, `parses: ${sealed}`);
  return OpenEnvelope.open(record, recipient, privateKey)?.openValue(parts.payload, environment, key);
}

/** `payload` (base64url) with one bit flipped in byte `index`. */
function flipBit(payload: string, index: number, bit = 0): string {
  const bytes = Buffer.from(payload, 'base64url');
  bytes[index] = (bytes[index] as number) ^ (1 << bit);
  return bytes.toString('base64url');
}

describe('key text', () => {
  test('a generated pair round-trips through its text form', () => {
    const { publicKey, privateKey, key } = pair();
    assert.match(publicKey, /^ewpub1_[A-Za-z0-9_-]{43}$/);
    assert.match(privateKey, /^ewkey1_[A-Za-z0-9_-]{43}$/);
    assert.match(privateKey, new RegExp(`^${PRIVATE_KEY_PATTERN}$`));
    assert.equal(publicKeyOf(key), publicKey, 'the private key text gives back its public key');
    const imported = importPublicKey(publicKey);
    assert.ok(imported);
    assert.equal(publicKeyText(imported), publicKey);
    assert.equal(importPublicKey(`  ${publicKey}\n`) !== undefined, true, 'surrounding whitespace is ignored');
  });

  test('every pair is new', () => {
    const a = pair();
    const b = pair();
    assert.notEqual(a.publicKey, b.publicKey);
    assert.notEqual(a.privateKey, b.privateKey);
  });

  test('a private key is not accepted as a public key, nor the reverse, nor damaged text', () => {
    const { publicKey, privateKey } = pair();
    assert.equal(importPublicKey(privateKey), undefined);
    assert.equal(importPrivateKey(publicKey), undefined);
    assert.equal(importPublicKey(publicKey.slice(0, -1)), undefined, 'one character short');
    assert.equal(importPrivateKey(`${privateKey}A`), undefined, 'one character long');
    assert.equal(importPrivateKey(privateKey.replace(PRIVATE_KEY_PREFIX, 'ewkey2_')), undefined, 'unknown version');
    assert.equal(importPublicKey(`${PUBLIC_KEY_PREFIX}${'!'.repeat(43)}`), undefined, 'not base64url');
    assert.equal(importPrivateKey(''), undefined);
  });

  test('keyLabel is short and never the whole key', () => {
    const { publicKey } = pair();
    const label = keyLabel(publicKey);
    assert.ok(label.startsWith(PUBLIC_KEY_PREFIX));
    assert.ok(label.length < publicKey.length / 2, label);
  });
});

describe('sealing and opening', () => {
  test('a sealed value opens with the recipient key and hides the plaintext', () => {
    const { publicKey, key } = pair();
    const value = 'correct horse battery staple 0123456789';
    const { sealed, record } = seal(publicKey, value);
    assert.ok(sealed.startsWith(`${VALUE_PREFIX}e1:`), sealed);
    assert.ok(!sealed.includes(value));
    assert.ok(!sealed.includes(Buffer.from(value).toString('base64url').slice(0, 16)));
    assert.equal(open(record, sealed, publicKey, key), value);
    assert.notEqual(record.ephemeral, publicKey, 'the envelope carries an ephemeral key, not the recipient');
  });

  test('one envelope seals many values, each with its own nonce', () => {
    const { publicKey, key } = pair();
    const envelope = OpenEnvelope.create(publicKey, 'ab12');
    const first = envelope.seal('same value', 'production', 'payments.apiKey');
    const second = envelope.seal('same value', 'production', 'payments.apiKey');
    assert.notEqual(first, second, 'equal plaintexts give different ciphertexts');
    const opened = OpenEnvelope.open(envelope.record, publicKey, key);
    assert.ok(opened);
    for (const sealed of [first, second]) {
      const parts = parseSealedValue(sealed);
      assert.ok(parts);
      assert.equal(parts.envelope, 'ab12');
      assert.equal(opened.openValue(parts.payload, 'production', 'payments.apiKey'), 'same value');
    }
  });

  test('the empty string round-trips', () => {
    const { publicKey, key } = pair();
    const { sealed, record } = seal(publicKey, '');
    assert.equal(open(record, sealed, publicKey, key), '');
  });

  test('create refuses a private key or junk as recipient', () => {
    const { privateKey } = pair();
    assert.throws(() => OpenEnvelope.create(privateKey, 'e1'), TypeError);
    assert.throws(() => OpenEnvelope.create('ewpub1_nope', 'e1'), TypeError);
  });
});

describe('binding (associated data and keys)', () => {
  test('a value sealed for one key name does not open as another key', () => {
    const { publicKey, key } = pair();
    const { sealed, record } = seal(publicKey, 'v4lue-for-payments', 'production', 'payments.apiKey');
    assert.equal(open(record, sealed, publicKey, key, 'production', 'database.password'), undefined);
    assert.equal(open(record, sealed, publicKey, key, 'production', 'payments.apikey'), undefined, 'case matters');
    assert.equal(open(record, sealed, publicKey, key, 'production', 'payments.apiKey'), 'v4lue-for-payments');
  });

  test('a value sealed for one environment does not open as another', () => {
    const { publicKey, key } = pair();
    const { sealed, record } = seal(publicKey, 'v4lue-for-production', 'production', 'payments.apiKey');
    assert.equal(open(record, sealed, publicKey, key, 'staging', 'payments.apiKey'), undefined);
    assert.equal(open(record, sealed, publicKey, key, 'production\0payments', 'apiKey'), undefined);
  });

  test('the environment/key separator cannot be shifted', () => {
    // "a-b" + "c" and "a" + "b-c" must not share associated data.
    const { publicKey, key } = pair();
    const { sealed, record } = seal(publicKey, 'x', 'eu-prod', 'key');
    assert.equal(open(record, sealed, publicKey, key, 'eu', 'prod-key'), undefined);
    assert.equal(open(record, sealed, publicKey, key, 'eu-prod', 'key'), 'x');
  });

  test("another key pair's private key does not open it", () => {
    const a = pair();
    const b = pair();
    const { sealed, record } = seal(a.publicKey, 'only for a');
    assert.equal(open(record, sealed, a.publicKey, b.key), undefined);
    assert.equal(open(record, sealed, b.publicKey, b.key), undefined, 'even when b claims to be the recipient');
    assert.equal(open(record, sealed, b.publicKey, a.key), undefined, 'the recipient is part of the derivation');
  });

  test("a value moved into another envelope (another command's ephemeral key) does not open", () => {
    const { publicKey, key } = pair();
    const first = seal(publicKey, 'first', 'production', 'payments.apiKey', 'e1');
    const second = seal(publicKey, 'second', 'production', 'payments.apiKey', 'e2');
    assert.equal(open(second.record, first.sealed, publicKey, key), undefined);
    assert.equal(open(first.record, second.sealed, publicKey, key), undefined);
  });

  test('an envelope with a damaged ephemeral key does not open', () => {
    const { publicKey, key } = pair();
    const { record } = seal(publicKey, 'v');
    assert.equal(OpenEnvelope.open({ ...record, ephemeral: 'ewpub1_short' }, publicKey, key), undefined);
  });
});

describe('tampering', () => {
  test('every single flipped bit is detected (nonce, ciphertext and tag)', () => {
    const { publicKey, key } = pair();
    const value = 'tamper-evident-secret-value';
    const { sealed, record } = seal(publicKey, value);
    const parts = parseSealedValue(sealed);
    assert.ok(parts);
    const opened = OpenEnvelope.open(record, publicKey, key);
    assert.ok(opened);
    const length = Buffer.from(parts.payload, 'base64url').length;
    assert.equal(length, 12 + Buffer.byteLength(value) + 16, 'nonce | ciphertext | tag');
    for (let index = 0; index < length; index++) {
      for (const bit of [0, 7]) {
        assert.equal(
          opened.openValue(flipBit(parts.payload, index, bit), 'production', 'payments.apiKey'),
          undefined,
          `bit ${bit} of byte ${index}`,
        );
      }
    }
    assert.equal(opened.openValue(parts.payload, 'production', 'payments.apiKey'), value, 'the original still opens');
  });

  test('a truncated or extended payload does not open', () => {
    const { publicKey, key } = pair();
    const { sealed, record } = seal(publicKey, 'truncate me please');
    const parts = parseSealedValue(sealed);
    assert.ok(parts);
    const opened = OpenEnvelope.open(record, publicKey, key);
    assert.ok(opened);
    const bytes = Buffer.from(parts.payload, 'base64url');
    for (const cut of [1, 4, 16, bytes.length - 28, bytes.length - 12, bytes.length - 1]) {
      const shorter = bytes.subarray(0, bytes.length - cut).toString('base64url');
      assert.equal(opened.openValue(shorter, 'production', 'payments.apiKey'), undefined, `cut ${cut} bytes`);
    }
    const longer = Buffer.concat([bytes, Buffer.from([0])]).toString('base64url');
    assert.equal(opened.openValue(longer, 'production', 'payments.apiKey'), undefined, 'one byte appended');
    assert.equal(opened.openValue('', 'production', 'payments.apiKey'), undefined);
  });

  test('parseSealedValue accepts only format 1', () => {
    assert.deepEqual(parseSealedValue('ew1:ab12:AAAA_-'), { envelope: 'ab12', payload: 'AAAA_-' });
    for (const bad of ['ew2:ab12:AAAA', 'ew1:AB12:AAAA', 'ew1:ab12:', 'ew1::AAAA', 'ew1:ab12:AA AA', 'plain', '']) {
      assert.equal(parseSealedValue(bad), undefined, bad);
    }
    assert.equal(parseSealedValue(`ew1:${'a'.repeat(17)}:AAAA`), undefined, 'envelope id too long');
  });
});

describe('property', () => {
  const { publicKey, key } = pair();
  const envelope = OpenEnvelope.create(publicKey, 'p1');
  const opened = OpenEnvelope.open(envelope.record, publicKey, key);

  test('any Unicode string round-trips, and only under its own environment and key', () => {
    assert.ok(opened);
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
        fc.stringMatching(/^[a-z][a-zA-Z0-9.]{0,30}$/),
        (value, environment, name) => {
          const parts = parseSealedValue(envelope.seal(value, environment, name));
          if (!parts) return false;
          if (opened.openValue(parts.payload, environment, name) !== value) return false;
          return opened.openValue(parts.payload, `${environment}x`, name) === undefined;
        },
      ),
      { numRuns: 300 },
    );
  });

  test('values with astral characters, combining marks and NUL round-trips', () => {
    assert.ok(opened);
    for (const value of ['🔑 clé secrète', 'e\u0301', 'a\u0000b', '\u{10FFFF}', 'line1\nline2\r\n', ' padded ']) {
      const parts = parseSealedValue(envelope.seal(value, 'production', 'payments.apiKey'));
      assert.ok(parts);
      assert.equal(opened.openValue(parts.payload, 'production', 'payments.apiKey'), value, JSON.stringify(value));
    }
  });
});
