// Broke once: the built CLI aliased `envward` to a path outside dist/, so an
// envward.config.ts that also imports a local file (the full jiti path)
// failed with EW_PROJECT_LOAD.
import assert from 'node:assert/strict';
import { join } from 'node:path';
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

// Broke once: the full jiti path loaded envward's own modules again, apart
// from the ones the process had (a second envward and zod in one process,
// and from src/ a TypeScript transform of all of envward on every load).
test('a config that imports a local module gets the envward and zod the process already has', async () => {
  const project = makeTempProject({
    'defaults.ts': "import { defineConfig } from 'envward';\nexport const DEFINE = defineConfig;\n",
    'envward.config.ts': `import { z as zod } from 'zod';
import { defineConfig, z } from 'envward';
import { DEFINE } from './defaults';

export default { ...defineConfig({ schema: z.object({ a: z.string().default('x') }) }), define: DEFINE, object: zod.object };
`,
  });
  try {
    const { loadProjectFile } = await import('../../src/project/load-project-file.ts');
    const definition = (await loadProjectFile(join(project.dir, 'envward.config.ts'))) as unknown as {
      define: unknown;
      object: unknown;
    };
    assert.equal(definition.define, (await import('../../src/index.ts')).defineConfig, 'the same envward module');
    assert.equal(definition.object, (await import('zod')).z.object, 'the same zod module');
  } finally {
    project.cleanup();
  }
});
