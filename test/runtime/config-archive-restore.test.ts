/**
 * `restoreConfig` (src/runtime/config-restore.ts): what it writes (files,
 * revisions imported or one `restore` revision, the audit event), what it
 * refuses before writing anything (another environment's or project's
 * archive, an archived configuration that does not validate, a protected
 * environment without a reason or with an unstamped database), and that
 * restoring twice changes nothing more.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { resolveConfig } from '../../src/index.ts';
import { archiveText } from '../../src/runtime/config-archive.ts';
import {
  backupConfig,
  configHistory,
  restoreConfig,
  rollbackConfig,
  setConfig,
  withLatestRevision,
} from '../../src/runtime/index.ts';
import { openStore } from '../../src/store/index.ts';
import { type ArchiveProject, makeArchiveProject } from '../support/archive-project.ts';
import { querySqliteFile } from '../support/sqlite-file.ts';

/** Every key of `env` as it resolves with its latest revision: value and source. */
async function configOf(project: ArchiveProject, env: string) {
  const resolved = await resolveConfig({ ...project.common, env, checkHost: false });
  let current = resolved;
  try {
    const store = await openStore(resolved, { stampMode: 'read' });
    try {
      current = (await withLatestRevision(resolved, store)).resolved;
    } finally {
      await store.close();
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'EW_DB_MISSING') throw error;
  }
  return current.keys.map((key) => {
    const { value, winner } = current.explain(key);
    return { key, value, source: winner?.source ?? null };
  });
}

/** The configuration and revision history of every environment. */
async function snapshot(project: ArchiveProject) {
  const state: Record<string, unknown> = {};
  for (const env of project.environments) {
    state[env] = {
      config: await configOf(project, env),
      history: (await configHistory({ ...project.common, env })).revisions,
    };
  }
  return state;
}

async function auditOf(project: ArchiveProject, env: string, variables = project.common.variables) {
  const resolved = await resolveConfig({ ...project.common, variables, env, checkHost: false });
  const store = await openStore(resolved, { stampMode: 'read' });
  try {
    return { rows: await store.audit.list(), verification: await store.audit.verify() };
  } finally {
    await store.close();
  }
}

async function withRevisions(projects: ArchiveProject[]) {
  const project = await makeArchiveProject();
  projects.push(project);
  await setConfig({ ...project.common, env: 'development', set: { 'log.level': 'warn' }, reason: 'INC-1' });
  await setConfig({ ...project.common, env: 'development', set: { 'app.port': '4100' }, reason: 'INC-2' });
  await setConfig({ ...project.common, env: 'test', set: { 'log.level': 'error' }, reason: 'quiet tests' });
  return project;
}

/** The archive at `file` with its body changed by `change`, checksummed again (as a careful forger would). */
// biome-ignore lint/suspicious/noExplicitAny: the archive's JSON, edited freely by the test
function rewrite(file: string, change: (body: Record<string, any>) => void): void {
  const body = JSON.parse(readFileSync(file, 'utf8')).body;
  change(body);
  writeFileSync(file, archiveText(body));
}

describe('config restore', { concurrency: true }, () => {
  const projects: ArchiveProject[] = [];
  after(() => Promise.all(projects.map((project) => project.cleanup())));

  test('into a wiped project: every environment resolves as before, with the same revisions; audit verify holds', async () => {
    const project = await withRevisions(projects);
    const before = await snapshot(project);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, all: true, out: file });
    await project.wipe();
    const result = await restoreConfig({ ...project.common, file, all: true, reason: 'rebuilt host' });
    assert.deepEqual(await snapshot(project), before);
    const development = result.environments.find((entry) => entry.environment === 'development');
    assert.deepEqual(development?.revisions, { outcome: 'imported', revision: 2, previous: 0, written: 2 });
    for (const env of ['development', 'test']) {
      const { rows, verification } = await auditOf(project, env);
      assert.equal(verification.ok, true);
      const restore = rows.at(-1);
      assert.equal(restore?.action, 'config.restore');
      assert.equal(restore?.reason, 'rebuilt host');
      assert.match(restore?.target ?? '', /^backup\.json: \d+ file\(s\) written; revisions 1-\d imported$/);
    }
  });

  test('restoring the same archive twice writes nothing the second time and says "already at"', async () => {
    const project = await withRevisions(projects);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, all: true, out: file });
    await project.wipe();
    await restoreConfig({ ...project.common, file, all: true, reason: 'r' });
    const once = await snapshot(project);
    const again = await restoreConfig({ ...project.common, file, all: true, reason: 'r' });
    assert.deepEqual(await snapshot(project), once);
    for (const entry of again.environments) {
      assert.deepEqual(entry.written, [], `${entry.environment} wrote files again`);
      if (entry.revisions) assert.equal(entry.revisions.outcome, 'already');
    }
    assert.deepEqual(again.projectFiles.written, []);
  });

  test('into a store with later revisions: one restore revision with the archive state, history kept', async () => {
    const project = await withRevisions(projects);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, env: 'development', out: file });
    await setConfig({ ...project.common, env: 'development', set: { 'log.level': 'error', 'app.debug': 'false' } });
    await rollbackConfig({ ...project.common, env: 'development', to: 1 });
    const result = await restoreConfig({ ...project.common, file, env: 'development', reason: 'back to the backup' });
    assert.deepEqual(result.environments[0]?.revisions, { outcome: 'restored', revision: 5, previous: 4, written: 1 });
    const { revisions } = await configHistory({ ...project.common, env: 'development' });
    assert.deepEqual(
      revisions.map((entry) => [entry.number, entry.action]),
      [
        [1, 'set'],
        [2, 'set'],
        [3, 'set'],
        [4, 'rollback'],
        [5, 'restore'],
      ],
    );
    assert.deepEqual(revisions.at(-1)?.changes, [{ key: 'app.port', from: null, to: '4100' }]);
    assert.equal(revisions.at(-1)?.reason, 'back to the backup');
    const config = await configOf(project, 'development');
    assert.deepEqual(
      config.find((entry) => entry.key === 'app.port'),
      { key: 'app.port', value: 4100, source: { layer: 'runtime-revisions', revision: '5' } },
    );
    const again = await restoreConfig({ ...project.common, file, env: 'development', reason: 'again' });
    assert.deepEqual(again.environments[0]?.revisions, { outcome: 'already', revision: 5, previous: 5, written: 0 });
  });

  test("another environment's archive is refused without --from and --force --reason, then copied without its secrets", async () => {
    const project = await withRevisions(projects);
    const file = project.path('staging.json');
    await backupConfig({ ...project.common, env: 'staging', out: file });
    const settings = project.read('config/environments/development/settings.yml');
    await assert.rejects(restoreConfig({ ...project.common, file, env: 'development' }), {
      code: 'EW_ARCHIVE_ENVIRONMENT',
      message: /the archive holds staging, not development/,
    });
    await assert.rejects(restoreConfig({ ...project.common, file, env: 'development', from: 'staging' }), {
      code: 'EW_ARCHIVE_ENVIRONMENT',
    });
    const force = { reason: 'staging-like development for a repro' };
    // staging's settings.yml names staging's database: copied as is, development would open that one.
    await assert.rejects(restoreConfig({ ...project.common, file, env: 'development', from: 'staging', force }), {
      code: 'EW_ARCHIVE_STORE',
      message: /database\.url would change/,
    });
    assert.equal(project.read('config/environments/development/settings.yml'), settings);
    const variables = { DATABASE_URL: 'sqlite:var/development/app.db' };
    const forced = await restoreConfig({
      ...project.common,
      variables,
      file,
      env: 'development',
      from: 'staging',
      force,
    });
    assert.deepEqual(
      forced.overrides.map((override) => override.guard),
      ['EW_ARCHIVE_ENVIRONMENT'],
    );
    assert.deepEqual(forced.environments[0]?.written, ['config/environments/development/settings.yml']);
    assert.equal(
      project.read('config/environments/development/settings.yml'),
      project.read('config/environments/staging/settings.yml'),
    );
    assert.equal(project.read('config/environments/development/secrets.yml'), undefined);
    assert.match(forced.warnings.join('\n'), /staging's secrets are not copied into development/);
    const { rows } = await auditOf(project, 'development', variables);
    assert.deepEqual(
      rows.slice(-2).map((row) => [row.action, row.reason]),
      [
        ['guard.override', 'staging-like development for a repro'],
        ['config.restore', 'staging-like development for a repro'],
      ],
    );
  });

  test("another project's archive is refused unless forced", async () => {
    const project = await withRevisions(projects);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, env: 'test', out: file });
    rewrite(file, (body) => {
      body.project = 'someone-else';
    });
    await assert.rejects(restoreConfig({ ...project.common, file, env: 'test' }), { code: 'EW_ARCHIVE_PROJECT' });
    const forced = await restoreConfig({ ...project.common, file, env: 'test', force: { reason: 'renamed project' } });
    assert.deepEqual(
      forced.overrides.map((override) => override.guard),
      ['EW_ARCHIVE_PROJECT'],
    );
  });

  test('an archived configuration that does not validate is refused, nothing written', async () => {
    const project = await withRevisions(projects);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, all: true, out: file });
    const settingsPath = 'config/environments/test/settings.yml';
    const settings = project.read(settingsPath);
    rewrite(file, (body) => {
      body.environments.test.files[settingsPath] = 'app:\n  port: not-a-port\n';
      body.environments.development.files['config/environments/development/settings.yml'] =
        'app:\n  debug: false\ndatabase:\n  url: sqlite:var/development/app.db\n';
    });
    await assert.rejects(restoreConfig({ ...project.common, file, all: true, reason: 'r' }), {
      code: 'EW_CONFIG_INVALID',
      message: /app\.port/,
    });
    assert.equal(project.read(settingsPath), settings);
    assert.match(project.read('config/environments/development/settings.yml') ?? '', /debug: true/);
    assert.equal((await configHistory({ ...project.common, env: 'test' })).latest, 1);
  });

  test('an archive environment this project does not declare is refused', async () => {
    const project = await withRevisions(projects);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, all: true, out: file });
    rewrite(file, (body) => {
      body.environments.qa = { ...body.environments.test, files: {} };
    });
    await assert.rejects(restoreConfig({ ...project.common, file, all: true, reason: 'r' }), {
      code: 'EW_ENV_UNKNOWN',
      message: /"qa"/,
    });
  });

  test("without the environment's private key here, its secrets are restored unchecked, and the result says so", async () => {
    const project = await withRevisions(projects);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, env: 'staging', out: file });
    const secrets = project.read('config/environments/staging/secrets.yml');
    await project.wipe();
    renameSync(project.path('.envward/keys/staging.key'), project.path('staging.key.elsewhere'));
    const result = await restoreConfig({ ...project.common, file, env: 'staging', reason: 'restore on a laptop' });
    assert.equal(result.environments[0]?.secretsChecked, false);
    assert.match(result.warnings.join('\n'), /staging: this host has no private key for it/);
    assert.equal(project.read('config/environments/staging/secrets.yml'), secrets);
  });

  test('a project file restored by --env may not break another environment; one that is broken already does not block', async () => {
    const project = await withRevisions(projects);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, env: 'development', out: file });
    rewrite(file, (body) => {
      body.files['config/base.yml'] = 'app:\n  name: test-project\n  debug: true\n';
    });
    rmSync(project.path('config/base.yml'));
    await assert.rejects(
      restoreConfig({ ...project.common, file, env: 'development' }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'EW_CONFIG_INVALID');
        assert.match(error.message, /"staging"/);
        assert.match(error.message, /EW_RULE_DEBUG/);
        return true;
      },
    );
    assert.equal(project.read('config/base.yml'), undefined);
    // test is broken before the restore (its settings name no database): that is not the restore's doing.
    project.write('config/environments/test/settings.yml', 'app:\n  port: 0\n');
    rewrite(file, (body) => {
      body.files['config/base.yml'] = 'app:\n  name: test-project\n';
    });
    const restored = await restoreConfig({ ...project.common, file, env: 'development' });
    assert.deepEqual(restored.projectFiles.written, ['config/base.yml']);
  });

  test('a head revision that moves the store is refused', async () => {
    const project = await withRevisions(projects);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, env: 'test', out: file });
    rewrite(file, (body) => {
      const revision = body.environments.test.revisions[0];
      revision.state = { ...revision.state, 'database.url': 'sqlite:var/elsewhere.db' };
    });
    await assert.rejects(restoreConfig({ ...project.common, file, env: 'test' }), { code: 'EW_REVISION_KEY' });
  });

  test('a protected environment needs a reason, and its unstamped database is refused', async () => {
    const project = await withRevisions(projects);
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, env: 'staging', out: file });
    await assert.rejects(restoreConfig({ ...project.common, file, env: 'staging' }), { code: 'EW_REASON_REQUIRED' });
    project.write(
      'config/environments/staging/settings.yml',
      'log:\n  level: warn\ndatabase:\n  url: sqlite:var/staging/app.db\n',
    );
    mkdirSync(project.path('var/staging'), { recursive: true });
    querySqliteFile(project.path('var/staging/app.db'), 'create table unrelated (id integer)');
    await assert.rejects(restoreConfig({ ...project.common, file, env: 'staging', reason: 'r' }), {
      code: 'EW_DB_UNSTAMPED',
      message: /not stamped automatically/,
    });
    assert.match(project.read('config/environments/staging/settings.yml') ?? '', /level: warn/);
  });

  test('a protected environment with a stamped store gets its revisions; without a database and revisions, files only', async () => {
    const project = await withRevisions(projects);
    const resolved = await resolveConfig({ ...project.common, env: 'staging', checkHost: false });
    await (await openStore(resolved, { stampMode: 'stamp' })).close();
    await setConfig({ ...project.common, env: 'staging', set: { 'log.level': 'warn' }, reason: 'CHG-1' });
    const file = project.path('backup.json');
    await backupConfig({ ...project.common, all: true, out: file });
    await setConfig({ ...project.common, env: 'staging', set: { 'log.level': 'error' }, reason: 'CHG-2' });
    const result = await restoreConfig({ ...project.common, file, env: 'staging', reason: 'CHG-3' });
    assert.deepEqual(result.environments[0]?.revisions, { outcome: 'restored', revision: 3, previous: 2, written: 1 });
    const production = await restoreConfig({ ...project.common, file, env: 'production', reason: 'CHG-4' });
    assert.equal(production.environments[0]?.revisions, undefined);
    assert.equal(production.environments[0]?.audited, false);
    assert.match(production.warnings.join('\n'), /production has no database/);
  });
});
