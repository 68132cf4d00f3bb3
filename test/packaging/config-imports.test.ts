import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli.ts';
import { makeTempProject } from '../support/temp-project.ts';

/*
 * A project file may import zod and envward's subpath entries. The CLI's fast
 * path (a cached compilation run without jiti) gives it the modules envward
 * itself loaded: zod (one instance in the process) and `envward/store` and
 * the like, even in a project with no node_modules of its own.
 */

const project = makeTempProject({
  'envward.config.ts': `import { z } from 'zod';
import { defineConfig, z as envwardZod } from 'envward';
import { openStore } from 'envward/store';
import { migrationStatus } from 'envward/migrate';

if (z !== envwardZod) throw new Error('two zod instances');
if (typeof openStore !== 'function' || typeof migrationStatus !== 'function') throw new Error('no subpath entries');

export default defineConfig({
  project: 'imports',
  schema: z.object({ app: z.object({ port: z.number().int().default(3000) }) }),
});
`,
});
after(() => project.cleanup());

test('a project file importing zod and envward/<subpath> loads, twice (compiled, then from the cache)', async () => {
  for (const round of [1, 2]) {
    const result = await runCli(['config', 'show', '--json', '--cwd', project.dir]);
    assert.equal(result.code, 0, `round ${round}\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /"app\.port"|"port"/);
  }
});
