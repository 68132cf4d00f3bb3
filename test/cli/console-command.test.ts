/**
 * `envward console` through the built CLI: a bad `console.*` value or
 * `--port` stops it before it listens, with the code and the place.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ConsoleProject, makeConsoleProject } from '../support/console-project.ts';
import { runCli } from '../support/run-cli.ts';

const CONFIG = `import { database, defineConfig, z } from 'envward';
import { consoleSettings } from 'envward/console';

export default defineConfig({
  project: 'console-cli',
  use: [database, consoleSettings],
  schema: z.object({ app: z.object({ name: z.string().default('x') }) }),
});
`;

let project: ConsoleProject;
before(() => {
  project = makeConsoleProject({
    'envward.config.ts': CONFIG,
    'config/environments/development/settings.yml':
      'database:\n  url: sqlite:var/development.db\nconsole:\n  lockout:\n    attempts: 0\n',
  });
});
after(() => project?.cleanup());

test('a bad console.* value is EW_CONFIG_INVALID at its file and line (exit 1), nothing listens', async () => {
  const result = await runCli(['console', '--env', 'development', '--port', '0'], {
    cwd: project.dir,
    timeoutMs: 30_000,
  });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /EW_CONFIG_INVALID/);
  assert.match(
    result.stderr,
    /console\.lockout\.attempts \[development\] at config\/environments\/development\/settings\.yml:5/,
  );
});

test('--port that is not a port is EW_USAGE (exit 2)', async () => {
  const result = await runCli(['console', '--env', 'development', '--port', '99999'], { cwd: project.dir });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /EW_USAGE/);
});
