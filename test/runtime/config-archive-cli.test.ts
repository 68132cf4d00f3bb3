/**
 * `envward config backup` and `envward config restore` through the built CLI
 * (`npm run build` first): issue 14's "done when" (backup --all, a wiped
 * project, restore: the same `config show` for every environment, SQLite and
 * PostgreSQL, `audit verify` holds), exit codes and `--json`, the loud
 * override, and a restore killed (-9) half-way that a second run finishes.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { configHistory, setConfig } from '../../src/runtime/index.ts';
import { type ArchiveProject, makeArchiveProject } from '../support/archive-project.ts';
import { assertNoCanary } from '../support/canary.ts';
import { type RunResult, runCli } from '../support/run-cli.ts';

const OK = 0;
const PROBLEM = 1;
const REFUSED = 3;
const KILLED = -1;

function cli(project: ArchiveProject, args: readonly string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { cwd: project.dir, env: { NO_COLOR: '1', DATABASE_URL: undefined, ...env } });
}

function expectCode(result: RunResult, code: number): void {
  assert.equal(result.code, code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

/** `config show --json` of every environment, and its revision history. */
async function shows(project: ArchiveProject): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const env of project.environments) {
    const shown = await cli(project, ['config', 'show', '--env', env, '--json']);
    expectCode(shown, OK);
    const { revisions } = await configHistory({ ...project.common, env });
    state[env] = { show: JSON.parse(shown.stdout), revisions };
  }
  return state;
}

async function withRevisions(projects: ArchiveProject[], options: { postgres?: boolean } = {}) {
  const project = await makeArchiveProject(options);
  projects.push(project);
  const envs = options.postgres ? ['development', 'test', 'preview'] : ['development', 'test'];
  for (const env of envs) {
    await setConfig({ ...project.common, env, set: { 'log.level': 'error' }, reason: `quiet ${env}` });
    await setConfig({ ...project.common, env, set: { 'app.port': '4200' }, reason: `move ${env}` });
  }
  return project;
}

describe('config backup and restore (CLI)', { concurrency: true }, () => {
  const projects: ArchiveProject[] = [];
  after(() => Promise.all(projects.map((project) => project.cleanup())));

  test('backup --all, a wiped project, restore --all: the same config show everywhere (SQLite and PostgreSQL), audit verify holds', async () => {
    const project = await withRevisions(projects, { postgres: true });
    const before = await shows(project);
    const backup = await cli(project, ['config', 'backup', '--all', '--out', 'backup.json', '--json']);
    expectCode(backup, OK);
    const backedUp = JSON.parse(backup.stdout);
    assert.equal(backedUp.checksum.startsWith('sha256:'), true);
    const bytes = readFileSync(project.path('backup.json'), 'latin1');
    assertNoCanary(bytes, Object.values(project.canaries), 'the archive');
    assertNoCanary(backup.stdout + backup.stderr, Object.values(project.canaries), 'backup output');
    assert.doesNotMatch(bytes, /ewkey1_/);

    await project.wipe();
    const restore = await cli(project, ['config', 'restore', 'backup.json', '--all', '--reason', 'rebuilt', '--json']);
    expectCode(restore, OK);
    const restored = JSON.parse(restore.stdout);
    assert.deepEqual(
      restored.environments.map((entry: { environment: string; revisions: { outcome: string } | null }) => [
        entry.environment,
        entry.revisions?.outcome ?? null,
      ]),
      [
        ['development', 'imported'],
        ['preview', 'imported'],
        ['production', null],
        ['staging', null],
        ['test', 'imported'],
      ],
    );
    assert.deepEqual(await shows(project), before);
    for (const env of ['development', 'test', 'preview']) {
      expectCode(await cli(project, ['audit', 'verify', '--env', env]), OK);
      const listed = await cli(project, ['audit', 'list', '--env', env, '--json']);
      assert.match(listed.stdout, /"config\.restore"/);
    }

    const again = await cli(project, ['config', 'restore', 'backup.json', '--all', '--reason', 'rebuilt']);
    expectCode(again, OK);
    assert.match(again.stdout, /development: files written none; .*already at revision 2/);
    assert.deepEqual(await shows(project), before);
  });

  test('a flipped byte: exit 1, EW_ARCHIVE_INVALID, nothing written', async () => {
    const project = await withRevisions(projects);
    expectCode(await cli(project, ['config', 'backup', '--all', '--out', 'backup.json']), OK);
    await project.wipe();
    const bytes = readFileSync(project.path('backup.json'));
    const at = bytes.indexOf('quiet development');
    assert.ok(at > 0);
    bytes[at] = (bytes[at] as number) ^ 0x04;
    writeFileSync(project.path('backup.json'), bytes);
    const result = await cli(project, ['config', 'restore', 'backup.json', '--all', '--reason', 'r']);
    expectCode(result, PROBLEM);
    assert.match(result.stderr, /error\[EW_ARCHIVE_INVALID\]/);
    assert.equal(project.read('config/base.yml'), undefined);
  });

  test("another environment's archive: exit 3 without --force --reason; with them a loud, audited override", async () => {
    const project = await withRevisions(projects);
    expectCode(await cli(project, ['config', 'backup', '--env', 'test', '--out', 'test.json']), OK);
    const refused = await cli(project, ['config', 'restore', 'test.json', '--env', 'development', '--from', 'test']);
    expectCode(refused, REFUSED);
    assert.match(refused.stderr, /error\[EW_ARCHIVE_ENVIRONMENT\]/);
    const noReason = await cli(project, [
      'config',
      'restore',
      'test.json',
      '--env',
      'development',
      '--from',
      'test',
      '--force',
    ]);
    expectCode(noReason, 2);
    // test's settings.yml names test's database: development keeps its own through the variable.
    const own = { DATABASE_URL: 'sqlite:var/development/app.db' };
    const moved = await cli(project, [
      'config',
      'restore',
      'test.json',
      '--env',
      'development',
      '--from',
      'test',
      '--force',
      '--reason',
      'reproduce a test failure',
    ]);
    expectCode(moved, REFUSED);
    assert.match(moved.stderr, /error\[EW_ARCHIVE_STORE\]/);
    const forced = await cli(
      project,
      [
        'config',
        'restore',
        'test.json',
        '--env',
        'development',
        '--from',
        'test',
        '--force',
        '--reason',
        'reproduce a test failure',
      ],
      own,
    );
    expectCode(forced, OK);
    assert.match(forced.stderr, /OVERRIDE of EW_ARCHIVE_ENVIRONMENT/);
    // Both environments' revisions set the same values: development's state is already test's.
    assert.match(
      forced.stdout,
      /development from test: files written config\/environments\/development\/settings\.yml; .*already at revision 2/,
    );
    const listed = await cli(project, ['audit', 'list', '--env', 'development', '--json'], own);
    assert.match(listed.stdout, /"guard\.override"/);
  });

  test('a restore killed after its first file leaves each file old or new, and a second run finishes it', async () => {
    const project = await withRevisions(projects);
    const before = await shows(project);
    expectCode(await cli(project, ['config', 'backup', '--all', '--out', 'backup.json']), OK);
    const archived = JSON.parse(readFileSync(project.path('backup.json'), 'utf8')).body;
    const changed: Record<string, string> = {
      'config/base.yml': 'app:\n  name: changed\n  port: 3001\nlog:\n  level: warn\n',
      'config/environments/development/settings.yml':
        'app:\n  debug: false\nlog:\n  level: info\ndatabase:\n  url: sqlite:var/development/app.db\n',
      'config/environments/test/settings.yml':
        'app:\n  port: 1\nlog:\n  level: info\ndatabase:\n  url: sqlite:var/test/app.db\n',
    };
    for (const [path, text] of Object.entries(changed)) project.write(path, text);
    const archivedText = (path: string) =>
      archived.files[path] ?? archived.environments[path.split('/')[2] as string]?.files[path];

    const killed = await cli(project, ['config', 'restore', 'backup.json', '--all', '--reason', 'r'], {
      ENVWARD_FAILPOINT: 'config-restore.file-written',
    });
    expectCode(killed, KILLED);
    const now = Object.keys(changed).map((path) => [path, project.read(path)] as const);
    for (const [path, text] of now) {
      assert.ok(text === changed[path] || text === archivedText(path), `${path} is neither old nor new:\n${text}`);
    }
    assert.equal(now.filter(([path, text]) => text === archivedText(path)).length, 1);

    expectCode(await cli(project, ['config', 'restore', 'backup.json', '--all', '--reason', 'r']), OK);
    for (const path of Object.keys(changed)) assert.equal(project.read(path), archivedText(path));
    assert.deepEqual(await shows(project), before);
  });

  test('a restore killed before its revisions: a second run imports them', async () => {
    const project = await withRevisions(projects);
    const before = await shows(project);
    expectCode(await cli(project, ['config', 'backup', '--all', '--out', 'backup.json']), OK);
    await project.wipe();
    const killed = await cli(project, ['config', 'restore', 'backup.json', '--all', '--reason', 'r'], {
      ENVWARD_FAILPOINT: 'config-restore.files-written',
    });
    expectCode(killed, KILLED);
    assert.equal((await configHistory({ ...project.common, env: 'development' })).latest, 0);
    const finished = await cli(project, ['config', 'restore', 'backup.json', '--all', '--reason', 'r']);
    expectCode(finished, OK);
    assert.match(finished.stdout, /development: files written none; .*revisions 1-2 imported/);
    assert.deepEqual(await shows(project), before);
  });
});
