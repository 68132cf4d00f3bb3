import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type ConfigDiff,
  diffConfigs,
  type KeyDifference,
  MASK,
  openProject,
  type Project,
  resolveConfig,
} from '../../src/index.ts';
import { runCli } from '../support/run-cli.ts';
import { STANDARD_SECRETS, secretVariables, type TempProject, writeStandardProject } from '../support/temp-project.ts';

const DEV_KEY = 'sk_dev_sandbox_11aa';
const TEST_KEY = 'sk_test_sandbox_22bb';

let temp: TempProject;
let project: Project;

before(async () => {
  temp = writeStandardProject({
    schemaGroups: 'cache: z.object({ url: z.string().optional(), ttl: z.number().optional() }),',
    files: {
      'config/environments/staging/settings.yml':
        'database:\n  url: postgres://staging-db/app\ncache:\n  url: redis://staging\n',
      'config/environments/production/settings.yml':
        'log:\n  level: warn\ndatabase:\n  url: postgres://prod-db/app\ncache:\n  ttl: 60\n',
      'config/environments/development/.env': `PAYMENTS_API_KEY=${DEV_KEY}\n`,
      'config/environments/test/.env': `PAYMENTS_API_KEY=${TEST_KEY}\n`,
    },
  });
  project = await openProject(temp.dir);
});
after(() => temp.cleanup());

async function diff(a: string, b: string, variables: { a?: Record<string, string>; b?: Record<string, string> } = {}) {
  const resolve = (env: string, extra: Record<string, string> | undefined) =>
    resolveConfig({ project, env, hostname: 'h', variables: { ...secretVariables(env), ...extra }, checkHost: false });
  return diffConfigs(await resolve(a, variables.a), await resolve(b, variables.b));
}

const byKey = (result: ConfigDiff) => new Map(result.differences.map((d) => [d.key, d] as const));
const get = (result: ConfigDiff, key: string): KeyDifference => {
  const difference = byKey(result).get(key);
  assert.ok(difference, `${key} is listed`);
  return difference;
};

function assertNoSecretValue(result: ConfigDiff) {
  const text = JSON.stringify(result);
  for (const value of [...Object.values(STANDARD_SECRETS), DEV_KEY, TEST_KEY]) {
    assert.ok(!text.includes(value), `the diff leaks ${value}`);
  }
}

describe('diffConfigs', () => {
  test('names both environments and lists only the keys that differ', async () => {
    const result = await diff('staging', 'production');
    assert.equal(result.a, 'staging');
    assert.equal(result.b, 'production');
    assert.deepEqual(
      result.differences.map((d) => [d.key, d.kind]),
      [
        // The project's own keys in schema order, then the settings of \`use\` (log, database).
        ['payments.apiKey', 'changed'],
        ['cache.url', 'only-a'],
        ['cache.ttl', 'only-b'],
        ['log.level', 'changed'],
        ['database.url', 'changed'],
      ],
    );
    const keys = new Set(result.differences.map((d) => d.key));
    for (const same of ['app.name', 'app.port', 'app.debug']) assert.ok(!keys.has(same), `${same} is the same`);
  });

  test('a changed key carries each side with its value and source', async () => {
    const result = await diff('staging', 'production');
    assert.deepEqual(get(result, 'database.url'), {
      key: 'database.url',
      kind: 'changed',
      secret: false,
      a: { value: 'postgres://staging-db/app', source: 'config/environments/staging/settings.yml:2' },
      b: { value: 'postgres://prod-db/app', source: 'config/environments/production/settings.yml:4' },
    });
    assert.deepEqual(get(result, 'log.level'), {
      key: 'log.level',
      kind: 'changed',
      secret: false,
      a: { value: 'info', source: 'config/base.yml:5' },
      b: { value: 'warn', source: 'config/environments/production/settings.yml:2' },
    });
  });

  test('a key set only in a is only-a (no b side); only in b is only-b (no a side)', async () => {
    const result = await diff('staging', 'production');
    assert.deepEqual(get(result, 'cache.url'), {
      key: 'cache.url',
      kind: 'only-a',
      secret: false,
      a: { value: 'redis://staging', source: 'config/environments/staging/settings.yml:4' },
    });
    assert.deepEqual(get(result, 'cache.ttl'), {
      key: 'cache.ttl',
      kind: 'only-b',
      secret: false,
      b: { value: 60, source: 'config/environments/production/settings.yml:6' },
    });
    const reversed = await diff('production', 'staging');
    assert.equal(get(reversed, 'cache.url').kind, 'only-b');
    assert.equal(get(reversed, 'cache.ttl').kind, 'only-a');
  });

  test('a value set from a variable is described by the variable', async () => {
    const result = await diff('development', 'test', { b: { APP_PORT: '9999' } });
    const port = get(result, 'app.port');
    assert.equal(port.kind, 'changed');
    assert.deepEqual(port.b, { value: 9999, source: '$APP_PORT' });
  });

  test('an environment compared with itself differs in nothing but its secret keys, shown as same', async () => {
    const result = await diff('staging', 'staging');
    assert.deepEqual(result.differences, [
      {
        key: 'payments.apiKey',
        kind: 'same',
        secret: true,
        a: { value: MASK, source: '$PAYMENTS_API_KEY' },
        b: { value: MASK, source: '$PAYMENTS_API_KEY' },
      },
    ]);
  });
});

describe('secrets in diffs', () => {
  test('differing secrets are listed as changed (the CLI says "differs"), both values masked', async () => {
    const result = await diff('development', 'test');
    const key = get(result, 'payments.apiKey');
    assert.equal(key.secret, true);
    assert.equal(key.kind, 'changed');
    assert.equal(key.a?.value, MASK);
    assert.equal(key.b?.value, MASK);
    assert.equal(key.a?.source, 'config/environments/development/.env:1');
    assertNoSecretValue(result);
  });

  test('equal secrets in two environments are listed as same, masked', async () => {
    const shared = { PAYMENTS_API_KEY: 'sk_shared_33cc' };
    const result = await diff('staging', 'qa', { a: shared, b: shared });
    const key = get(result, 'payments.apiKey');
    assert.equal(key.kind, 'same');
    assert.equal(key.a?.value, MASK);
    assert.equal(key.b?.value, MASK);
    assert.ok(!JSON.stringify(result).includes('sk_shared_33cc'));
  });

  test('secrets of different lengths look the same: the mask has a fixed length', async () => {
    const result = await diff('staging', 'production', {
      a: { PAYMENTS_API_KEY: 'x' },
      b: { PAYMENTS_API_KEY: 'a-much-longer-secret-value-0123456789' },
    });
    const key = get(result, 'payments.apiKey');
    assert.equal(key.kind, 'changed');
    assert.equal(key.a?.value, key.b?.value);
  });

  test('a secret set in one environment only is masked on its side', async () => {
    const result = await diff('development', 'staging');
    const key = get(result, 'payments.apiKey');
    assert.equal(key.kind, 'changed');
    assertNoSecretValue(result);

    temp.write('config/environments/test/.env', '');
    const oneSided = await diff('test', 'staging');
    temp.write('config/environments/test/.env', `PAYMENTS_API_KEY=${TEST_KEY}\n`);
    const only = get(oneSided, 'payments.apiKey');
    assert.equal(only.kind, 'only-b');
    assert.equal(only.a, undefined);
    assert.deepEqual(only.b, { value: MASK, source: '$PAYMENTS_API_KEY' });
    assertNoSecretValue(oneSided);
  });
});

describe('an invalid side', () => {
  test('is compared as far as it resolves, its issues carried; the secret stays masked', async () => {
    const resolve = (env: string, variables: Record<string, string>) =>
      resolveConfig({ project, env, hostname: 'h', variables, checkHost: false, collectIssues: true });
    const staging = await resolve('staging', secretVariables('staging'));
    // production without its secret, and a port out of range (the schema fails, so tier rules do not run).
    const production = await resolve('production', { APP_PORT: '70000' });
    const result = diffConfigs(staging, production);
    assert.deepEqual(result.issues.a, []);
    assert.deepEqual(
      result.issues.b.map((issue) => [issue.code, issue.key]),
      [['EW_CONFIG_TYPE', 'app.port']],
    );
    assert.deepEqual(get(result, 'app.port').b, { value: 70000, source: '$APP_PORT' });
    assert.equal(get(result, 'database.url').kind, 'changed', 'the valid keys are compared');
    assertNoSecretValue(result);
  });

  test('config diff marks it, lists its issues, and exits 1 (--json too)', async () => {
    const env = { APP_PORT: '70000', ...secretVariables('production') };
    const [human, json] = await Promise.all([
      // Their databases are not reachable from here: compared without runtime revisions (no warning).
      runCli(['config', 'diff', 'staging', 'production', '--cwd', temp.dir, '--no-revisions'], { env }),
      runCli(['config', 'diff', 'staging', 'production', '--cwd', temp.dir, '--json', '--no-revisions'], { env }),
    ]);
    for (const run of [human, json]) assert.equal(run.code, 1, run.stderr);
    // APP_PORT applies to both sides here: both are invalid.
    assert.match(human.stdout, /^invalid {2}staging \(1 problem; .*\n {2}- app\.port \[staging\] at \$APP_PORT: /m);
    assert.match(human.stdout, /^ {2}database\.url: changed$/m, 'the rest is still compared');
    assert.equal(human.stderr, '');
    const parsed = JSON.parse(json.stdout) as ConfigDiff & { valid: boolean };
    assert.equal(parsed.valid, false);
    assert.equal(parsed.issues.b[0]?.code, 'EW_CONFIG_TYPE');
    assert.ok(parsed.differences.some((d) => d.key === 'database.url'));
    assert.ok(!human.stdout.includes(STANDARD_SECRETS.production as string));
  });
});
