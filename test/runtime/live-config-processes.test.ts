/**
 * Live configs in other processes (test/support/live-config-process.mjs, on
 * dist/: `npm run build` first): several services on one database all apply
 * one `config set`, and each one's close() lets its process end by itself.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type LiveProject, makeLiveProject, startLiveProcess } from '../support/live-config-project.ts';
import { DIALECTS } from '../support/store-project.ts';

for (const dialect of DIALECTS) {
  describe(`live configs in other processes on ${dialect}`, { concurrency: true }, () => {
    const projects: LiveProject[] = [];
    const fresh = async () => {
      const project = await makeLiveProject(dialect);
      projects.push(project);
      return project;
    };
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    test('every process following the environment applies one config set', async () => {
      const project = await fresh();
      // The first act stamps the database and makes the revision table before the services start.
      await project.set({ 'app.limit': '5' });
      const services = Array.from({ length: dialect === 'postgres' ? 3 : 2 }, () => startLiveProcess(project, 2));
      assert.deepEqual(
        await Promise.all(services.map((service) => service.ready)),
        services.map(() => 1),
      );
      await project.set({ 'app.greeting': 'everyone' });
      for (const { exited } of services) {
        const { code, changes } = await exited;
        assert.equal(code, 0);
        assert.deepEqual(changes, [{ revision: 2, changes: [{ key: 'app.greeting', from: 'hello', to: 'everyone' }] }]);
      }
    });

    test('a process whose live config and store are closed ends by itself', async () => {
      const project = await fresh();
      await project.set({ 'app.limit': '5' });
      const service = startLiveProcess(project, 1);
      assert.equal(await service.ready, 1);
      assert.equal((await service.exited).code, 0);
    });
  });
}
