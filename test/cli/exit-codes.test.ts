/**
 * The CLI's exit codes (docs/cli.md): 0 success, 1 a check found problems,
 * 2 usage error, 3 refused by a guard; and the --force/--reason override.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  declareHosts,
  escapeRegExp,
  initProject,
  makeTempDir,
  parseJson,
  type RunResult,
  runCli,
} from '../support/run-cli.ts';

const OK = 0;
const PROBLEM = 1;
const USAGE = 2;
const REFUSED = 3;

function expectCode(result: RunResult, code: number, label: string): void {
  assert.equal(result.code, code, `${label}: exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

/** Every directory and file under `dir` with its contents (directories as null). */
async function snapshot(dir: string): Promise<Map<string, string | null>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const result = new Map<string, string | null>();
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    result.set(path.slice(dir.length), entry.isDirectory() ? null : await readFile(path, 'utf8'));
  }
  return new Map([...result].sort(([a], [b]) => a.localeCompare(b)));
}

describe('exit codes', { concurrency: true }, () => {
  let project = { dir: '', cleanup: async () => {} };
  before(async () => {
    project = await initProject();
  });
  after(() => project.cleanup());

  test('0: every command on a valid project, --help and --version', async () => {
    const cwd = project.dir;
    const runs = await Promise.all([
      runCli(['env'], { cwd }),
      runCli(['env', '--env', 'production'], { cwd }),
      runCli(['config', 'show'], { cwd }),
      runCli(['config', 'show', '--env', 'production', '--set', 'log.level=error'], { cwd }),
      runCli(['config', 'explain', 'log.level'], { cwd }),
      runCli(['config', 'validate'], { cwd }),
      runCli(['config', 'validate', '--all'], { cwd }),
      runCli(['config', 'diff', 'development', 'production'], { cwd }),
      runCli(['--help']),
      runCli(['--version']),
    ]);
    for (const [index, result] of runs.entries()) {
      expectCode(result, OK, `run ${index}`);
      assert.doesNotMatch(result.stderr, /error/i, `run ${index} prints no error`);
    }
    assert.match(runs[9]?.stdout ?? '', /^\d+\.\d+\.\d+/);
  });

  test('1: validation finds a problem (validate and the commands that resolve)', async () => {
    const cwd = project.dir;
    const [validate, validateAll, show, explain, diff] = await Promise.all([
      runCli(['config', 'validate', '--env', 'production', '--set', 'log.level=debug'], { cwd }),
      runCli(['config', 'validate', '--all', '--set', 'app.port=not-a-port'], { cwd }),
      runCli(['config', 'show', '--set', 'app.port=70000'], { cwd }),
      runCli(['config', 'explain', 'app.port', '--set', 'app.port=abc'], { cwd }),
      runCli(['config', 'diff', 'staging', 'production', '--set', 'app.debug=true'], { cwd }),
    ]);
    expectCode(validate, PROBLEM, 'validate');
    assert.match(validate.stdout, /log\.level \[production\] at explicit: .*\(EW_RULE_LOG_LEVEL\)/);
    expectCode(validateAll, PROBLEM, 'validate --all');
    assert.equal(validateAll.stdout.match(/^invalid {2}/gm)?.length, 4, validateAll.stdout);
    for (const [result, label] of [
      [show, 'show'],
      [explain, 'explain'],
    ] as const) {
      expectCode(result, PROBLEM, label);
      assert.match(result.stderr, /^error\[EW_CONFIG_INVALID\]: /, label);
      assert.equal(result.stdout, '', label);
    }
    // diff shows what it can and marks each invalid side with its issues, exit 1.
    expectCode(diff, PROBLEM, 'diff');
    assert.match(diff.stdout, /^invalid {2}staging \(1 problem; .*\n {2}- app\.debug \[staging\] .*\(EW_RULE_DEBUG\)/m);
    assert.match(diff.stdout, /^invalid {2}production \(1 problem; /m);
    assert.doesNotMatch(diff.stderr, /error/);
  });

  test('2: usage errors', async () => {
    const cwd = project.dir;
    const empty = await makeTempDir();
    try {
      const cases: [string, string[], RegExp][] = [
        ['unknown option', ['env', '--bogus'], /unknown option '--bogus'/],
        ['unknown option on a config command', ['config', 'show', '--nope'], /unknown option '--nope'/],
        ['--set without =', ['config', 'show', '--set', 'log.level'], /^error\[EW_USAGE\]: --set expects key=value/],
        ['--set with an empty key', ['config', 'show', '--set', '=warn'], /^error\[EW_USAGE\]: --set expects/],
        ['bad env name --env Prod', ['env', '--env', 'Prod'], /^error\[EW_ENV_NAME\]: Invalid environment name "Prod"/],
        ['bad env name on config show', ['config', 'show', '--env', 'Prod'], /^error\[EW_ENV_NAME\]/],
        ['env name with ..', ['config', 'show', '--env', '../prod'], /^error\[EW_ENV_NAME\]/],
        ['bad env name in ENVWARD_ENV', ['env'], /^error\[EW_ENV_NAME\]: .*variable ENVWARD_ENV/],
        ['unknown environment', ['env', '--env', 'nope'], /^error\[EW_ENV_UNKNOWN\]: .*Known environments: /],
        ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
        ['unknown config subcommand', ['config', 'frob'], /unknown command 'frob'/],
        ['missing argument', ['config', 'explain'], /missing required argument 'key'/],
        ['unknown key to explain', ['config', 'explain', 'log.levle'], /^error\[EW_CONFIG_KEY\]: .*"log\.levle"/],
        ['unknown key to --set', ['config', 'show', '--set', 'log.levle=warn'], /^error\[EW_CONFIG_KEY\]/],
        ['--force without --reason', ['env', '--force'], /^error\[EW_FORCE_REASON\]: /],
        ['--force with a blank --reason', ['env', '--force', '--reason', '  '], /^error\[EW_FORCE_REASON\]: /],
      ];
      const results = await Promise.all(
        cases.map(([label, args]) =>
          runCli(args, { cwd, env: label.includes('ENVWARD_ENV') ? { ENVWARD_ENV: 'Production' } : {} }),
        ),
      );
      for (const [index, [label, , pattern]] of cases.entries()) {
        const result = results[index] as RunResult;
        expectCode(result, USAGE, label);
        assert.match(result.stderr, pattern, label);
        assert.equal(result.stdout, '', `${label}: nothing on stdout`);
      }

      const notFound = await runCli(['config', 'show'], { cwd: empty.dir });
      expectCode(notFound, USAGE, 'no project');
      assert.match(notFound.stderr, /^error\[EW_PROJECT_NOT_FOUND\]: /);
    } finally {
      await empty.cleanup();
    }
  });

  test('3: init refuses in a directory that has envward.config.ts, and writes nothing', async () => {
    const temp = await makeTempDir();
    try {
      await writeFile(join(temp.dir, 'envward.config.ts'), '// my own config, not to be touched\n');
      await writeFile(join(temp.dir, '.gitignore'), 'node_modules/\n'); // init would append to this
      const before = await snapshot(temp.dir);
      const [human, json] = await Promise.all([
        runCli(['init', '--cwd', temp.dir]),
        runCli(['init', '--cwd', temp.dir, '--json']),
      ]);
      expectCode(human, REFUSED, 'init');
      assert.match(
        human.stderr,
        /^error\[EW_INIT_EXISTS\]: Refusing to overwrite existing files: envward\.config\.ts\./,
      );
      assert.match(human.stderr, /\nhint: .*Nothing was written\./);
      assert.equal(human.stdout, '');
      expectCode(json, REFUSED, 'init --json');
      const error = parseJson(json.stdout).error as { code: string; details: { files: string[] } };
      assert.equal(error.code, 'EW_INIT_EXISTS');
      assert.deepEqual(error.details.files, ['envward.config.ts']);
      assert.deepEqual(await snapshot(temp.dir), before);
    } finally {
      await temp.cleanup();
    }
  });

  test('3: init refuses over a scaffolded project, leaving every file as it was; 1: malformed YAML', async () => {
    const temp = await initProject();
    try {
      await writeFile(join(temp.dir, 'config/base.yml'), 'app:\n  name: [unclosed\n');
      const before = await snapshot(temp.dir);
      const [init, show] = await Promise.all([
        runCli(['init'], { cwd: temp.dir }),
        runCli(['config', 'show'], { cwd: temp.dir }),
      ]);
      expectCode(init, REFUSED, 'init');
      assert.match(init.stderr, /^error\[EW_INIT_EXISTS\]: .*config\/base\.yml/);
      assert.deepEqual(await snapshot(temp.dir), before);

      expectCode(show, PROBLEM, 'show with malformed YAML');
      assert.match(show.stderr, /^error\[EW_CONFIG_PARSE\]: config\/base\.yml:\d+:\d+: /);
    } finally {
      await temp.cleanup();
    }
  });

  test('3: env refuses production on a host that does not match its host patterns; --force needs --reason', async () => {
    const host = hostname();
    // A random .invalid name: cannot be this machine's host name (the CLI reads os.hostname()).
    const pattern = `envward-test-${randomBytes(6).toString('hex')}.invalid`;
    assert.notEqual(host.toLowerCase(), pattern);
    const temp = await initProject();
    try {
      await declareHosts(temp.dir, 'production', [pattern]);
      // production's database exists, not stamped yet (an empty SQLite file): reading never creates one.
      mkdirSync(join(temp.dir, 'var/production'), { recursive: true });
      writeFileSync(join(temp.dir, 'var/production/app.db'), '');
      const cwd = temp.dir;
      const [refused, refusedJson, viaVariable, development, inspect, noReason, forced, forcedJson, nothingToForce] =
        await Promise.all([
          runCli(['env', '--env', 'production'], { cwd }),
          runCli(['env', '--env', 'production', '--json'], { cwd }),
          runCli(['env'], { cwd, env: { ENVWARD_ENV: 'production' } }),
          runCli(['env'], { cwd }),
          runCli(['config', 'show', '--env', 'production'], { cwd }),
          runCli(['env', '--env', 'production', '--force'], { cwd }),
          runCli(['env', '--env', 'production', '--force', '--reason', 'incident 4711 failover'], { cwd }),
          runCli(['env', '--env', 'production', '--force', '--reason', 'incident 4711 failover', '--json'], { cwd }),
          runCli(['env', '--force', '--reason', 'nothing refused'], { cwd }),
        ]);

      expectCode(refused, REFUSED, 'env --env production');
      assert.match(
        refused.stderr,
        new RegExp(
          `^error\\[EW_HOST_MISMATCH\\]: Refusing to run as "production" on host "${escapeRegExp(host)}": the host does not match production's hosts \\(${escapeRegExp(pattern)}\\)`,
        ),
      );
      assert.match(refused.stderr, /\nhint: .*--force --reason/);
      assert.equal(refused.stdout, '');

      expectCode(refusedJson, REFUSED, 'env --env production --json');
      const error = parseJson(refusedJson.stdout).error as { code: string; details: Record<string, unknown> };
      assert.equal(error.code, 'EW_HOST_MISMATCH');
      assert.deepEqual(error.details, { environment: 'production', hostname: host });

      expectCode(viaVariable, REFUSED, 'ENVWARD_ENV=production env');
      assert.match(viaVariable.stderr, /^error\[EW_HOST_MISMATCH\]/);

      expectCode(development, OK, 'env (development)');
      expectCode(inspect, OK, 'config show --env production (inspection skips the host check)');

      expectCode(noReason, USAGE, '--force without --reason');
      assert.match(noReason.stderr, /^error\[EW_FORCE_REASON\]: /);

      expectCode(forced, OK, '--force --reason');
      const bar = '!'.repeat(72);
      assert.ok(forced.stderr.startsWith(`${bar}\nOVERRIDE of EW_HOST_MISMATCH: Refusing to run as "production"`));
      assert.match(forced.stderr, /^reason: incident 4711 failover$/m);
      // The closing bar; the override is audited in production's database, stamped or not yet.
      assert.ok(forced.stderr.includes(`${bar}\n`));
      assert.doesNotMatch(forced.stderr, /not audited/);
      assert.match(forced.stdout, /^ PRD · PRODUCTION /);

      expectCode(forcedJson, OK, '--force --reason --json');
      const data = parseJson(forcedJson.stdout);
      assert.equal(data.name, 'production');
      const override = data.override as { guard: string; reason: string; message: string };
      assert.equal(override.guard, 'EW_HOST_MISMATCH');
      assert.equal(override.reason, 'incident 4711 failover');
      assert.match(override.message, /^Refusing to run as "production"/);
      assert.match(forcedJson.stderr, /OVERRIDE of EW_HOST_MISMATCH/);

      expectCode(nothingToForce, OK, '--force --reason with nothing refused');
      assert.doesNotMatch(nothingToForce.stderr, /OVERRIDE/);
    } finally {
      await temp.cleanup();
    }
  });

  test("3: env refuses another environment on a host matching production's pattern", async (t) => {
    const host = hostname();
    if (!/^[A-Za-z0-9.-]+$/.test(host)) {
      t.skip(`host name ${JSON.stringify(host)} is not usable as a literal pattern`);
      return;
    }
    const temp = await initProject();
    try {
      await declareHosts(temp.dir, 'production', [host]);
      const cwd = temp.dir;
      const [detected, development, staging, forced] = await Promise.all([
        runCli(['env', '--json'], { cwd }),
        runCli(['env', '--env', 'development'], { cwd }),
        runCli(['env'], { cwd, env: { APP_ENV: 'staging' } }),
        runCli(['env', '--env', 'development', '--force', '--reason', 'debugging on prod box'], { cwd }),
      ]);
      expectCode(detected, OK, 'env (detected by host)');
      const data = parseJson(detected.stdout);
      assert.equal(data.name, 'production');
      assert.deepEqual(data.source, { kind: 'host-pattern', detail: `host ${host} matches ${host}` });

      expectCode(development, REFUSED, 'env --env development');
      assert.match(development.stderr, /^error\[EW_HOST_MISMATCH\]: .*matches production's host pattern/);
      expectCode(staging, REFUSED, 'APP_ENV=staging env');
      expectCode(forced, OK, 'forced');
      assert.match(forced.stderr, /OVERRIDE of EW_HOST_MISMATCH/);
      assert.match(forced.stderr, /^reason: debugging on prod box$/m);
    } finally {
      await temp.cleanup();
    }
  });

  test('2: --force without --reason is refused by every command, not only env', {}, async () => {
    const cwd = project.dir;
    const empty = await makeTempDir();
    try {
      const results = await Promise.all([
        runCli(['config', 'show', '--force'], { cwd }),
        runCli(['config', 'validate', '--force'], { cwd }),
        runCli(['config', 'diff', 'staging', 'production', '--force'], { cwd }),
        runCli(['init', '--force'], { cwd: empty.dir }),
      ]);
      for (const result of results) {
        expectCode(result, USAGE, '--force alone');
        assert.match(result.stderr, /error\[EW_FORCE_REASON\]/);
      }
    } finally {
      await empty.cleanup();
    }
  });
  test('3: ENVWARD_ENV and APP_ENV that disagree are refused (EW_ENV_CONFLICT) unless --env decides', async () => {
    const cwd = project.dir;
    const env = { ENVWARD_ENV: 'production', APP_ENV: 'staging' };
    const [refused, json, decided] = await Promise.all([
      runCli(['config', 'show'], { cwd, env }),
      runCli(['env', '--json'], { cwd, env }),
      runCli(['env', '--env', 'development'], { cwd, env }),
    ]);
    expectCode(refused, REFUSED, 'config show with disagreeing variables');
    assert.match(refused.stderr, /error\[EW_ENV_CONFLICT\].*ENVWARD_ENV=production.*APP_ENV=staging/);
    expectCode(json, REFUSED, 'env --json with disagreeing variables');
    assert.equal((parseJson(json.stdout).error as { code: string }).code, 'EW_ENV_CONFLICT');
    expectCode(decided, OK, 'env --env development');
    assert.match(decided.stdout, /overruled\s+ENVWARD_ENV=production \(says "production"\)/);
    assert.match(decided.stdout, /overruled\s+APP_ENV=staging \(says "staging"\)/);
  });
});
