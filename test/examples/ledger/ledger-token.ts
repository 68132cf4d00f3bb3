/**
 * Bearer tokens for the ledger's write routes, which check a JWT in every
 * tier but development: signed (HS256, an hour) with the test tier's secret
 * as the ledger's own configuration resolves it, or with a given secret
 * (staging's and production's, set by the test).
 */
import { resolveConfig } from 'envward';
import { createSigner } from 'fast-jwt';
import { LEDGER_ROOT } from '../../../examples/ledger/src/open-ledger.ts';

/** `Bearer <JWT>` signed with `secret`. */
export function bearer(secret: string, subject = 'ledger-test'): string {
  return `Bearer ${createSigner({ key: secret, expiresIn: 3_600_000 })({ sub: subject })}`;
}

let testTierSecret: Promise<string> | undefined;

/** `Bearer <JWT>` the ledger's test environment accepts (its configuration resolved once). */
export async function testTierBearer(subject?: string): Promise<string> {
  testTierSecret ??= resolveConfig({ cwd: LEDGER_ROOT, env: 'test', variables: {} }).then(
    (resolved) => (resolved.values as { auth: { jwt: { secret: string } } }).auth.jwt.secret,
  );
  return bearer(await testTierSecret, subject);
}
