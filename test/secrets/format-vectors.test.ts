/**
 * Fixed test vectors of the secrets format, version 1 (docs/secrets.md):
 * a public key file, one envelope, and a secrets file, made once by
 * envward's own code and checked in under test/secrets/vectors/. No private
 * key is committed (keys never enter the repository): the vectors' private
 * key is derived here from a public label, so it protects nothing. Today's
 * code must parse them, decrypt them to the known plaintexts and render the
 * file back byte for byte, so format 1 cannot drift: a change that breaks
 * this test breaks every secrets file already committed by users. Never
 * regenerate the vectors; a new format is a new version beside them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { OpenEnvelope, parseSealedValue } from '../../src/secrets/envelope.ts';
import { fingerprint } from '../../src/secrets/fingerprint.ts';
import { importPrivateKey, importPublicKey, PRIVATE_KEY_PATTERN, publicKeyOf } from '../../src/secrets/key-format.ts';
import { keyFileText } from '../../src/secrets/key-source.ts';
import { parseSecrets, renderSecrets, SECRETS_FORMAT } from '../../src/secrets/secrets-file.ts';
import { decryptAll, privateKeyFileText } from '../../src/secrets/vault.ts';

const ENV = 'production';

function vector(name: string): string {
  return readFileSync(new URL(`vectors/${name}`, import.meta.url), 'utf8');
}

/** The plaintexts the vectors were made from. */
const PLAINTEXTS: Readonly<Record<string, string>> = {
  'database.password': 'vector-db-password-7Qm2x9Lp4Rt8',
  'mail.signature': 'Grüße aus Zürich ✓ 日本\nsecond line: "quoted" \\ backslash',
  'payments.apiKey': 'sk_live_vector_51b7c2d9e0f3a4b6',
};
const PUBLIC_KEY = 'ewpub1_QdY5xkXTyLkr8Jt36UfSV0KvlMKNBMFycV7MwBoKRn4';
/** The vectors' private key: SHA-256 of a public label (any 32 bytes are an X25519 private key). */
const PRIVATE_KEY = `ewkey1_${createHash('sha256').update('envward secrets format 1 test vector: production').digest('base64url')}`;

function keys() {
  const privateText = keyFileText(privateKeyFileText(ENV, PRIVATE_KEY, PUBLIC_KEY));
  assert.match(privateText, new RegExp(`^${PRIVATE_KEY_PATTERN}$`));
  const key = importPrivateKey(privateText);
  assert.ok(key, 'the private key file of format 1 imports');
  return { key, publicText: keyFileText(vector('secrets.pub')) };
}

describe('secrets format 1 test vectors', () => {
  test('the key pair files parse and the private key belongs to the public key', () => {
    const { key, publicText } = keys();
    assert.equal(publicText, PUBLIC_KEY);
    assert.ok(importPublicKey(publicText), 'the public key file of format 1 imports');
    assert.equal(publicKeyOf(key), PUBLIC_KEY);
  });

  test('the envelope opens to its plaintext, and only for its environment and key name', () => {
    const { key } = keys();
    const stored = JSON.parse(vector('envelope.json')) as {
      recipient: string;
      envelope: { id: string; ephemeral: string };
      environment: string;
      key: string;
      value: string;
    };
    assert.equal(stored.recipient, PUBLIC_KEY);
    const sealed = parseSealedValue(stored.value);
    assert.deepEqual(sealed?.envelope, stored.envelope.id);
    const opened = OpenEnvelope.open(stored.envelope, stored.recipient, key);
    assert.ok(opened);
    const payload = sealed?.payload as string;
    assert.equal(opened.openValue(payload, stored.environment, stored.key), 'whsec_vector_0f9e8d7c6b5a4938');
    assert.equal(opened.openValue(payload, 'staging', stored.key), undefined, 'bound to its environment');
    assert.equal(opened.openValue(payload, stored.environment, 'payments.apiKey'), undefined, 'bound to its key name');
  });

  test('the secrets file parses, decrypts to the known plaintexts and renders back byte for byte', () => {
    const { key } = keys();
    const text = vector('secrets.yml');
    assert.match(text, new RegExp(`^format: ${SECRETS_FORMAT}$`, 'm'));
    const document = parseSecrets(text, 'test/secrets/vectors/secrets.yml', ENV);
    assert.equal(document.environment, ENV);
    assert.equal(document.recipient, PUBLIC_KEY);
    assert.deepEqual([...document.envelopes.keys()], ['a1b2c3d4']);
    assert.deepEqual(document.retired, [
      { publicKey: 'ewpub1_cTGdN9CvTNIjTkuPyYlOPJEPqvBDBht-O1r11ChFAzg', retired: '2026-11-29T17:00:00.000Z' },
    ]);
    assert.deepEqual(document.secrets.get('payments.apiKey')?.history, ['2026-10-01T08:00:00.000Z']);
    const values = decryptAll(document, { key, publicKey: PUBLIC_KEY, where: 'test vector', from: 'file' });
    assert.deepEqual(Object.fromEntries(values), PLAINTEXTS);
    assert.equal(renderSecrets(document), text, 'rendering is part of the format: unchanged values keep their bytes');
  });

  test('the fingerprints are scrypt of the plaintexts with the salt', async () => {
    const salt = keyFileText(vector('secrets.salt'));
    const document = parseSecrets(vector('secrets.yml'), 'secrets.yml', ENV);
    for (const [key, plaintext] of Object.entries(PLAINTEXTS)) {
      assert.equal(await fingerprint(plaintext, salt), document.secrets.get(key)?.fingerprint, key);
    }
  });
});
