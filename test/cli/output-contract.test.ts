/**
 * The CLI's output contract (docs/cli.md, docs/errors.md): --json puts exactly
 * one JSON document on stdout, errors included; no colour without a TTY or
 * with NO_COLOR; errors as `error[EW_CODE]: message` plus a hint, stack
 * traces only with --debug; NODE_ENV never picks the environment.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CLI,
  cleanEnv,
  declareHosts,
  initProject,
  makeTempDir,
  parseJson,
  type RunResult,
  runCli,
} from '../support/run-cli.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[/;
const STACK_FRAME = /^\s+at .+/m;

describe('output contract', { concurrency: true }, () => {
  let project = { dir: '', cleanup: async () => {} };
  // A project whose staging configuration is invalid, for failing runs (always
  // with --env), and whose marker file names `test`.
  let broken = { dir: '', cleanup: async () => {} };
  // A project whose production hosts can never match this machine, for overrides.
  let guarded = { dir: '', cleanup: async () => {} };
  let empty = { dir: '', cleanup: async () => {} };
  before(async () => {
    [project, broken, guarded, empty] = await Promise.all([initProject(), initProject(), initProject(), makeTempDir()]);
    await declareHosts(guarded.dir, 'production', [`envward-test-${randomBytes(6).toString('hex')}.invalid`]);
    await writeFile(
      join(broken.dir, 'config/environments/staging/settings.yml'),
      'database:\n  url: sqlite:x\n  poolSzie: 10\n',
    );
    await writeFile(join(broken.dir, '.envward-environment'), 'test\n');
  });
  after(() => Promise.all([project.cleanup(), broken.cleanup(), guarded.cleanup(), empty.cleanup()]));

  /** Runs that cover every command, successes and each kind of failure. */
  function everyKindOfRun(extra: string[], env: Record<string, string> = {}, only?: ReadonlySet<string>) {
    const p = project.dir;
    const b = broken.dir;
    const runs: [string, string[], string][] = [
      ['env', ['env'], p],
      ['env forced', ['env', '--env', 'production', '--force', '--reason', 'r'], guarded.dir],
      ['error: host mismatch', ['env', '--env', 'production'], guarded.dir],
      ['show', ['config', 'show'], p],
      ['explain', ['config', 'explain', 'log.level', '--env', 'production'], p],
      ['validate ok', ['config', 'validate', '--all'], p],
      ['validate invalid', ['config', 'validate', '--env', 'staging'], b],
      ['diff', ['config', 'diff', 'staging', 'production'], p],
      ['error: invalid config', ['config', 'show', '--env', 'staging'], b],
      ['error: unknown key', ['config', 'explain', 'nope'], p],
      ['error: bad env name', ['env', '--env', 'Prod'], p],
      ['error: --set', ['config', 'show', '--set', 'x'], p],
      ['error: no project', ['env'], empty.dir],
      ['error: init refused', ['init'], p],
      ['error: force reason', ['env', '--force'], p],
    ];
    return Promise.all(
      runs
        .filter(([label]) => only === undefined || only.has(label))
        .map(async ([label, args, cwd]) => ({ label, result: await runCli([...args, ...extra], { cwd, env }) })),
    );
  }

  test('--json: stdout is exactly one JSON document, for results and for errors', async () => {
    const expectedErrors: Record<string, [number, string]> = {
      'error: invalid config': [1, 'EW_CONFIG_INVALID'],
      'error: unknown key': [2, 'EW_CONFIG_KEY'],
      'error: bad env name': [2, 'EW_ENV_NAME'],
      'error: --set': [2, 'EW_USAGE'],
      'error: no project': [2, 'EW_PROJECT_NOT_FOUND'],
      'error: init refused': [3, 'EW_INIT_EXISTS'],
      'error: force reason': [2, 'EW_FORCE_REASON'],
      'error: host mismatch': [3, 'EW_HOST_MISMATCH'],
    };
    for (const { label, result } of await everyKindOfRun(['--json'])) {
      let data: Record<string, unknown>;
      try {
        data = parseJson(result.stdout);
      } catch (error) {
        assert.fail(
          `${label}: stdout is not one JSON document: ${String(error)}\n${result.stdout}\nexit ${result.code}, stderr: ${result.stderr}`,
        );
      }
      assert.ok(result.stdout.endsWith('}\n'), `${label}: nothing after the document`);
      const expected = expectedErrors[label];
      if (expected) {
        assert.equal(result.code, expected[0], `${label}: exit code`);
        assert.deepEqual(Object.keys(data), ['error'], label);
        const error = data.error as Record<string, unknown>;
        assert.deepEqual(Object.keys(error).sort(), ['code', 'details', 'hint', 'message'], label);
        assert.equal(error.code, expected[1], label);
        assert.equal(typeof error.message, 'string');
        assert.ok((error.hint as string).length > 0, `${label}: a hint`);
        assert.equal(typeof error.details, 'object');
        // The human form still goes to stderr.
        assert.match(result.stderr, new RegExp(`^error\\[${expected[1]}\\]: `), label);
      } else {
        assert.equal(result.code, label === 'validate invalid' ? 1 : 0, `${label}: ${result.stderr}`);
        assert.ok(!('error' in data), label);
      }
    }
  });

  test('--json with --debug: the stack trace goes to stderr, stdout stays one document', async () => {
    const result = await runCli(['config', 'explain', 'nope', '--json', '--debug'], { cwd: project.dir });
    assert.equal(result.code, 2);
    assert.equal((parseJson(result.stdout).error as { code: string }).code, 'EW_CONFIG_KEY');
    assert.match(result.stderr, STACK_FRAME);
  });

  test('--json: commander usage errors (unknown option, unknown command, missing argument) are JSON on stdout too', {}, async () => {
    const results = await Promise.all([
      runCli(['env', '--bogus', '--json'], { cwd: project.dir }),
      runCli(['frobnicate', '--json'], { cwd: project.dir }),
      runCli(['config', 'explain', '--json'], { cwd: project.dir }),
    ]);
    for (const result of results) {
      assert.equal(result.code, 2);
      const error = parseJson(result.stdout).error as { code: string };
      assert.equal(error.code, 'EW_USAGE');
    }
  });

  test('commander usage errors print error[EW_USAGE]: and a hint like every other error', {}, async () => {
    const results = await Promise.all([
      runCli(['env', '--bogus'], { cwd: project.dir }),
      runCli(['frobnicate'], { cwd: project.dir }),
    ]);
    for (const result of results) {
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^error\[EW_USAGE\]: .+\nhint: .+\n$/);
    }
  });

  test('no ANSI escapes anywhere without a TTY, with NO_COLOR=1 and without it', async () => {
    // Every command with NO_COLOR=1; without it, the runs whose output would be coloured on a TTY.
    const coloured = new Set(['env', 'env forced', 'show', 'validate ok', 'validate invalid', 'error: bad env name']);
    const [withNoColor, withoutNoColor] = await Promise.all([
      everyKindOfRun([], { NO_COLOR: '1' }),
      everyKindOfRun([], {}, coloured),
    ]);
    assert.equal(withoutNoColor.length, coloured.size);
    for (const { label, result } of [...withNoColor, ...withoutNoColor]) {
      assert.doesNotMatch(result.stdout, ANSI, `${label}: stdout`);
      assert.doesNotMatch(result.stderr, ANSI, `${label}: stderr`);
    }
    // The runs did print: the check above is not vacuous.
    for (const runs of [withNoColor, withoutNoColor]) {
      const forced = runs.find((run) => run.label === 'env forced')?.result as RunResult;
      assert.match(forced.stdout, /PRODUCTION/);
      assert.match(forced.stderr, /OVERRIDE/);
      const invalid = runs.find((run) => run.label === 'validate invalid')?.result as RunResult;
      assert.match(invalid.stdout, /^invalid {2}staging/);
    }
  });

  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  const haveScript = script.status === 0 && /util-linux/.test(script.stdout);

  test('on a TTY the banner is coloured, and NO_COLOR turns colour off there too', {
    skip: haveScript ? false : 'needs util-linux `script` for a pseudo-terminal',
  }, async () => {
    const onTty = (env: Record<string, string>) =>
      new Promise<string>((resolve, reject) => {
        const command = [process.execPath, CLI, 'env', '--env', 'production', '--force', '--reason', 'tty']
          .map((word) => `'${word.replace(/'/g, "'\\''")}'`)
          .join(' ');
        const child = spawn('script', ['-qec', command, '/dev/null'], {
          cwd: guarded.dir,
          env: cleanEnv(env),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
        });
        child.on('error', reject);
        child.on('close', () => resolve(output));
      });
    const [coloured, plain] = await Promise.all([onTty({}), onTty({ NO_COLOR: '1' })]);
    assert.match(coloured, /PRODUCTION/);
    assert.match(coloured, ANSI, 'colour on a TTY');
    assert.match(plain, /PRODUCTION/);
    assert.match(plain, /OVERRIDE of EW_HOST_MISMATCH|environment {2}production/);
    assert.doesNotMatch(plain, ANSI, 'NO_COLOR on a TTY');
  });

  test('errors print error[EW_CODE]: message and a hint, and no stack trace unless --debug', async () => {
    const cwd = project.dir;
    const [plain, debug, notFound, invalidDebug] = await Promise.all([
      runCli(['config', 'explain', 'nope'], { cwd }),
      runCli(['config', 'explain', 'nope', '--debug'], { cwd }),
      runCli(['config', 'show', '--set', 'app.port=abc'], { cwd: empty.dir }),
      runCli(['config', 'show', '--set', 'app.port=abc', '--debug'], { cwd }),
    ]);
    assert.equal(plain.code, 2);
    assert.equal(plain.stdout, '');
    assert.match(
      plain.stderr,
      /^error\[EW_CONFIG_KEY\]: Unknown configuration key "nope" \(environment development\)\.\nhint: .+\n$/,
    );
    assert.doesNotMatch(plain.stderr, STACK_FRAME);

    assert.equal(debug.code, 2);
    assert.ok(debug.stderr.startsWith(plain.stderr), 'the same error and hint first');
    assert.match(debug.stderr, /\nConfigKeyUnknownError: Unknown configuration key "nope"/);
    assert.match(debug.stderr, STACK_FRAME);

    // Run outside any project: EW_PROJECT_NOT_FOUND, still code + hint only.
    assert.equal(notFound.code, 2);
    assert.match(notFound.stderr, /^error\[EW_PROJECT_NOT_FOUND\]: .+\nhint: .+\n$/);

    assert.equal(invalidDebug.code, 1);
    assert.match(invalidDebug.stderr, /^error\[EW_CONFIG_INVALID\]: Configuration for "development" has 1 problem:\n/);
    assert.match(
      invalidDebug.stderr,
      /^ {2}- app\.port \[development\] at explicit: expected a decimal number \(EW_CONFIG_TYPE\)$/m,
    );
    assert.match(invalidDebug.stderr, /\nhint: /);
    assert.match(invalidDebug.stderr, STACK_FRAME);
  });

  test('NODE_ENV=production alone leaves the environment at development; --json names the detection source', async () => {
    const cwd = project.dir;
    const [env, show, validate] = await Promise.all([
      runCli(['env', '--json'], { cwd, env: { NODE_ENV: 'production' } }),
      runCli(['config', 'show', '--json'], { cwd, env: { NODE_ENV: 'production' } }),
      runCli(['config', 'validate', '--json'], { cwd, env: { NODE_ENV: 'production' } }),
    ]);
    assert.equal(env.code, 0, env.stderr);
    const data = parseJson(env.stdout);
    assert.equal(data.name, 'development');
    assert.equal(data.tier, 'development');
    assert.deepEqual(data.source, { kind: 'default', detail: 'no signal set' });

    assert.equal(show.code, 0, show.stderr);
    const shown = parseJson(show.stdout);
    assert.equal(shown.environment, 'development');
    assert.deepEqual(shown.detection, { kind: 'default', detail: 'no signal set' });
    // The development values, not production's.
    const rows = shown.keys as { key: string; value: unknown }[];
    assert.equal(rows.find((row) => row.key === 'database.url')?.value, 'sqlite:var/development/app.db');

    assert.equal(validate.code, 0, validate.stderr);
    assert.deepEqual(
      (parseJson(validate.stdout).environments as { environment: string }[]).map((r) => r.environment),
      ['development'],
    );
  });

  test('env --json reports each detection source, in the documented order', async () => {
    const marked = broken.dir; // has a .envward-environment marker naming `test`
    const cwd = project.dir;
    const cases: [string, string[], Record<string, string>, string, string, string][] = [
      ['option', ['--env', 'staging'], { ENVWARD_ENV: 'production' }, 'staging', 'option', '--env'],
      [
        // Told signals must agree (EW_ENV_CONFLICT otherwise); the first one is the source.
        'ENVWARD_ENV over an agreeing APP_ENV',
        [],
        { ENVWARD_ENV: 'production', APP_ENV: 'production', NODE_ENV: 'test' },
        'production',
        'ENVWARD_ENV',
        'ENVWARD_ENV=production',
      ],
      ['APP_ENV', [], { APP_ENV: 'staging', NODE_ENV: 'production' }, 'staging', 'APP_ENV', 'APP_ENV=staging'],
    ];
    const results = await Promise.all([
      ...cases.map(([, args, env]) => runCli(['env', '--json', ...args], { cwd, env })),
      runCli(['env', '--json'], { cwd: marked, env: { NODE_ENV: 'production' } }),
      runCli(['env', '--json'], { cwd: marked, env: { APP_ENV: 'test' } }),
    ]);
    for (const [index, [label, , , name, kind, detail]] of cases.entries()) {
      const result = results[index] as RunResult;
      assert.equal(result.code, 0, `${label}: ${result.stderr}`);
      const data = parseJson(result.stdout);
      assert.equal(data.name, name, label);
      assert.deepEqual(data.source, { kind, detail }, label);
    }
    const marker = parseJson((results[cases.length] as RunResult).stdout);
    assert.equal(marker.name, 'test');
    assert.deepEqual(marker.source, { kind: 'marker-file', detail: join(marked, '.envward-environment') });
    const variableOverMarker = parseJson((results[cases.length + 1] as RunResult).stdout);
    assert.equal(variableOverMarker.name, 'test');
    assert.equal((variableOverMarker.source as { kind: string }).kind, 'APP_ENV');
  });
});
