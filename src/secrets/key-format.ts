import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * Key text, format 1: X25519 keys as their 32 raw bytes in base64url behind a
 * prefix that says what they are, so a private key pasted where a public one
 * belongs (or the reverse) is caught, and scanners can find private keys.
 */
export const PUBLIC_KEY_PREFIX = 'ewpub1_';
export const PRIVATE_KEY_PREFIX = 'ewkey1_';
/** A whole private key in text, for scanners (POSIX extended regular expression). */
export const PRIVATE_KEY_PATTERN = `${PRIVATE_KEY_PREFIX}[A-Za-z0-9_-]{43}`;

// DER headers of X25519 SubjectPublicKeyInfo and PKCS#8 (RFC 8410): node:crypto
// imports raw X25519 keys only through these containers.
const SPKI_HEADER = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_HEADER = Buffer.from('302e020100300506032b656e04220420', 'hex');
const RAW_KEY = /^[A-Za-z0-9_-]{43}$/;

export interface KeyPairText {
  readonly publicKey: string;
  readonly privateKey: string;
}

export function generateKeyPairText(): KeyPairText {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: publicKeyText(publicKey), privateKey: privateKeyText(privateKey) };
}

export function publicKeyText(key: KeyObject): string {
  return (
    PUBLIC_KEY_PREFIX + key.export({ format: 'der', type: 'spki' }).subarray(SPKI_HEADER.length).toString('base64url')
  );
}

function privateKeyText(key: KeyObject): string {
  return (
    PRIVATE_KEY_PREFIX +
    key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_HEADER.length).toString('base64url')
  );
}

function rawBytes(text: string, prefix: string): Buffer | undefined {
  if (!text.startsWith(prefix)) return undefined;
  const body = text.slice(prefix.length);
  return RAW_KEY.test(body) ? Buffer.from(body, 'base64url') : undefined;
}

/** The public key in `text`, or undefined when it is not one. */
export function importPublicKey(text: string): KeyObject | undefined {
  const raw = rawBytes(text.trim(), PUBLIC_KEY_PREFIX);
  if (!raw) return undefined;
  return createPublicKey({ key: Buffer.concat([SPKI_HEADER, raw]), format: 'der', type: 'spki' });
}

/** The private key in `text`, or undefined when it is not one. */
export function importPrivateKey(text: string): KeyObject | undefined {
  const raw = rawBytes(text.trim(), PRIVATE_KEY_PREFIX);
  if (!raw) return undefined;
  return createPrivateKey({ key: Buffer.concat([PKCS8_HEADER, raw]), format: 'der', type: 'pkcs8' });
}

/** The public key text that belongs to a private key. */
export function publicKeyOf(privateKey: KeyObject): string {
  return publicKeyText(createPublicKey(privateKey));
}

/** A short, safe-to-print name for a public key: its first characters. */
export function keyLabel(publicKey: string): string {
  return `${publicKey.slice(0, PUBLIC_KEY_PREFIX.length + 8)}…`;
}
