import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { describeSource } from '../../src/config/index.ts';
import {
  ConfigKeyUnknownError,
  MASK,
  openProject,
  type Project,
  type ResolvedConfig,
  resolveConfig,
} from '../../src/index.ts';
import { type TempProject, writeStandardProject } from '../support/temp-project.ts';

const SECRETS = {
  projectDotenv: 'sk_project_dotenv_71c2',
  settings: 'sk_settings_yaml_3b9e',
  environmentDotenv: 'sk_env_dotenv_a04f',
  processEnv: 'sk_process_env_e6d5',
} as const;

const SETTINGS = `# development settings
# (comments and blank lines count as lines)

database:
  url: postgres://settings/app
app:
  port: 4000
payments:
  apiKey: ${SECRETS.settings}
log.level: warn
`;

let temp: TempProject;
let project: Project;
let resolved: ResolvedConfig<unknown>;

before(async () => {
  temp = writeStandardProject({
    files: {
      'config/base.yml': '# base\napp:\n  name: explained\n  port: 3000\n',
      '.env': `# project .env\n\nAPP_PORT=3500\nPAYMENTS_API_KEY=${SECRETS.projectDotenv}\n`,
      'config/environments/development/settings.yml': SETTINGS,
      'config/environments/development/.env': `export PAYMENTS_API_KEY="${SECRETS.environmentDotenv}"\n`,
    },
  });
  project = await openProject(temp.dir);
  resolved = await resolveConfig({
    project,
    env: 'development',
    hostname: 'h',
    variables: { APP_PORT: '5000', PAYMENTS_API_KEY: SECRETS.processEnv },
  });
});
after(() => temp.cleanup());

describe('explain', () => {
  test('names the winning layer with its file and 1-based line and column', () => {
    const explanation = resolved.explain('database.url');
    assert.equal(explanation.key, 'database.url');
    assert.equal(explanation.value, 'postgres://settings/app');
    assert.equal(explanation.secret, false);
    assert.deepEqual(explanation.winner, {
      key: 'database.url',
      value: 'postgres://settings/app',
      source: {
        layer: 'environment-file',
        file: 'config/environments/development/settings.yml',
        line: 5,
        column: 3,
      },
    });
    assert.deepEqual(explanation.overridden, []);
    assert.equal(
      describeSource(explanation.winner?.source ?? { layer: 'explicit' }),
      'config/environments/development/settings.yml:5',
    );
  });

  test('a dotted YAML key is located at its own line', () => {
    assert.deepEqual(resolved.explain('log.level').winner?.source, {
      layer: 'environment-file',
      file: 'config/environments/development/settings.yml',
      line: 10,
      column: 1,
    });
  });

  test('lists every overridden value lowest layer first, each with its source', () => {
    const explanation = resolved.explain('app.port');
    assert.equal(explanation.value, 5000);
    assert.deepEqual(explanation.winner?.source, { layer: 'process-env', variable: 'APP_PORT' });
    assert.deepEqual(
      explanation.overridden.map((entry) => [entry.source.layer, entry.value, describeSource(entry.source)]),
      [
        ['schema-defaults', 3000, 'schema-defaults'],
        ['base-file', 3000, 'config/base.yml:4'],
        ['project-dotenv', 3500, '.env:3'],
        ['environment-file', 4000, 'config/environments/development/settings.yml:7'],
      ],
    );
    assert.equal(describeSource(explanation.winner?.source ?? { layer: 'explicit' }), '$APP_PORT');
  });

  test('a key only the schema sets is won by the schema default, with nothing overridden', () => {
    const other = resolved.explain('app.debug');
    assert.equal(other.value, false);
    assert.equal(other.winner?.source.layer, 'schema-defaults');
    assert.deepEqual(other.overridden, []);
  });

  test('explaining a key the schema does not declare is EW_CONFIG_KEY', () => {
    assert.throws(() => resolved.explain('database.uri'), ConfigKeyUnknownError);
    assert.throws(() => resolved.explain('database'), { code: 'EW_CONFIG_KEY' });
  });
});

describe('secrets in explain', () => {
  test('the value of a secret key is still available to the program', () => {
    const values = resolved.values as { payments: { apiKey: string } };
    assert.equal(values.payments.apiKey, SECRETS.processEnv);
    assert.equal(resolved.isSecret('payments.apiKey'), true);
    assert.equal(resolved.isSecret('database.url'), false);
  });

  test('explain masks the value, the winner and every overridden value of a secret key', () => {
    const explanation = resolved.explain('payments.apiKey');
    assert.equal(explanation.secret, true);
    assert.equal(explanation.value, MASK);
    assert.equal(explanation.winner?.value, MASK);
    assert.deepEqual(explanation.winner?.source, { layer: 'process-env', variable: 'PAYMENTS_API_KEY' });
    assert.deepEqual(
      explanation.overridden.map((entry) => [entry.source.layer, entry.source.line, entry.value]),
      [
        ['project-dotenv', 4, MASK],
        ['environment-file', 9, MASK],
        ['environment-dotenv', 1, MASK],
      ],
    );
    const text = JSON.stringify(explanation);
    for (const value of Object.values(SECRETS)) assert.ok(!text.includes(value), `explain leaks ${value}`);
  });

  test('MASK has a fixed length, whatever the length of the secret', async () => {
    const short = await resolveConfig({
      project,
      env: 'development',
      hostname: 'h',
      variables: { PAYMENTS_API_KEY: 'x' },
    });
    assert.equal(short.explain('payments.apiKey').value, MASK);
    assert.equal(short.explain('payments.apiKey').value, resolved.explain('payments.apiKey').value);
  });

  test('an unset secret is shown as unset, not as the mask', async (t) => {
    const bare = writeStandardProject();
    t.after(() => bare.cleanup());
    const result = await resolveConfig({ cwd: bare.dir, env: 'development', hostname: 'h', variables: {} });
    const explanation = result.explain('payments.apiKey');
    assert.equal(explanation.value, undefined);
    assert.equal(explanation.winner, undefined);
    assert.deepEqual(explanation.overridden, []);
  });

  test('a file holding a secret value is not copied into the YAML parse cache', () => {
    const cacheHome = process.env.XDG_CACHE_HOME;
    assert.ok(cacheHome, 'temp-project points XDG_CACHE_HOME at a private directory');
    const files = readdirSync(join(cacheHome, 'envward'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    assert.ok(
      files.some((file) => /yaml-[0-9a-f]+\.json$/.test(file)),
      'base.yml, which holds no secret, was cached',
    );
    for (const file of files) {
      const text = readFileSync(file, 'latin1');
      for (const value of Object.values(SECRETS)) assert.ok(!text.includes(value), `${file} holds ${value}`);
    }
  });
});
