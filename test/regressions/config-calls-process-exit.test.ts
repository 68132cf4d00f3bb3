// Broke once: an envward.config.ts that called process.exit(0) ended every
// command silently with exit 0, so `preflight` read "clear" to a deploy gate.
// Loading the project now turns process.exit (and process.exitCode) into
// EW_PROJECT_LOAD at the calling line.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type RunResult, runCli } from '../support/run-cli.ts';
import { makeTempProject, type TempProject } from '../support/temp-project.ts';

const DEFINITION = `export default defineConfig({
  schema: z.object({ app: z.object({ name: z.string().default('exits') }) }),
});
`;

const projects: TempProject[] = [];
after(() => {
  for (const project of projects) project.cleanup();
});

function project(files: Record<string, string>): string {
  const temp = makeTempProject(files);
  projects.push(temp);
  return temp.dir;
}

function assertLoadRefused(result: RunResult, where: RegExp, what: RegExp): void {
  assert.equal(result.code, 1, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  assert.match(result.stderr, /error\[EW_PROJECT_LOAD\]/);
  assert.match(result.stderr, where);
  assert.match(result.stderr, what);
}

describe('a project file that tries to end the process', { concurrency: true }, () => {
  const exitsAtLine2 = {
    'envward.config.ts': `import { defineConfig, z } from 'envward';\nprocess.exit(0);\n${DEFINITION}`,
  };

  test('preflight is EW_PROJECT_LOAD naming the line of process.exit(0), not a silent exit 0', async () => {
    const result = await runCli(['preflight', 'development'], { cwd: project(exitsAtLine2) });
    assertLoadRefused(result, /envward\.config\.ts:2:\d+/, /process\.exit\(0\)/);
  });

  test('config show --json prints the EW_PROJECT_LOAD error on stdout', async () => {
    const result = await runCli(['config', 'show', '--json'], { cwd: project(exitsAtLine2) });
    assert.equal(result.code, 1, result.stderr);
    const error = JSON.parse(result.stdout).error as { code: string; details: { line: number } };
    assert.equal(error.code, 'EW_PROJECT_LOAD');
    assert.equal(error.details.line, 2);
  });

  test('an exit the config catches itself is refused all the same', async () => {
    const dir = project({
      'envward.config.ts': `import { defineConfig, z } from 'envward';\ntry { process.exit(0); } catch {}\n${DEFINITION}`,
    });
    assertLoadRefused(await runCli(['config', 'show'], { cwd: dir }), /envward\.config\.ts:2:\d+/, /process\.exit/);
  });

  test('an exit in a module the config imports (the full loader) is refused', async () => {
    const dir = project({
      'side-effect.ts': 'process.exit(0);\nexport const loaded = true;\n',
      'envward.config.ts': `import { defineConfig, z } from 'envward';\nimport { loaded } from './side-effect';\nvoid loaded;\n${DEFINITION}`,
    });
    assertLoadRefused(await runCli(['config', 'show'], { cwd: dir }), /envward\.config\.ts/, /process\.exit\(0\)/);
  });

  test('an envward.config.mjs that exits is refused', async () => {
    const dir = project({
      // No import of envward: a plain .mjs is loaded by Node itself, without envward's aliases.
      'envward.config.mjs': 'process.exit(0);\nexport default { schema: {} };\n',
    });
    assertLoadRefused(await runCli(['config', 'show'], { cwd: dir }), /envward\.config\.mjs/, /process\.exit\(0\)/);
  });

  test('a config that changes process.exitCode is refused and does not decide the exit status', async () => {
    const dir = project({
      'envward.config.ts': `import { defineConfig, z } from 'envward';\nprocess.exitCode = 7;\n${DEFINITION}`,
    });
    assertLoadRefused(await runCli(['config', 'show'], { cwd: dir }), /envward\.config\.ts/, /process\.exitCode/);
  });

  test('the same project without the exit loads', async () => {
    const dir = project({ 'envward.config.ts': `import { defineConfig, z } from 'envward';\n${DEFINITION}` });
    const result = await runCli(['config', 'show'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
  });
});
