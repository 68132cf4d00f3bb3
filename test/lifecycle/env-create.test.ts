import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openProject, resolveConfig } from '../../src/index.ts';
import { createEnvironment } from '../../src/lifecycle/index.ts';
import { runCli } from '../support/run-cli.ts';
import { type TempProject, writeStandardProject } from '../support/temp-project.ts';

const projects: TempProject[] = [];
after(() => {
  for (const project of projects) project.cleanup();
});

function project(files: Record<string, string> = {}): TempProject {
  const made = writeStandardProject({ files });
  projects.push(made);
  return made;
}

/** Every file under config/ and .envward/, to prove a refusal wrote nothing. */
function tree(dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    const full = join(dir, relative);
    if (!existsSync(full)) return;
    for (const entry of readdirSync(full, { withFileTypes: true })) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else found.push(path);
    }
  };
  walk('config');
  walk('.envward');
  return found.sort();
}

describe('env create', () => {
  test('copies the settings but not where the database is, declares tier, colour and code, and makes a key pair', async () => {
    const { dir } = project({
      'config/environments/staging/settings.yml':
        '# staging\nlog:\n  level: warn # quiet\ndatabase:\n  url: postgres://db.internal/app_staging\n  poolSize: 7\n',
    });
    const created = await createEnvironment({ cwd: dir, name: 'uat', from: 'staging' });
    assert.equal(created.tier, 'staging');
    assert.equal(created.colour, 'purple');
    assert.equal(created.code, 'UAT');
    assert.deepEqual(created.secretsToSet, ['payments.apiKey']);
    const settings = readFileSync(join(dir, 'config/environments/uat/settings.yml'), 'utf8');
    assert.match(settings, /level: warn # quiet/, 'comments survive the copy');
    assert.match(settings, /poolSize: 7/);
    assert.match(settings, /url: postgres:\/\/db\.internal\/app_uat/, 'the database is its own');
    assert.doesNotMatch(settings, /app_staging/);
    assert.ok(existsSync(join(dir, 'config/environments/uat/secrets.pub')));
    assert.ok(existsSync(join(dir, '.envward/keys/uat.key')));
    const reopened = await openProject(dir);
    const uat = reopened.environments.get('uat', 'test');
    assert.deepEqual(
      { tier: uat.tier, colour: uat.colour, code: uat.code, protected: uat.protected, declaredIn: uat.declaredIn },
      {
        tier: 'staging',
        colour: 'purple',
        code: 'UAT',
        protected: true,
        declaredIn: 'config/environments/uat/environment.yml',
      },
    );
    // Its secret set (as a variable here), it validates like any staging environment.
    const resolved = await resolveConfig({
      cwd: dir,
      env: 'uat',
      variables: { PAYMENTS_API_KEY: 'sk_uat_1f2e3d4c5b6a' },
    });
    assert.equal(resolved.explain('log.level').value, 'warn');
  });

  test('refuses a taken name, a misleading one, a bad one, a taken code and a preview tier, writing nothing', async () => {
    const { dir } = project();
    const before = tree(dir);
    const refusals: [Parameters<typeof createEnvironment>[0], string][] = [
      [{ name: 'qa', from: 'staging' }, 'EW_ENV_EXISTS'],
      [{ name: 'production', from: 'staging' }, 'EW_ENV_EXISTS'],
      [{ name: 'prod-copy', from: 'staging' }, 'EW_ENV_NAME_MISLEADING'],
      [{ name: 'dev2', from: 'production' }, 'EW_ENV_NAME_MISLEADING'],
      [{ name: 'pr-7', from: 'staging' }, 'EW_ENV_NAME_MISLEADING'],
      [{ name: '../evil', from: 'staging' }, 'EW_ENV_NAME'],
      [{ name: 'Upper', from: 'staging' }, 'EW_ENV_NAME'],
      [{ name: 'x'.repeat(41), from: 'staging' }, 'EW_ENV_NAME'],
      [{ name: 'qa2', from: 'nowhere' }, 'EW_ENV_UNKNOWN'],
      [{ name: 'stagingish', from: 'staging', code: 'STG' }, 'EW_ENV_CODE_TAKEN'],
      [{ name: 'uat', from: 'staging', code: 'lower' }, 'EW_USAGE'],
      [{ name: 'uat', from: 'staging', tier: 'preview' }, 'EW_USAGE'],
    ];
    for (const [request, code] of refusals) {
      await assert.rejects(createEnvironment({ cwd: dir, ...request }), { code }, `${request.name}: ${code}`);
    }
    assert.deepEqual(tree(dir), before);
  });

  test('a directory or a private key left behind is a taken name', async () => {
    const { dir, write } = project();
    write('config/environments/uat/settings.yml', 'log:\n  level: info\n');
    await assert.rejects(createEnvironment({ cwd: dir, name: 'uat', from: 'staging' }), { code: 'EW_ENV_EXISTS' });
    write('.envward/keys/uat2.key', 'old');
    await assert.rejects(createEnvironment({ cwd: dir, name: 'uat2', from: 'staging' }), { code: 'EW_ENV_EXISTS' });
  });

  test('two creates of one name at once leave one environment and one refusal', async () => {
    const { dir } = project();
    const results = await Promise.allSettled([
      runCli(['env', 'create', 'uat', '--from', 'staging', '--json', '--cwd', dir], { spawn: true }),
      runCli(['env', 'create', 'uat', '--from', 'staging', '--json', '--cwd', dir], { spawn: true }),
    ]);
    const codes = results.map((result) => (result.status === 'fulfilled' ? result.value.code : -2)).sort();
    assert.deepEqual(codes, [0, 2]);
    assert.deepEqual(
      readdirSync(join(dir, 'config/environments')).filter((name) => name.includes('uat')),
      ['uat'],
      'no half-made directory is left',
    );
  });

  test('the CLI prints what it wrote and the secrets to set, and --json the same as data', async () => {
    const { dir } = project();
    const text = await runCli(['env', 'create', 'uat', '--from', 'staging', '--cwd', dir]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Environment uat made from staging: tier staging, purple, code UAT/);
    assert.match(text.stdout, /envward secrets set payments\.apiKey --env uat/);
    const json = await runCli(['env', 'create', 'qa2', '--from', 'development', '--json', '--cwd', dir]);
    assert.equal(json.code, 0, json.stderr);
    const created = JSON.parse(json.stdout) as { tier: string; colour: string; code: string; notes: string[] };
    assert.deepEqual([created.tier, created.colour, created.code], ['development', 'purple', 'QA2']);
    assert.match(created.notes.join('\n'), /database\.url: sqlite:var\/qa2\/app\.db/);
  });
});

describe('file-declared environments', () => {
  test('a file may not redeclare a built-in or a code-declared environment, nor make itself a preview', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'config/environments/production/environment.yml',
        'tier: development\n',
        /declared in envward\.config\.ts \(built in\)/,
      ],
      ['config/environments/qa/environment.yml', 'tier: development\n', /declared in envward\.config\.ts too/],
      ['config/environments/pr-9/environment.yml', 'tier: preview\n', /only `envward preview up` makes preview/],
      ['config/environments/uat/environment.yml', 'tier: staging\nprotected: false\n', /`protected` is not a field/],
      [
        'config/environments/uat/environment.yml',
        'tier: staging\napprovals: { required: 0 }\n',
        /`approvals` is not a field/,
      ],
      ['config/environments/uat/environment.yml', 'tier: [staging\n', /YAML|flow|collection/],
      ['config/environments/uat/environment.yml', 'tier: galaxy\n', /`tier` must be one of/],
    ];
    for (const [file, text, message] of cases) {
      const { dir } = project({ [file]: text });
      await assert.rejects(openProject(dir), (error: { code: string; message: string }) => {
        assert.equal(error.code, /YAML/.test(message.source) ? 'EW_CONFIG_PARSE' : 'EW_ENV_DEFINITION', file);
        assert.match(error.message, message);
        assert.ok(error.message.includes(file), 'the message names the file');
        return true;
      });
    }
  });

  test('a binary declaration file is refused by name', async () => {
    const { dir, write } = project();
    write('config/environments/uat/environment.yml', new Uint8Array([0x74, 0x00, 0xff]) as unknown as string);
    await assert.rejects(openProject(dir), { code: 'EW_FILE_INPUT' });
  });
});
