/**
 * The secrets layer inside resolveConfig: decrypted values join the
 * resolution at the `secrets` place of the layer order, provenance names
 * secrets.yml:line and masks the value, and every way the private key can be
 * missing, wrong or exposed fails with its own code (or, in development, a
 * warning).
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, renameSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { MASK, openProject, type Project, type ResolveOptions } from '../../src/config/index.ts';
import { EnvwardError } from '../../src/errors.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { makeKeyPair, storeSecrets } from '../../src/secrets/vault.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { makeSecretsProject, privateKeyIn, type SecretsProject, secretFiles } from '../support/secrets-project.ts';

const ENVIRONMENTS = `qa: { tier: 'staging' },
    'eu-production': { tier: 'production', code: 'EUP' },
    dev2: { tier: 'development', code: 'DV2' },`;

function expectCode(code: string, check?: (error: EnvwardError) => void) {
  return (error: unknown) => {
    assert.ok(error instanceof EnvwardError, `expected an EnvwardError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    check?.(error);
    return true;
  };
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `no line contains ${needle}`);
  return index + 1;
}

describe('the secrets layer in resolveConfig', () => {
  let p: SecretsProject;
  let project: Project;
  /** Each environment's stored values. */
  const values: Record<string, { password: string; apiKey: string }> = {};
  /** Private keys that are in no file (keygen --print). */
  const printed: Record<string, string> = {};
  const all: string[] = [];

  const resolve = (env: string, options: Partial<ResolveOptions> = {}) =>
    resolveConfig<{
      database: { url: string; password?: string };
      payments: { apiKey?: string };
      app: { name: string };
    }>({ project, env, variables: {}, checkHost: false, ...options });

  before(async () => {
    p = makeSecretsProject({ environments: ENVIRONMENTS });
    project = await openProject(p.dir);
    for (const env of ['production', 'staging', 'development', 'eu-production', 'dev2']) {
      const print = env === 'eu-production' || env === 'dev2';
      const result = await makeKeyPair(p.dir, env, { print });
      if (result.privateKey) printed[env] = result.privateKey;
    }
    await Promise.all(
      ['production', 'staging', 'development', 'eu-production', 'dev2'].map(async (env) => {
        const pair = { password: makeCanary(`${env}pw`), apiKey: makeCanary(`${env}api`) };
        values[env] = pair;
        all.push(pair.password, pair.apiKey);
        await storeSecrets(
          p.dir,
          project.environments.get(env, 'test'),
          new Map([
            ['database.password', pair.password],
            ['payments.apiKey', pair.apiKey],
          ]),
          { variables: {} },
        );
      }),
    );
  });
  after(() => p.cleanup());

  test('decrypted values resolve; explain names secrets.yml:line and masks the value', async () => {
    const resolved = await resolve('production');
    const stored = values.production;
    assert.ok(stored);
    assert.equal(resolved.values.payments.apiKey, stored.apiKey);
    assert.equal(resolved.values.database.password, stored.password);
    assert.deepEqual(resolved.warnings, []);
    const text = p.read(secretFiles('production').secrets);
    for (const key of ['payments.apiKey', 'database.password']) {
      const explanation = resolved.explain(key);
      assert.equal(explanation.secret, true);
      assert.equal(explanation.value, MASK);
      assert.equal(explanation.winner?.value, MASK);
      assert.deepEqual(explanation.winner?.source, {
        layer: 'secrets',
        file: secretFiles('production').secrets,
        line: lineOf(text, `  ${key}:`),
      });
      assertNoCanary(JSON.stringify(explanation), all, `explain(${key})`);
    }
  });

  test('secretValues() returns the decrypted values', async () => {
    const resolved = await resolve('production');
    const stored = values.production;
    assert.ok(stored);
    assert.deepEqual([...resolved.secretValues()].sort(), [stored.apiKey, stored.password].sort());
  });

  test('a process variable overrides the secret, which overrides settings.yml (layer order)', async () => {
    const fromVariable = makeCanary('fromvariable');
    const fromSettings = makeCanary('fromsettings');
    p.write('config/environments/development/settings.yml', `payments:\n  apiKey: ${fromSettings}\n`);
    try {
      const development = values.development;
      assert.ok(development);
      const withSecret = await resolve('development');
      assert.equal(withSecret.values.payments.apiKey, development.apiKey, 'secrets beat settings.yml');
      assert.deepEqual(
        withSecret.explain('payments.apiKey').overridden.map((entry) => [entry.source.layer, entry.value]),
        [['environment-file', MASK]],
      );
      const resolved = await resolve('production', { variables: { PAYMENTS_API_KEY: fromVariable } });
      assert.equal(resolved.values.payments.apiKey, fromVariable, 'the variable beats the secret');
      const explanation = resolved.explain('payments.apiKey');
      assert.equal(explanation.winner?.source.layer, 'process-env');
      assert.equal(explanation.winner?.source.variable, 'PAYMENTS_API_KEY');
      assert.deepEqual(
        explanation.overridden.map((entry) => [entry.source.layer, entry.value]),
        [['secrets', MASK]],
        'the shadowed secret is listed, masked',
      );
      assertNoCanary(JSON.stringify(explanation), [...all, fromVariable, fromSettings], 'explain with override');
    } finally {
      p.remove('config/environments/development/settings.yml');
    }
  });

  test('a protected environment without its key refuses: EW_SECRET_KEY_MISSING names the variable and the file', async () => {
    const key = p.path(secretFiles('production').key);
    renameSync(key, `${key}.away`);
    try {
      await assert.rejects(
        resolve('production'),
        expectCode('EW_SECRET_KEY_MISSING', (error) => {
          assert.equal(error.kind, 'refused');
          assert.ok(error.message.includes('ENVWARD_KEY_PRODUCTION'), error.message);
          assert.ok(error.message.includes('.envward/keys/production.key'), error.message);
          assert.ok(
            error.hint.includes('ENVWARD_KEY_PRODUCTION') && error.hint.includes('.envward/keys/production.key'),
          );
          assert.equal(error.details.variable, 'ENVWARD_KEY_PRODUCTION');
          assert.equal(error.details.file, '.envward/keys/production.key');
        }),
      );
      await assert.rejects(
        resolve('eu-production'),
        expectCode('EW_SECRET_KEY_MISSING', (error) => {
          assert.ok(error.message.includes('ENVWARD_KEY_EU_PRODUCTION'), error.message);
          assert.ok(error.message.includes('.envward/keys/eu-production.key'), error.message);
        }),
      );
    } finally {
      renameSync(`${key}.away`, key);
    }
  });

  test('development without its key resolves with a warning and the secret keys unset', async () => {
    const key = p.path(secretFiles('development').key);
    renameSync(key, `${key}.away`);
    try {
      const resolved = await resolve('development');
      assert.equal(resolved.values.payments.apiKey, undefined);
      assert.equal(resolved.values.database.password, undefined);
      assert.deepEqual(resolved.secretValues(), []);
      assert.equal(resolved.warnings.length, 1, JSON.stringify(resolved.warnings));
      assert.equal(resolved.warnings[0]?.code, 'EW_WARN_SECRETS_LOCKED');
      assert.match(resolved.warnings[0]?.message ?? '', /ENVWARD_KEY_DEVELOPMENT/);
      assert.match(resolved.warnings[0]?.message ?? '', /\.envward\/keys\/development\.key/);
      assert.equal(resolved.explain('payments.apiKey').winner, undefined);
      // A custom development-tier environment behaves the same (its key was only printed).
      const dev2 = await resolve('dev2');
      assert.equal(dev2.values.payments.apiKey, undefined);
      assert.match(dev2.warnings.map((w) => w.message).join('\n'), /ENVWARD_KEY_DEV2/);
    } finally {
      renameSync(`${key}.away`, key);
    }
  });

  test('the key given as ENVWARD_KEY_<ENV> works, with `-` as `_`', async () => {
    const eu = values['eu-production'];
    const euKey = printed['eu-production'];
    assert.ok(eu && euKey);
    assert.equal(p.exists(secretFiles('eu-production').key), false, 'keygen --print wrote no key file');
    const resolved = await resolve('eu-production', { variables: { ENVWARD_KEY_EU_PRODUCTION: euKey } });
    assert.equal(resolved.values.payments.apiKey, eu.apiKey);
    assert.equal(resolved.values.database.password, eu.password);
    const dev2 = await resolve('dev2', { variables: { ENVWARD_KEY_DEV2: `  ${printed.dev2}\n` } });
    assert.equal(dev2.values.payments.apiKey, values.dev2?.apiKey, 'surrounding whitespace is trimmed');
    assert.deepEqual(dev2.warnings, []);
  });

  test('production by variable when no key file is here', async () => {
    const key = p.path(secretFiles('production').key);
    const text = p.read(secretFiles('production').key);
    renameSync(key, `${key}.away`);
    try {
      const resolved = await resolve('production', { variables: { ENVWARD_KEY_PRODUCTION: privateKeyIn(text) } });
      assert.equal(resolved.values.payments.apiKey, values.production?.apiKey);
    } finally {
      renameSync(`${key}.away`, key);
    }
  });

  test("another environment's key is EW_SECRET_KEY_WRONG saying where it came from, never printing a key", async () => {
    const stagingKey = privateKeyIn(p.read(secretFiles('staging').key));
    const productionKey = privateKeyIn(p.read(secretFiles('production').key));
    // The variable is looked at first, so it is used even though the key file is right.
    await assert.rejects(
      resolve('production', { variables: { ENVWARD_KEY_PRODUCTION: stagingKey } }),
      expectCode('EW_SECRET_KEY_WRONG', (error) => {
        assert.match(error.message, /\$ENVWARD_KEY_PRODUCTION/);
        assert.match(error.message, /production/);
        assert.equal(error.details.where, '$ENVWARD_KEY_PRODUCTION');
        for (const secret of [stagingKey, productionKey]) {
          assert.ok(!JSON.stringify(error.toJSON()).includes(secret.slice(7)), 'no private key in the error');
        }
      }),
    );
    await assert.rejects(
      resolve('production', { variables: { ENVWARD_KEY_PRODUCTION: 'not-a-key' } }),
      expectCode('EW_SECRET_KEY_WRONG', (error) => assert.match(error.message, /not an envward private key/)),
    );
    await assert.rejects(
      resolve('production', { variables: { ENVWARD_KEY_PRODUCTION: productionKey.replace('ewkey1_', 'ewpub1_') } }),
      expectCode('EW_SECRET_KEY_WRONG'),
      'a public key in place of the private one',
    );
    // A wrong key file, in a development environment too: a wrong key is never just a warning.
    const devKey = p.path(secretFiles('development').key);
    const saved = p.read(secretFiles('development').key);
    copyFileSync(p.path(secretFiles('staging').key), devKey);
    try {
      await assert.rejects(
        resolve('development'),
        expectCode('EW_SECRET_KEY_WRONG', (error) => {
          assert.equal(error.details.where, '.envward/keys/development.key');
          assert.ok(error.message.includes('.envward/keys/development.key'));
        }),
      );
    } finally {
      p.write(secretFiles('development').key, saved, 0o600);
      chmodSync(devKey, 0o600);
    }
  });

  test('a corrupted or truncated value is EW_SECRET_DECRYPT naming key and file:line; nothing resolves', async () => {
    const file = secretFiles('staging').secrets;
    const original = p.read(file);
    const lines = original.split('\n');
    const recordLine = lineOf(original, '  database.password:');
    const valueIndex = lines.findIndex((line, index) => index >= recordLine && line.trimStart().startsWith('value:'));
    const valueText = lines[valueIndex] as string;
    const payload = valueText.slice(valueText.lastIndexOf(':') + 1);
    const middle = Math.floor(payload.length / 2);
    const flipped = `${payload.slice(0, middle)}${payload[middle] === 'A' ? 'B' : 'A'}${payload.slice(middle + 1)}`;
    const variants = {
      corrupted: valueText.replace(payload, flipped),
      truncated: valueText.replace(payload, payload.slice(0, -6)),
      'moved from another key': (() => {
        const apiIndex = lines.findIndex(
          (line, index) => index > lineOf(original, '  payments.apiKey:') - 1 && line.trimStart().startsWith('value:'),
        );
        return (lines[apiIndex] as string).replace(/^\s+/, '    ');
      })(),
    };
    try {
      for (const [name, replacement] of Object.entries(variants)) {
        const edited = [...lines];
        edited[valueIndex] = replacement;
        p.write(file, edited.join('\n'));
        await assert.rejects(
          resolve('staging'),
          expectCode('EW_SECRET_DECRYPT', (error) => {
            assert.equal(error.details.key, 'database.password', name);
            assert.equal(error.details.file, file);
            assert.equal(error.details.line, recordLine);
            assert.ok(error.message.includes(`${file}:${recordLine}`), error.message);
            assert.ok(error.message.includes('database.password'));
            assertNoCanary(JSON.stringify(error.toJSON()), all, `EW_SECRET_DECRYPT (${name})`);
          }),
          name,
        );
      }
      // collectIssues does not turn it into a partial result either.
      await assert.rejects(resolve('staging', { collectIssues: true }), expectCode('EW_SECRET_DECRYPT'));
    } finally {
      p.write(file, original);
    }
    const restored = await resolve('staging');
    assert.equal(restored.values.database.password, values.staging?.password);
  });

  test('a key file others can read: a warning in development, EW_SECRET_KEY_PERMISSIONS in production', async () => {
    const devKey = p.path(secretFiles('development').key);
    const prodKey = p.path(secretFiles('production').key);
    chmodSync(devKey, 0o644);
    chmodSync(prodKey, 0o640);
    try {
      const resolved = await resolve('development');
      assert.equal(resolved.values.payments.apiKey, values.development?.apiKey, 'development still reads it');
      assert.deepEqual(
        resolved.warnings.map((w) => w.code),
        ['EW_WARN_KEY_EXPOSED'],
      );
      assert.match(resolved.warnings[0]?.message ?? '', /development\.key.*(chmod 600|readable)/);
      await assert.rejects(
        resolve('production'),
        expectCode('EW_SECRET_KEY_PERMISSIONS', (error) => {
          assert.equal(error.kind, 'refused');
          assert.ok(error.message.includes('.envward/keys/production.key'));
          assert.match(error.hint, /chmod 600/);
        }),
      );
      // A variable is not a file: with the key given that way the loose file is not consulted.
      const viaVariable = await resolve('production', {
        variables: { ENVWARD_KEY_PRODUCTION: privateKeyIn(p.read(secretFiles('production').key)) },
      });
      assert.equal(viaVariable.values.payments.apiKey, values.production?.apiKey);
    } finally {
      chmodSync(devKey, 0o600);
      chmodSync(prodKey, 0o600);
    }
  });

  test('a secret() key in a plain file of a protected environment is EW_RULE_SECRET_PLAIN with file:line', async () => {
    const plain = makeCanary('plain');
    const settings = 'config/environments/production/settings.yml';
    const dotenv = 'config/environments/production/.env';
    p.write(settings, `# production\napp:\n  name: prod\npayments:\n  apiKey: ${plain}\n`);
    p.write(dotenv, `# production\nDATABASE_PASSWORD=${plain}\n`);
    try {
      const resolved = await resolve('production', { collectIssues: true });
      const issues = resolved.issues.filter((issue) => issue.code === 'EW_RULE_SECRET_PLAIN');
      const byKey = new Map(issues.map((issue) => [issue.key, issue]));
      assert.equal(byKey.get('payments.apiKey')?.file, settings);
      assert.equal(byKey.get('payments.apiKey')?.line, 5);
      assert.equal(byKey.get('database.password')?.file, dotenv);
      assert.equal(byKey.get('database.password')?.line, 2);
      assertNoCanary(JSON.stringify(resolved.issues), [plain, ...all], 'EW_RULE_SECRET_PLAIN issues');
      await assert.rejects(
        resolve('production'),
        expectCode('EW_CONFIG_INVALID', (error) => assertNoCanary(JSON.stringify(error.toJSON()), [plain], 'error')),
      );
      // In a development tier the same files are allowed.
      p.write('config/environments/development/settings.yml', `payments:\n  apiKey: ${plain}\n`);
      const development = await resolve('development', { collectIssues: true });
      assert.deepEqual(
        development.issues.filter((issue) => issue.code === 'EW_RULE_SECRET_PLAIN'),
        [],
      );
    } finally {
      p.remove(settings);
      p.remove(dotenv);
      p.remove('config/environments/development/settings.yml');
    }
  });

  test('secrets of an environment never leak into another', async () => {
    const staging = await resolve('staging');
    const production = await resolve('production');
    assert.equal(staging.values.payments.apiKey, values.staging?.apiKey);
    assert.notEqual(staging.values.payments.apiKey, production.values.payments.apiKey);
    const qa = await resolve('qa', { collectIssues: true });
    assert.equal(qa.values.payments.apiKey, undefined, 'qa has no secrets of its own');
    assert.ok(qa.issues.some((issue) => issue.code === 'EW_RULE_SECRET_UNSET' && issue.key === 'payments.apiKey'));
  });
});
