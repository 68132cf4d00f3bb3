/**
 * The helper that starts store processes must not depend on this process's
 * working directory: an in-process CLI run (test/support/cli-in-process.ts)
 * chdirs into its project while other tests of the same file run, and a
 * process spawned meanwhile inherits that directory. Before the fix, its
 * `--import tsx` was resolved from there and failed ("Cannot find package
 * 'tsx'"), a failure seen only when the timing lined up (CI, Node 24).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeStoreProject, runStoreProcesses } from '../support/store-project.ts';

test('store processes start while this process works in a directory with no node_modules', async () => {
  const project = await makeStoreProject('sqlite');
  const elsewhere = mkdtempSync(join(tmpdir(), 'envward-cwd-'));
  const cwd = process.cwd();
  process.chdir(elsewhere);
  try {
    const reports = await runStoreProcesses(project, [{ env: 'development' }, { env: 'development' }]);
    assert.deepEqual(reports, [{ stamp: 'development' }, { stamp: 'development' }]);
  } finally {
    process.chdir(cwd);
    rmSync(elsewhere, { recursive: true, force: true });
    await project.cleanup();
  }
});
