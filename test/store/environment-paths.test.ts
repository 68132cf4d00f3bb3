/**
 * Per-environment directories: `paths.dir(name)` is `var/<env>/<name>`,
 * made on first use, whatever database the store opened.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DIALECTS, makeStoreProject, type StoreProject } from '../support/store-project.ts';

for (const dialect of DIALECTS) {
  describe(`per-environment directories with a ${dialect} store`, { concurrency: true }, () => {
    const projects: StoreProject[] = [];
    const fresh = async () => {
      const project = await makeStoreProject(dialect);
      projects.push(project);
      return project;
    };
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    test("paths.dir('csv-processing') makes var/<env>/csv-processing on first use", async () => {
      const project = await fresh();
      const expected = join(project.dir, 'var', 'development', 'csv-processing');
      const store = await project.open('development');
      assert.equal(existsSync(expected), false, 'not made before it is asked for');
      assert.equal(store.paths.root, join(project.dir, 'var', 'development'));
      assert.equal(store.paths.dir('csv-processing'), expected);
      assert.ok(statSync(expected).isDirectory());
      assert.equal(store.paths.dir('csv-processing'), expected, 'a second call returns the same directory');
      const production = await project.open('production', { force: { reason: 'test of paths' } });
      assert.equal(production.paths.dir('csv-processing'), join(project.dir, 'var', 'production', 'csv-processing'));
    });

    test('a directory name with a path in it is EW_STORE_NAME, and nothing is made', async () => {
      const project = await fresh();
      const store = await project.open('development');
      const before = existsSync(store.paths.root) ? readdirSync(store.paths.root) : [];
      for (const name of ['', '..', '../production', 'a/b', '/tmp', 'CSV', '.hidden', 'x..y']) {
        assert.throws(() => store.paths.dir(name), { code: 'EW_STORE_NAME' }, name);
      }
      const after = existsSync(store.paths.root) ? readdirSync(store.paths.root) : [];
      assert.deepEqual(after, before);
      assert.equal(existsSync(join(project.dir, 'var', 'production')), false);
    });
  });
}
