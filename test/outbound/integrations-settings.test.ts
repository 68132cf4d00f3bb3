/**
 * The `integrations(...)` settings fragment: its tier defaults (mock,
 * sandbox, live), its tier rules (no mock in a protected environment, no
 * live outside production unless declared, a base URL for sandbox and live),
 * the listing functions, and declarations that are wrong.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ConfigIssue } from '../../src/errors.ts';
import { resolveConfig } from '../../src/index.ts';
import { integrationMode, integrationModes, integrations } from '../../src/outbound/index.ts';
import { secretVariables, type TempProject, writeStandardProject } from '../support/temp-project.ts';

const projects: TempProject[] = [];
after(() => {
  for (const project of projects) project.cleanup();
});

/** The standard project with `integrations(declaration)` in `use` and `settings` per environment. */
function project(declaration: string, settings: Readonly<Record<string, string>> = {}, extra = {}): TempProject {
  const files: Record<string, string> = {};
  const base: Record<string, string> = {
    development: 'app:\n  debug: true\nlog:\n  level: debug\ndatabase:\n  url: sqlite:var/development/app.db\n',
    test: 'app:\n  port: 0\nlog:\n  level: warn\ndatabase:\n  url: sqlite:var/test/app.db\n',
    staging: 'database:\n  url: postgres://staging-db/app\n',
    production: 'log:\n  level: warn\ndatabase:\n  url: postgres://prod-db/app\n',
    qa: 'database:\n  url: postgres://qa-db/app\n',
  };
  for (const [env, text] of Object.entries(base)) {
    files[`config/environments/${env}/settings.yml`] = text + (settings[env] ?? '');
  }
  const created = writeStandardProject({
    prelude: "import { integrations } from 'envward/outbound';",
    use: `integrations(${declaration})`,
    files,
    ...extra,
  });
  projects.push(created);
  return created;
}

const URLS =
  'integrations:\n  payments:\n    baseUrl: https://pay.example.com/v1\n  kyc:\n    baseUrl: https://kyc.example.com\n';

function resolve(dir: string, env: string, variables: Record<string, string> = {}) {
  return resolveConfig<unknown>({
    cwd: dir,
    env,
    variables: { ...secretVariables(env), ...variables },
    checkHost: false,
    collectIssues: true,
  });
}

const codes = (issues: readonly ConfigIssue[]) =>
  issues.filter((issue) => issue.key.startsWith('integrations.')).map((issue) => [issue.code, issue.key]);

/** Both keys set for the protected environments, as a deploy gives them. */
const KEYS = {
  INTEGRATIONS_PAYMENTS_API_KEY: 'sk_payments_5a9c1e77d2',
  INTEGRATIONS_KYC_API_KEY: 'sk_kyc_0b3f5d81e4',
};

describe('tier defaults', () => {
  const p = project('{ payments: {}, kyc: {} }', { staging: URLS, production: URLS, qa: URLS });

  for (const [env, mode] of [
    ['development', 'mock'],
    ['test', 'mock'],
    ['staging', 'sandbox'],
    ['qa', 'sandbox'],
    ['production', 'live'],
  ] as const) {
    test(`${env} runs every integration ${mode} by default, valid under its rules`, async () => {
      const resolved = await resolve(p.dir, env, KEYS);
      assert.deepEqual(resolved.issues, []);
      assert.equal(integrationMode(resolved, 'payments'), mode);
      assert.equal(resolved.explain('integrations.payments.mode').winner?.source.layer, 'tier-defaults');
      assert.deepEqual(
        integrationModes(resolved).map(({ name, mode: each }) => [name, each]),
        [
          ['payments', mode],
          ['kyc', mode],
        ],
      );
    });
  }

  test('the outbound tuning of each tier applies to each integration; the key is sent in authorization', async () => {
    const production = await resolve(p.dir, 'production', KEYS);
    const values = production.values as { integrations: { payments: Record<string, unknown> } };
    assert.equal(values.integrations.payments.retries, 3);
    assert.equal(values.integrations.payments.breakerHalfOpenAfterMs, 30_000);
    assert.equal(values.integrations.payments.apiKeyHeader, 'authorization');
    assert.equal(production.isSecret('integrations.payments.apiKey'), true);
    const development = await resolve(p.dir, 'development');
    assert.equal((development.values as typeof values).integrations.payments.timeoutMs, 2_000);
  });

  test('listings show the host of sandbox and live base URLs only: no path, no key', async () => {
    const production = await resolve(p.dir, 'production', KEYS);
    assert.deepEqual(integrationModes(production), [
      { name: 'payments', mode: 'live', host: 'pay.example.com' },
      { name: 'kyc', mode: 'live', host: 'kyc.example.com' },
    ]);
    const development = await resolve(p.dir, 'development');
    assert.deepEqual(
      integrationModes(development).map((listing) => listing.host),
      [null, null],
    );
  });

  test('an undeclared name is EW_INTEGRATION_CONFIG naming the declared ones', async () => {
    const resolved = await resolve(p.dir, 'development');
    assert.throws(() => integrationMode(resolved, 'billing'), {
      code: 'EW_INTEGRATION_CONFIG',
      message: /"billing" in development: envward\.config\.ts does not declare it \(declared: payments, kyc\)/,
    });
    for (const hostile of ['__proto__', 'constructor', '../x', '', 'a'.repeat(65), 'pay\nments']) {
      assert.throws(() => integrationMode(resolved, hostile), { code: 'EW_INTEGRATION_CONFIG' }, hostile);
    }
  });
});

describe('tier rules', () => {
  test('mock in staging, production and qa (staging tier) is EW_RULE_INTEGRATION_MOCK at its file and line', async () => {
    const mock = URLS.replace('  kyc:', '    mode: mock\n  kyc:');
    const p = project('{ payments: {}, kyc: {} }', { staging: mock, production: mock, qa: mock });
    for (const env of ['staging', 'production', 'qa']) {
      const resolved = await resolve(p.dir, env, KEYS);
      assert.deepEqual(codes(resolved.issues), [['EW_RULE_INTEGRATION_MOCK', 'integrations.payments.mode']], env);
      const [issue] = resolved.issues;
      assert.match(issue?.file ?? '', new RegExp(`environments/${env}/settings\\.yml$`));
      const text = readFileSync(join(p.dir, `config/environments/${env}/settings.yml`), 'utf8');
      assert.equal(issue?.line, text.split('\n').indexOf('    mode: mock') + 1);
      assert.match(issue?.message ?? '', /protected environment.*set integrations\.payments\.mode to (sandbox|live)/);
    }
  });

  test('live in staging without liveIn is EW_RULE_INTEGRATION_LIVE; with liveIn by name or tier it passes', async () => {
    const live = `${URLS}    mode: live\n`;
    const refused = project('{ payments: {}, kyc: {} }', { staging: live });
    const resolved = await resolve(refused.dir, 'staging', KEYS);
    assert.deepEqual(codes(resolved.issues), [['EW_RULE_INTEGRATION_LIVE', 'integrations.kyc.mode']]);
    assert.match(resolved.issues[0]?.message ?? '', /liveIn: \['staging'\]/);

    const byTier = project("{ payments: {}, kyc: { liveIn: ['staging'] } }", { staging: live, qa: live });
    assert.deepEqual(codes((await resolve(byTier.dir, 'staging', KEYS)).issues), []);
    assert.deepEqual(codes((await resolve(byTier.dir, 'qa', KEYS)).issues), [], 'qa is of the staging tier');

    const byName = project("{ payments: {}, kyc: { liveIn: ['qa'] } }", { staging: live, qa: live });
    assert.deepEqual(codes((await resolve(byName.dir, 'qa', KEYS)).issues), []);
    assert.deepEqual(
      codes((await resolve(byName.dir, 'staging', KEYS)).issues),
      [['EW_RULE_INTEGRATION_LIVE', 'integrations.kyc.mode']],
      'staging is not named',
    );
  });

  test('live in development is refused too; liveIn of its tier allows it', async () => {
    const live = 'integrations:\n  payments:\n    mode: live\n    baseUrl: https://pay.example.com\n';
    const refused = project('{ payments: {} }', { development: live });
    assert.deepEqual(codes((await resolve(refused.dir, 'development')).issues), [
      ['EW_RULE_INTEGRATION_LIVE', 'integrations.payments.mode'],
    ]);
    const allowed = project("{ payments: { liveIn: ['development'] } }", { development: live });
    assert.deepEqual(codes((await resolve(allowed.dir, 'development')).issues), []);
  });

  test('sandbox or live without a base URL is EW_RULE_REQUIRED at integrations.<name>.baseUrl', async () => {
    const p = project('{ payments: {} }', { development: 'integrations:\n  payments:\n    mode: sandbox\n' });
    assert.deepEqual(codes((await resolve(p.dir, 'development')).issues), [
      ['EW_RULE_REQUIRED', 'integrations.payments.baseUrl'],
    ]);
    assert.deepEqual(codes((await resolve(p.dir, 'production', KEYS)).issues), [
      ['EW_RULE_REQUIRED', 'integrations.payments.baseUrl'],
    ]);
  });

  test('the API key is a secret: unset in production it is EW_RULE_SECRET_UNSET; apiKey: false declares none', async () => {
    const p = project('{ payments: {}, kyc: { apiKey: false } }', { production: URLS });
    const resolved = await resolve(p.dir, 'production', { INTEGRATIONS_KYC_API_KEY: 'x' });
    assert.deepEqual(codes(resolved.issues), [['EW_RULE_SECRET_UNSET', 'integrations.payments.apiKey']]);
    assert.equal(resolved.keys.includes('integrations.kyc.apiKey'), false);
  });
});

describe('values that are wrong', () => {
  test('a base URL with credentials, a query or another scheme, and a hostile header name, are type issues', async () => {
    const p = project('{ payments: {} }', {
      development:
        'integrations:\n  payments:\n    baseUrl: "https://user:pw-canary@pay.example.com"\n    apiKeyHeader: "x-key\\r\\nx-evil: 1"\n',
      test: 'integrations:\n  payments:\n    baseUrl: "file:///etc/passwd"\n    apiKeyHeader: content-length\n',
    });
    const development = await resolve(p.dir, 'development');
    assert.deepEqual(codes(development.issues).sort(), [
      ['EW_CONFIG_TYPE', 'integrations.payments.apiKeyHeader'],
      ['EW_CONFIG_TYPE', 'integrations.payments.baseUrl'],
    ]);
    assert.doesNotMatch(JSON.stringify(development.issues), /pw-canary/);
    const testEnv = await resolve(p.dir, 'test');
    assert.deepEqual(codes(testEnv.issues).sort(), [
      ['EW_CONFIG_TYPE', 'integrations.payments.apiKeyHeader'],
      ['EW_CONFIG_TYPE', 'integrations.payments.baseUrl'],
    ]);
    assert.deepEqual(integrationModes(testEnv), [{ name: 'payments', mode: 'mock', host: null }]);
  });

  test('an API key with a line break or a space is refused without showing it', async () => {
    const p = project('{ payments: {} }');
    const resolved = await resolve(p.dir, 'development', { INTEGRATIONS_PAYMENTS_API_KEY: 'sk canary\r\nx-evil: 1' });
    assert.deepEqual(codes(resolved.issues), [['EW_CONFIG_TYPE', 'integrations.payments.apiKey']]);
    assert.doesNotMatch(JSON.stringify(resolved.issues), /canary|evil/);
  });

  test('huge and binary values are type issues that quote none of them', async () => {
    const p = project('{ payments: {} }');
    const canary = 'hostilecanary';
    const cases: Record<string, string>[] = [
      { INTEGRATIONS_PAYMENTS_API_KEY: `${canary}${'k'.repeat(5_000)}` },
      { INTEGRATIONS_PAYMENTS_API_KEY: `${canary}\u0000\u00ff\u{1F4A5}` },
      { INTEGRATIONS_PAYMENTS_BASE_URL: `https://pay.example.com/${canary}\u0000` },
      { INTEGRATIONS_PAYMENTS_BASE_URL: `https://pay.example.com/${canary}?token=1` },
      { INTEGRATIONS_PAYMENTS_MODE: `live\u0000${canary}` },
      { INTEGRATIONS_PAYMENTS_API_KEY_HEADER: `x-${canary}\u0000` },
    ];
    for (const variables of cases) {
      const resolved = await resolve(p.dir, 'development', variables);
      const [variable] = Object.keys(variables);
      assert.equal(codes(resolved.issues).length, 1, `${variable}: ${JSON.stringify(codes(resolved.issues))}`);
      assert.equal(codes(resolved.issues)[0]?.[0], 'EW_CONFIG_TYPE', variable);
      assert.doesNotMatch(JSON.stringify(resolved.issues), new RegExp(canary), variable);
    }
  });

  test('an unknown mode is a type issue and leaves the integration out of listings', async () => {
    const p = project('{ payments: {} }', { development: 'integrations:\n  payments:\n    mode: fake\n' });
    const resolved = await resolve(p.dir, 'development');
    assert.deepEqual(codes(resolved.issues), [['EW_CONFIG_TYPE', 'integrations.payments.mode']]);
    assert.deepEqual(integrationModes(resolved), []);
  });
});

describe('declarations that are wrong', () => {
  const wrong: [unknown, RegExp][] = [
    [null, /not an object of names/],
    [['payments'], /not an object of names/],
    [{ '9lives': {} }, /"9lives".*letters, digits/],
    [{ 'pay/../x': {} }, /letters, digits/],
    [{ payments: null }, /"payments".*not an object/],
    [{ payments: { liveln: ['staging'] } }, /"liveln" is not an option/],
    [{ payments: { liveIn: 'staging' } }, /liveIn is not a list/],
    [{ payments: { liveIn: ['../prod'] } }, /liveIn is not a list/],
    [{ payments: { apiKey: 'yes' } }, /apiKey is true or false/],
  ];
  for (const [declaration, message] of wrong) {
    test(`integrations(${JSON.stringify(declaration)}) is EW_INTEGRATION_CONFIG`, () => {
      assert.throws(() => integrations(declaration as never), { code: 'EW_INTEGRATION_CONFIG', message });
    });
  }

  test('a project file with a wrong declaration fails to load with EW_INTEGRATION_CONFIG', async () => {
    const p = project("{ payments: { liveIn: 'staging' } }");
    await assert.rejects(resolve(p.dir, 'development'), { code: 'EW_INTEGRATION_CONFIG' });
  });
});
