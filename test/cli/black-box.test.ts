/**
 * The CLI as a user runs it: `node bin/envward.js` as a real process. Most
 * suites run the CLI in the test's own process (test/support/cli-in-process.ts);
 * this one keeps the process contract under test (the bin, exit codes,
 * stdout and stderr kept apart, stdin) and shows that an in-process run gives
 * the same code and output as a real one, for a run of each exit code.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { declareHosts, initProject, type RunOptions, type RunResult, runCli } from '../support/run-cli.ts';
import { cli, keygenAll, makeSecretsProject, type SecretsProject } from '../support/secrets-project.ts';

/** Output with what differs between two runs by design (timings) blanked. */
function comparable(result: RunResult): RunResult {
  const blank = (text: string) => text.replace(/\d+(\.\d+)? ?ms\b/g, '<ms>');
  return { code: result.code, stdout: blank(result.stdout), stderr: blank(result.stderr) };
}

describe('the CLI as a process', () => {
  let project = { dir: '', cleanup: async () => {} };
  before(async () => {
    project = await initProject();
    // A host pattern for production that this machine does not match: `env --env production` is refused.
    await declareHosts(project.dir, 'production', [`not-${hostname()}.invalid`]);
  });
  after(() => project.cleanup());

  const cases: [label: string, args: string[], code: number][] = [
    ['--version', ['--version'], 0],
    ['env', ['env'], 0],
    ['env --json', ['env', '--json'], 0],
    ['config validate --all', ['config', 'validate', '--all'], 0],
    ['a usage error', ['env', '--bogus'], 2],
    ['a usage error with --json', ['config', 'explain', '--json'], 2],
    ['a problem: an invalid value', ['config', 'show', '--set', 'app.port=70000'], 1],
    ['a guard refusal', ['env', '--env', 'production'], 3],
    ['a guard refusal with --json', ['env', '--env', 'production', '--json'], 3],
  ];

  for (const [label, args, code] of cases) {
    test(`${label}: exit ${code} from the bin, and the same code and output in process`, async () => {
      const options: RunOptions = { cwd: project.dir, env: { NO_COLOR: '1' } };
      const [real, inProcess] = [await runCli(args, { ...options, spawn: true }), await runCli(args, options)];
      assert.equal(real.code, code, `exit ${real.code}\nstdout: ${real.stdout}\nstderr: ${real.stderr}`);
      assert.deepEqual(comparable(inProcess), comparable(real));
      if (code === 0) assert.equal(real.stderr, '', 'a success writes nothing on stderr');
      else assert.match(real.stderr, /EW_[A-Z_]+/, 'a failure names its code on stderr');
      if (args.includes('--json')) assert.doesNotThrow(() => JSON.parse(real.stdout), 'stdout is one JSON document');
      else if (code !== 0) assert.equal(real.stdout, '', 'a failure writes nothing on stdout without --json');
    });
  }
});

describe('stdin of the CLI process', () => {
  let project: SecretsProject;
  before(async () => {
    project = makeSecretsProject();
    await keygenAll(project.dir, ['staging']);
  });
  after(() => project.cleanup());

  test('secrets set reads the value from a piped stdin, and an empty stdin is refused', async () => {
    const set = await cli(project.dir, ['secrets', 'set', 'database.password', '--env', 'staging'], {
      input: 'black-box-value-of-32-characters\n',
      spawn: true,
    });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.signal, null);
    const empty = await cli(project.dir, ['secrets', 'set', 'database.password', '--env', 'staging'], {
      spawn: true,
    });
    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /EW_[A-Z_]+/);
    assert.match(empty.stderr, /stdin was empty/);
  });
});
