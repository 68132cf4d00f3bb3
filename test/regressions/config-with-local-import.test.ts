// Broke once: the built CLI aliased `envward` to a path outside dist/, so an
// envward.config.ts that also imports a local file (the full jiti path)
// failed with EW_PROJECT_LOAD.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../support/run-cli.ts';
import { makeTempProject } from '../support/temp-project.ts';

test('a config that imports a local module and envward loads in the built CLI', async () => {
  const project = makeTempProject({
    'defaults.ts': "export const DEFAULT_NAME = 'from-a-local-module';\n",
    'envward.config.ts': `import { defineConfig, z } from 'envward';
import { DEFAULT_NAME } from './defaults';

export default defineConfig({
  schema: z.object({ app: z.object({ name: z.string().default(DEFAULT_NAME) }) }),
});
`,
  });
  try {
    const result = await runCli(['config', 'show', '--json'], { cwd: project.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /from-a-local-module/);
  } finally {
    project.cleanup();
  }
});
