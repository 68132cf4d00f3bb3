/**
 * The project root is the directory of envward.config.ts, whatever the
 * current directory: a service started from elsewhere (`node
 * /srv/app/bin/main.mjs` from `/`) finds its project through its entry
 * script, and its `sqlite:` paths are relative to the root. The README's
 * snippet is run that way.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from '../support/run-cli.ts';
import { makeTempProject, type TempProject, writeStandardProject } from '../support/temp-project.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

// The README's snippet (loadConfig), then what the service would open.
const MAIN = `import { loadConfig, resolveConfig } from 'envward';
import { openStore } from 'envward/store';

try {
  const config = await loadConfig();
  const resolved = await resolveConfig();
  const store = await openStore(resolved);
  process.stdout.write(JSON.stringify({ root: resolved.project.root, name: config.app.name, where: store.where }));
  await store.close();
} catch (error) {
  process.stdout.write(JSON.stringify({ code: error.code, message: error.message }));
}
`;

/** `node <script>` run from `cwd` (the built dist/, through a node_modules/envward link). */
function run(script: string, cwd: string): Record<string, string> {
  const result = spawnSync(process.execPath, [script], { cwd, env: cleanEnv(), encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, string>;
}

function linkEnvward(dir: string): void {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(REPO, join(dir, 'node_modules', 'envward'), 'dir');
}

describe('the project root', () => {
  let service: TempProject;
  let other: TempProject;
  let bare: TempProject;
  let elsewhere: string;
  before(() => {
    service = writeStandardProject({ files: { 'bin/main.mjs': MAIN } });
    linkEnvward(service.dir);
    other = writeStandardProject({ files: { 'config/base.yml': 'app:\n  name: the-other-one\n' } });
    bare = makeTempProject({ 'main.mjs': MAIN });
    linkEnvward(bare.dir);
    elsewhere = mkdtempSync(join(tmpdir(), 'envward-elsewhere-'));
  });
  after(() => {
    for (const project of [service, other, bare]) project.cleanup();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  test('started from another directory, a service finds its project through its entry script; sqlite: paths are relative to the root', () => {
    const result = run(join(service.dir, 'bin', 'main.mjs'), elsewhere);
    assert.equal(result.root, realpathSync(service.dir));
    assert.equal(result.name, 'test-project');
    assert.equal(result.where, 'sqlite:var/development/app.db');
    assert.ok(existsSync(join(service.dir, 'var', 'development', 'app.db')), 'the database is under the root');
    assert.ok(!existsSync(join(elsewhere, 'var')), 'nothing is made in the current directory');
  });

  test('the current directory wins when it is inside a project', () => {
    const result = run(join(service.dir, 'bin', 'main.mjs'), other.dir);
    assert.equal(result.root, other.dir);
    assert.equal(result.name, 'the-other-one');
  });

  test('with a project in neither place, EW_PROJECT_NOT_FOUND names both', () => {
    const result = run(join(bare.dir, 'main.mjs'), elsewhere);
    assert.equal(result.code, 'EW_PROJECT_NOT_FOUND');
    assert.ok(result.message?.includes(elsewhere), result.message);
    assert.ok(result.message?.includes(`nor above the entry script, ${realpathSync(bare.dir)}`), result.message);
  });
});
