import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/resolution.ts';
import { openStore } from '../../src/store/index.ts';
import { runCli } from '../support/run-cli.ts';
import { DIALECTS, makeStoreProject, STORE_CONFIG, type StoreProject } from '../support/store-project.ts';
import { makeTempProject, type TempProject } from '../support/temp-project.ts';

const OTHER_CONFIG = STORE_CONFIG.replace("project: 'store-test'", "project: 'other-service'");

for (const dialect of DIALECTS) {
  describe(`stamps name their project on ${dialect}`, () => {
    let project: StoreProject;
    let other: TempProject;
    let url: string;

    before(async () => {
      project = await makeStoreProject(dialect);
      url = dialect === 'sqlite' ? `sqlite:${join(project.dir, 'var/shared.db')}` : project.url;
      other = makeTempProject({ 'envward.config.ts': OTHER_CONFIG, 'config/base.yml': `database:\n  url: ${url}\n` });
      const store = await project.open('development');
      await store.close();
    });
    after(async () => {
      other.cleanup();
      await project.cleanup();
    });

    const openOther = async (options: Parameters<typeof openStore>[1] = {}) =>
      openStore(await resolveConfig<unknown>({ cwd: other.dir, env: 'development', variables: {} }), options);

    test('the stamp records the project that made it', async () => {
      const [row] = await project.sql<{ project: string }>('select project from envward_stamp');
      assert.equal(row?.project, 'store-test');
    });

    test("another project's process is refused with EW_DB_PROJECT_MISMATCH naming both projects", async () => {
      await assert.rejects(openOther(), {
        code: 'EW_DB_PROJECT_MISMATCH',
        message: /project other-service.*belongs to project store-test/,
      });
    });

    test('the CLI refuses it with exit 3', async () => {
      const result = await runCli(['db', 'stamp', '--env', 'development'], {
        cwd: other.dir,
        env: { NO_COLOR: '1', DATABASE_URL: undefined },
      });
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /error\[EW_DB_PROJECT_MISMATCH\]/);
    });

    test('--force with a reason lets it through and the override is audited', async () => {
      const store = await openOther({ force: { reason: 'renamed the service, ticket OPS-12' } });
      try {
        assert.deepEqual(
          store.overrides.map((override) => override.guard),
          ['EW_DB_PROJECT_MISMATCH'],
        );
        const events = await store.audit.list({ action: 'guard.override' });
        assert.equal(events.at(-1)?.reason, 'renamed the service, ticket OPS-12');
      } finally {
        await store.close();
      }
    });
  });

  test(`on ${dialect}, a stamp made before stamps named projects is upgraded and accepted`, async () => {
    const project = await makeStoreProject(dialect);
    try {
      project.write('var/.keep', '');
      await project.sql(
        'create table envward_stamp (id integer primary key, environment text not null, tier text not null, code text not null, stamped_at text not null, host text not null, actor text not null)',
      );
      await project.sql(
        "insert into envward_stamp values (1, 'development', 'development', 'DEV', '2026-01-01T00:00:00.000Z', 'old-host', 'old-user')",
      );
      const store = await project.open('development');
      try {
        assert.equal(store.stamp?.environment, 'development');
        assert.equal(store.stamp?.project, '');
      } finally {
        await store.close();
      }
    } finally {
      await project.cleanup();
    }
  });
}
