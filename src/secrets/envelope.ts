import {
  createCipheriv,
  createDecipheriv,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { importPublicKey, PUBLIC_KEY_PREFIX, publicKeyText } from './key-format.js';

/**
 * Encryption of secret values, format 1: X25519 + HKDF-SHA256 + AES-256-GCM.
 *
 * An envelope is one ephemeral X25519 key agreed with the environment's
 * public key; HKDF turns the shared secret into an AES-256-GCM key, and each
 * value is sealed with its own random 96-bit nonce. One agreement serves every
 * value written in one command (as HPKE's one encapsulation serves many
 * seals), which keeps decryption of hundreds of secrets to a few agreements.
 * The associated data binds each ciphertext to its environment and key name,
 * so a value copied to another key or environment fails to open.
 */
export const VALUE_PREFIX = 'ew1:';
const HKDF_INFO = Buffer.from('envward secrets v1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function rawPublic(text: string): Buffer {
  return Buffer.from(text.slice(PUBLIC_KEY_PREFIX.length), 'base64url');
}

function deriveKey(shared: Buffer, ephemeral: string, recipient: string): Buffer {
  const salt = Buffer.concat([rawPublic(ephemeral), rawPublic(recipient)]);
  return Buffer.from(hkdfSync('sha256', shared, salt, HKDF_INFO, 32));
}

function associatedData(environment: string, key: string): Buffer {
  return Buffer.from(`envward-secret/1\0${environment}\0${key}`);
}

/** An envelope's id and ephemeral public key, as stored in the secrets file. */
export interface EnvelopeRecord {
  readonly id: string;
  readonly ephemeral: string;
}

/** An envelope whose AES key is known: it can seal and open values. */
export class OpenEnvelope {
  readonly #key: Buffer;

  private constructor(
    readonly record: EnvelopeRecord,
    key: Buffer,
  ) {
    this.#key = key;
  }

  /** A fresh envelope to `recipient`; needs only the public key. */
  static create(recipient: string, id: string): OpenEnvelope {
    const recipientKey = importPublicKey(recipient);
    if (!recipientKey) throw new TypeError('not an envward public key');
    const ephemeral = generateKeyPairSync('x25519');
    const ephemeralText = publicKeyText(ephemeral.publicKey);
    const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipientKey });
    return new OpenEnvelope({ id, ephemeral: ephemeralText }, deriveKey(shared, ephemeralText, recipient));
  }

  /** Opens a stored envelope with the recipient's private key. */
  static open(record: EnvelopeRecord, recipient: string, privateKey: KeyObject): OpenEnvelope | undefined {
    const ephemeralKey = importPublicKey(record.ephemeral);
    if (!ephemeralKey) return undefined;
    const shared = diffieHellman({ privateKey, publicKey: ephemeralKey });
    return new OpenEnvelope(record, deriveKey(shared, record.ephemeral, recipient));
  }

  /** `ew1:<envelope>:<nonce|ciphertext|tag in base64url>` */
  seal(plaintext: string, environment: string, key: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(associatedData(environment, key));
    const body = Buffer.concat([nonce, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VALUE_PREFIX}${this.record.id}:${body.toString('base64url')}`;
  }

  /** The plaintext, or undefined when the value was changed, truncated or belongs elsewhere. */
  openValue(payload: string, environment: string, key: string): string | undefined {
    const body = Buffer.from(payload, 'base64url');
    if (body.length < NONCE_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, body.subarray(0, NONCE_BYTES));
      decipher.setAAD(associatedData(environment, key));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** Splits a stored value into its envelope id and payload, or undefined when it is not format 1. */
export function parseSealedValue(value: string): { envelope: string; payload: string } | undefined {
  const match = /^ew1:([a-z0-9]{1,16}):([A-Za-z0-9_-]+)$/.exec(value);
  return match ? { envelope: match[1] as string, payload: match[2] as string } : undefined;
}
