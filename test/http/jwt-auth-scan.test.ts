/**
 * "Staging and production never share a key": `envward scan` finds one JWT
 * secret sealed in both with `envward secrets set` (EW_SCAN_SHARED_VALUE,
 * exit 1, the value never printed), passes once each has its own, and does
 * not take a PEM public key in settings.yml for a secret in a plain file.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { AUTH_CONFIG } from '../support/auth-project.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { cli, keygenAll, makeSecretsProject, type SecretsProject, setSecret } from '../support/secrets-project.ts';

interface Finding {
  code: string;
  environments?: string[];
  keys?: string[];
}

const shared = `${makeCanary('sharedjwt')}${makeCanary('pad')}`;
let project: SecretsProject;

before(async () => {
  const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString()
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  project = makeSecretsProject({
    files: {
      'envward.config.ts': AUTH_CONFIG,
      // preview verifies ES256 tokens: its public key is public, and committed.
      'config/environments/preview/settings.yml': `auth:\n  jwt:\n    algorithms: [ES256]\n    publicKey: |\n${publicKey}\n`,
    },
  });
  await keygenAll(project.dir, ['staging', 'production']);
  await setSecret(project.dir, 'staging', 'auth.jwt.secret', shared);
  await setSecret(project.dir, 'production', 'auth.jwt.secret', shared);
});
after(() => project.cleanup());

async function scan(): Promise<{ code: number; findings: Finding[]; output: string }> {
  const result = await cli(project.dir, ['scan', '--json'], { env: { ENVWARD_ENV: 'production' } });
  const output = result.stdout + result.stderr;
  assertNoCanary(output, [shared], 'envward scan');
  return { code: result.code, findings: (JSON.parse(result.stdout) as { findings: Finding[] }).findings, output };
}

test('scan reports auth.jwt.secret shared by staging and production, then passes once each has its own', async () => {
  const first = await scan();
  assert.equal(first.code, 1, first.output);
  const sharedFindings = first.findings.filter((finding) => finding.code === 'EW_SCAN_SHARED_VALUE');
  assert.equal(sharedFindings.length, 1, first.output);
  assert.deepEqual(sharedFindings[0]?.keys, ['auth.jwt.secret']);
  assert.deepEqual([...(sharedFindings[0]?.environments ?? [])].sort(), ['production', 'staging']);

  await setSecret(project.dir, 'production', 'auth.jwt.secret', `${makeCanary('ownjwt')}${makeCanary('pad')}`);
  const second = await scan();
  assert.deepEqual(second.findings, [], second.output);
  assert.equal(second.code, 0, second.output);
});
