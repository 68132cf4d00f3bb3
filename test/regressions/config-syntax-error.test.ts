// Broke once: a syntax error in envward.config.ts was reported as "no default
// export": jiti's transform returns a module exporting __JITI_ERROR__, which
// envward cached and ran. Now it is EW_PROJECT_LOAD at the parser's
// line:column, and the failed transform is never cached.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../support/run-cli.ts';
import { makeTempProject } from '../support/temp-project.ts';

const GOOD = `import { defineConfig, z } from 'envward';

export default defineConfig({
  schema: z.object({ app: z.object({ name: z.string().default('fixed') }) }),
});
`;
// Line 4, column 50: the stray second comma.
const BROKEN = GOOD.replace("default('fixed') }) }),", "default('fixed') }) }),,");

test('a syntax error is EW_PROJECT_LOAD at file:line:column, and fixing the file works (nothing cached)', async () => {
  const project = makeTempProject({ 'envward.config.ts': BROKEN });
  try {
    // Twice: the second run would read a cached failed transform.
    for (const run of [1, 2]) {
      const result = await runCli(['config', 'show'], { cwd: project.dir });
      assert.equal(result.code, 1, `run ${run}: exit ${result.code}\n${result.stderr}`);
      assert.match(result.stderr, /error\[EW_PROJECT_LOAD\]/);
      assert.match(result.stderr, /envward\.config\.ts:4:\d+: syntax error: Unexpected token/);
      assert.doesNotMatch(result.stderr, /default export/);
    }
    project.write('envward.config.ts', GOOD);
    const fixed = await runCli(['config', 'show', '--json'], { cwd: project.dir });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, /"fixed"/);
  } finally {
    project.cleanup();
  }
});
