import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  cli,
  cliExpect,
  describeRun,
  json,
  keygenAll,
  makeSecretsProject,
  type SecretsProject,
  secretFiles,
  setSecret,
} from '../support/secrets-project.ts';

interface Check {
  name: string;
  status: string;
  findings: { code: string; key?: string }[];
  notes: string[];
}

// The deploy host runs as production: its key belongs there.
const ON_PRODUCTION_HOST = { env: { ENVWARD_ENV: 'production' } } as const;

function settings(env: string): Record<string, string> {
  return { [`config/environments/${env}/settings.yml`]: `database:\n  url: sqlite:var/${env}/app.db\n` };
}

function checkOf(result: { stdout: string }, name: string): Check {
  const checks = json(result as Parameters<typeof json>[0]).checks as Check[];
  const found = checks.find((check) => check.name === name);
  assert.ok(found, `no ${name} check in ${result.stdout}`);
  return found;
}

async function preflight(project: SecretsProject, env = 'production', extra: string[] = [], options = {}) {
  return cli(project.dir, ['preflight', env, '--json', ...extra], { ...ON_PRODUCTION_HOST, ...options });
}

describe('preflight <env>', () => {
  let project: SecretsProject;

  before(async () => {
    project = makeSecretsProject({ files: { ...settings('production'), ...settings('staging') } });
    await keygenAll(project.dir, ['staging', 'production']);
  });
  after(() => project.cleanup());

  test('production fails on a missing secret, naming the key, and passes once it is set and the database stamped', async () => {
    await setSecret(
      project.dir,
      'production',
      'database.password',
      'prod-db-password-7Hq2vX9pLm4R',
      ON_PRODUCTION_HOST,
    );
    const missing = await preflight(project);
    assert.equal(missing.code, 1, describeRun(['preflight'], missing));
    const secrets = checkOf(missing, 'secrets');
    assert.equal(secrets.status, 'fail');
    assert.ok(secrets.findings.some((f) => f.code === 'EW_RULE_SECRET_UNSET' && f.key === 'payments.apiKey'));
    // No database file yet: a failing check (never "reachable"), and preflight does not create it.
    assert.equal(checkOf(missing, 'database').status, 'fail');
    assert.equal(checkOf(missing, 'database').findings[0]?.code, 'EW_DB_MISSING');

    await setSecret(project.dir, 'production', 'payments.apiKey', 'prod-api-key-Zr8Nw2Kd5Tq1Ys', ON_PRODUCTION_HOST);
    await cliExpect(project.dir, ['db', 'stamp', '--env', 'production'], 0, ON_PRODUCTION_HOST);
    const clear = await preflight(project);
    assert.equal(clear.code, 0, describeRun(['preflight'], clear));
    assert.equal(json(clear).outcome, 'clear');
    assert.deepEqual(
      (json(clear).checks as Check[]).map((check) => [check.name, check.status]),
      [
        ['host', 'pass'],
        ['config', 'pass'],
        ['secrets', 'pass'],
        ['database', 'pass'],
        ['migrations', 'pass'],
      ],
    );
  });

  test('without the private key here, stored secrets count as present and are noted as not decrypted', async () => {
    const copy = makeSecretsProject({ files: settings('production') });
    try {
      await keygenAll(copy.dir, ['production']);
      await setSecret(copy.dir, 'production', 'database.password', 'prod-db-password-7Hq2vX9pLm4R', ON_PRODUCTION_HOST);
      await setSecret(copy.dir, 'production', 'payments.apiKey', 'prod-api-key-Zr8Nw2Kd5Tq1Ys', ON_PRODUCTION_HOST);
      await cliExpect(copy.dir, ['db', 'stamp', '--env', 'production'], 0, ON_PRODUCTION_HOST);
      copy.remove(secretFiles('production').key);
      const result = await preflight(copy);
      assert.equal(result.code, 0, describeRun(['preflight'], result));
      const secrets = checkOf(result, 'secrets');
      assert.equal(secrets.status, 'pass');
      assert.match(secrets.notes.join('\n'), /not decrypted: no private key here \(\$ENVWARD_KEY_PRODUCTION/);

      // A deploy variable over a sealed secret: found by name, without the key, and never printed.
      const shadow = 'shadowing-api-key-Qm3Vx8Rt2Lp6';
      const shadowed = await preflight(copy, 'production', [], {
        env: { ...ON_PRODUCTION_HOST.env, PAYMENTS_API_KEY: shadow },
      });
      assert.equal(shadowed.code, 1, describeRun(['preflight'], shadowed));
      const finding = checkOf(shadowed, 'secrets').findings.find((f) => f.code === 'EW_WARN_SECRET_SHADOWED');
      assert.equal(finding?.key, 'payments.apiKey');
      assert.ok(!`${shadowed.stdout}${shadowed.stderr}`.includes(shadow), 'the value is never printed');
    } finally {
      copy.cleanup();
    }
  });

  test('a value shared with another environment is a finding', async () => {
    await setSecret(project.dir, 'staging', 'payments.apiKey', 'prod-api-key-Zr8Nw2Kd5Tq1Ys');
    try {
      const result = await preflight(project);
      assert.equal(result.code, 1, describeRun(['preflight'], result));
      assert.ok(checkOf(result, 'secrets').findings.some((f) => f.code === 'EW_SCAN_SHARED_VALUE'));
    } finally {
      await cliExpect(project.dir, ['secrets', 'rm', 'payments.apiKey', '--env', 'staging'], 0);
    }
  });

  test('a pending destructive migration in production is a finding; a safe one is only listed', async () => {
    project.write(
      'migrations/001_create_notes.ts',
      "export async function up(db) {\n  await db.schema.createTable('notes').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('body', 'text').execute();\n}\n",
    );
    const safe = await preflight(project);
    assert.equal(safe.code, 0, describeRun(['preflight'], safe));
    assert.deepEqual(checkOf(safe, 'migrations').notes, ['pending: 001_create_notes']);

    project.write(
      'migrations/002_drop_body.ts',
      "export async function up(db) {\n  await db.schema.alterTable('notes').dropColumn('body').execute();\n}\n",
    );
    try {
      const result = await preflight(project);
      assert.equal(result.code, 1, describeRun(['preflight'], result));
      const migrations = checkOf(result, 'migrations');
      assert.equal(migrations.findings[0]?.code, 'EW_DESTRUCTIVE_MIGRATION');
      assert.match(JSON.stringify(migrations.findings[0]), /002_drop_body/);
    } finally {
      project.remove('migrations/002_drop_body.ts');
      project.remove('migrations/001_create_notes.ts');
    }
  });

  test('a database stamped for another environment is refused with exit 3', async () => {
    const other = makeSecretsProject({
      files: {
        'config/environments/development/settings.yml': 'database:\n  url: sqlite:var/shared.db\n',
        'config/environments/test/settings.yml': 'database:\n  url: sqlite:var/shared.db\n',
      },
    });
    try {
      await cliExpect(other.dir, ['db', 'stamp', '--env', 'test'], 0);
      const result = await cli(other.dir, ['preflight', 'development', '--json']);
      assert.equal(result.code, 3, describeRun(['preflight'], result));
      assert.equal(json(result).outcome, 'refused');
      assert.equal(checkOf(result, 'database').findings[0]?.code, 'EW_ENV_MISMATCH');
      assert.equal(checkOf(result, 'migrations').status, 'skipped');
    } finally {
      other.cleanup();
    }
  });

  test('an unknown environment is a usage error (exit 2) naming the known ones', async () => {
    const result = await cli(project.dir, ['preflight', 'prod']);
    assert.equal(result.code, 2, describeRun(['preflight', 'prod'], result));
    assert.match(result.stderr, /error\[EW_ENV_UNKNOWN\].*production/);
  });
});
