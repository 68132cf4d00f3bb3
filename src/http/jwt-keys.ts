import { createPublicKey, type KeyObject } from 'node:crypto';
import type { FragmentFinding } from '../config/settings-fragment.js';

/*
 * What JWT auth verifies with, checked in one place: by the `auth` fragment's
 * rules (so `config validate` and preflight refuse what the plugin would)
 * and again by the plugin at registration. No check ever quotes a key.
 */

export const HS_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
/** Every algorithm `auth.jwt.algorithms` accepts; `none` is not one of them, nor ever will be. */
export const JWT_ALGORITHMS = [
  ...HS_ALGORITHMS,
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** RFC 7518 §3.2: an HMAC key at least as long as the hash it is used with. */
export const HS_MIN_SECRET_BYTES: Readonly<Record<(typeof HS_ALGORITHMS)[number], number>> = Object.freeze({
  HS256: 32,
  HS384: 48,
  HS512: 64,
});

/** The largest PEM text accepted: a 16384-bit RSA public key is under 3 KiB. */
export const MAX_PEM_LENGTH = 16_384;

/** The headers fast-jwt verifies with (SPKI or PKCS#1 RSA); a certificate or a private key is not a public key. */
const PUBLIC_PEM = /^-----BEGIN (?:RSA )?PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (?:RSA )?PUBLIC KEY-----$/;
const PRIVATE_PEM = /PRIVATE KEY-----/;

/** Named curves of ES256, ES384 and ES512 as Node reports them. */
const EC_CURVES: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

export function isHsAlgorithm(algorithm: string): algorithm is (typeof HS_ALGORITHMS)[number] {
  return (HS_ALGORITHMS as readonly string[]).includes(algorithm);
}

/** The public key of a PEM text, `private` when the text holds a private key, undefined when it is no public key. */
export function parsePublicKey(text: string): KeyObject | 'private' | undefined {
  if (PRIVATE_PEM.test(text)) return 'private';
  const pem = text.trim();
  if (pem.length > MAX_PEM_LENGTH || !PUBLIC_PEM.test(pem)) return undefined;
  try {
    return createPublicKey(pem);
  } catch {
    return undefined;
  }
}

/** Why `text` cannot be `auth.jwt.publicKey`, in words that never quote it; undefined when it is a public key. */
export function publicKeyRefusal(text: string): string | undefined {
  const key = parsePublicKey(text);
  if (key === 'private') {
    return 'holds a private key, which must never sit in configuration: give the public key only (openssl pkey -pubout)';
  }
  if (!key) return 'is not a PEM public key (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)';
  return undefined;
}

/** Whether `key` can verify `algorithm`'s signatures (as fast-jwt decides it from the key). */
function verifies(algorithm: JwtAlgorithm, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (algorithm.startsWith('RS') || algorithm.startsWith('PS')) return type === 'rsa';
  if (algorithm.startsWith('ES')) return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === EC_CURVES[algorithm];
  return type === 'ed25519' || type === 'ed448';
}

function keyKind(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  if (type === 'ec') return `EC (${key.asymmetricKeyDetails?.namedCurve ?? 'unknown curve'})`;
  return type === 'rsa' ? 'RSA' : type;
}

/** The settings these checks read (`auth.jwt`, validated). */
export interface JwtKeySettings {
  readonly algorithms: readonly JwtAlgorithm[];
  readonly secret?: string | undefined;
  readonly publicKey?: string | undefined;
}

/**
 * Why `jwt` cannot verify a token, keys below `auth`: the HS secret or the
 * public key missing for the algorithms listed, a public key that does not
 * parse, or an algorithm the key cannot verify. Empty when it can.
 */
export function jwtKeyFindings(jwt: JwtKeySettings, environment: string): FragmentFinding[] {
  const hs = jwt.algorithms.filter(isHsAlgorithm);
  const asymmetric = jwt.algorithms.filter((algorithm) => !isHsAlgorithm(algorithm));
  const findings: FragmentFinding[] = [];
  if (hs.length > 0 && (jwt.secret === undefined || jwt.secret === '')) {
    findings.push({
      code: 'EW_RULE_SECRET_UNSET',
      key: 'jwt.secret',
      message: `auth.jwt.enabled with ${hs.join(', ')} needs the shared secret auth.jwt.secret; set it with \`envward secrets set auth.jwt.secret --env ${environment}\``,
    });
  }
  if (asymmetric.length === 0) return findings;
  if (jwt.publicKey === undefined || jwt.publicKey === '') {
    findings.push({
      code: 'EW_RULE_REQUIRED',
      key: 'jwt.publicKey',
      message: `auth.jwt.enabled with ${asymmetric.join(', ')} needs the issuer's public key (PEM) in auth.jwt.publicKey`,
    });
    return findings;
  }
  const key = parsePublicKey(jwt.publicKey);
  if (key === undefined || key === 'private') {
    findings.push({
      code: 'EW_CONFIG_TYPE',
      key: 'jwt.publicKey',
      message: `auth.jwt.publicKey ${publicKeyRefusal(jwt.publicKey)}`,
    });
    return findings;
  }
  const unfit = asymmetric.filter((algorithm) => !verifies(algorithm, key));
  if (unfit.length > 0) {
    findings.push({
      code: 'EW_CONFIG_TYPE',
      key: 'jwt.algorithms',
      message: `auth.jwt.algorithms lists ${unfit.join(', ')}, which the ${keyKind(key)} key in auth.jwt.publicKey cannot verify; list only the algorithms the token issuer signs with`,
    });
  }
  return findings;
}
