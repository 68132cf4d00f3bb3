/**
 * Where integration modes show: `envward config validate` and `envward
 * preflight` (text and --json) refuse a mock in production and list each
 * integration's mode and host; `GET /environment` answers the modes. The API
 * key, a canary, shows in none of them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EnvironmentInfo } from '../../src/http/index.ts';
import type { PreflightReport } from '../../src/preflight/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { type HttpProject, makeHttpProject } from '../support/http-project.ts';
import { cli, describeRun } from '../support/secrets-project.ts';
import { type TempProject, writeStandardProject } from '../support/temp-project.ts';

const paymentsKey = makeCanary('integrationkey');
const standardKey = makeCanary('standardkey');
/** The deploy's variables: production detected, both secrets given. */
const DEPLOY = {
  ENVWARD_ENV: 'production',
  INTEGRATIONS_PAYMENTS_API_KEY: paymentsKey,
  PAYMENTS_API_KEY: standardKey,
};

function productionSettings(integrations: string): Record<string, string> {
  return {
    'config/environments/production/settings.yml': `log:\n  level: warn\ndatabase:\n  url: sqlite:var/production/app.db\nintegrations:\n${integrations}`,
  };
}

const LIVE =
  '  payments:\n    baseUrl: https://user-free.pay.example.com/v1/secret-path\n  kyc:\n    baseUrl: http://127.0.0.1:8099\n';
const MOCK = `${LIVE.replace('  kyc:', '    mode: mock\n  kyc:')}`;

describe('envward config validate and preflight', () => {
  let live: TempProject;
  let mock: TempProject;
  const outputs: string[] = [];
  before(() => {
    const options = {
      prelude: "import { integrations } from 'envward/outbound';",
      use: 'integrations({ payments: {}, kyc: { apiKey: false } })',
    };
    live = writeStandardProject({ ...options, files: productionSettings(LIVE) });
    mock = writeStandardProject({ ...options, files: productionSettings(MOCK) });
  });
  after(() => {
    live.cleanup();
    mock.cleanup();
    assertNoCanary(outputs.join('\n'), [paymentsKey, standardKey], 'config validate and preflight output');
  });

  /** Runs the CLI; `code` undefined: any exit (the production database is never created here, so preflight's database check fails). */
  async function run(project: TempProject, args: string[], code: number | undefined) {
    const result = await cli(project.dir, args, { env: DEPLOY });
    outputs.push(result.stdout, result.stderr);
    if (code !== undefined) assert.equal(result.code, code, describeRun(args, result));
    return result;
  }

  test('mock in production fails config validate with EW_RULE_INTEGRATION_MOCK at the settings file', async () => {
    const text = await run(mock, ['config', 'validate', '--env', 'production'], 1);
    assert.match(text.stdout + text.stderr, /EW_RULE_INTEGRATION_MOCK/);
    assert.match(text.stdout + text.stderr, /integrations\.payments\.mode/);
    assert.match(text.stdout + text.stderr, /environments\/production\/settings\.yml:8/);
    await run(live, ['config', 'validate', '--env', 'production'], 0);
  });

  test('mock in production fails preflight: the integrations check lists each mode and host, never a path', async () => {
    const result = await run(mock, ['preflight', 'production', '--json'], 1);
    const report = JSON.parse(result.stdout) as PreflightReport;
    assert.deepEqual(report.integrations, [
      { name: 'payments', mode: 'mock', host: null },
      { name: 'kyc', mode: 'live', host: '127.0.0.1:8099' },
    ]);
    const check = report.checks.find((each) => each.name === 'integrations');
    assert.equal(check?.status, 'fail');
    assert.deepEqual(
      check?.findings.map((finding) => [finding.code, finding.key]),
      [['EW_RULE_INTEGRATION_MOCK', 'integrations.payments.mode']],
    );
    const config = report.checks.find((each) => each.name === 'config');
    assert.equal(config?.status, 'pass', 'the mode finding is reported once, under integrations');

    const text = await run(mock, ['preflight', 'production'], 1);
    assert.match(text.stdout, /^ {2}FAIL {4}integrations payments mock, kyc live$/m);
    assert.match(text.stdout, /^ {11}payments {2}mock {5}\(in process\)$/m);
    assert.match(text.stdout, /^ {11}kyc {7}live {5}127\.0\.0\.1:8099$/m);
  });

  test('live in production passes the integrations check, listing the hosts only', async () => {
    const result = await run(live, ['preflight', 'production', '--json'], undefined);
    const report = JSON.parse(result.stdout) as PreflightReport;
    assert.equal(report.checks.find((each) => each.name === 'integrations')?.status, 'pass', result.stdout);
    assert.equal(report.checks.find((each) => each.name === 'config')?.status, 'pass', result.stdout);
    assert.deepEqual(report.integrations, [
      { name: 'payments', mode: 'live', host: 'user-free.pay.example.com' },
      { name: 'kyc', mode: 'live', host: '127.0.0.1:8099' },
    ]);
    assert.doesNotMatch(result.stdout, /secret-path/);
  });

  test('a project without integrations has no integrations check and no integrations field', async () => {
    const plain = writeStandardProject();
    try {
      const result = await run(plain, ['preflight', 'production', '--json'], undefined);
      const report = JSON.parse(result.stdout) as PreflightReport;
      assert.equal(report.integrations, undefined);
      assert.ok(!report.checks.some((each) => each.name === 'integrations'));
    } finally {
      plain.cleanup();
    }
  });
});

describe('GET /environment', () => {
  let project: HttpProject;
  before(() => {
    project = makeHttpProject({
      files: {
        'envward.config.ts': `import { database, defineConfig, http, secret, z } from 'envward';
import { integrations } from 'envward/outbound';

export default defineConfig({
  project: 'http-test',
  use: [http, database, integrations({ payments: {}, kyc: {} })],
  schema: z.object({ app: z.object({ name: z.string().default('http-test') }) }),
});
`,
      },
      settings: {
        development: 'integrations:\n  payments:\n    mode: sandbox\n    baseUrl: https://sandbox.pay.example\n',
      },
    });
  });
  after(() => project.cleanup());

  test('shows each integration mode, the API key masked in config and nowhere in the body', async () => {
    const { app } = await project.server('development', {
      store: false,
      resolve: { variables: { INTEGRATIONS_PAYMENTS_API_KEY: paymentsKey } },
    });
    const response = await app.inject({ url: '/environment' });
    assert.equal(response.statusCode, 200);
    const info = response.json() as EnvironmentInfo;
    assert.deepEqual(info.integrations, { payments: 'sandbox', kyc: 'mock' });
    assert.equal(info.config['integrations.payments.apiKey'], '••••••');
    assertNoCanary(response.body + JSON.stringify(response.headers), [paymentsKey], '/environment');
  });
});
