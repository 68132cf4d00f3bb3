// Broke once: a .env value holding a newline printed a fake row in
// `config show` (and an ESC could move the cursor), and a base.yml of 75,000
// unknown keys took 17 s and printed 9.7 MB. Values are now printed with
// control characters escaped, and unknown keys are listed 20 at a time.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/run-cli.ts';
import { type TempProject, writeStandardProject } from '../support/temp-project.ts';

const projects: TempProject[] = [];
after(() => {
  for (const project of projects) project.cleanup();
});

function project(files: Record<string, string>): string {
  const temp = writeStandardProject({ files });
  projects.push(temp);
  return temp.dir;
}

describe('human output of config values', { concurrency: true }, () => {
  // A double-quoted .env value: dotenv turns \n into a newline and keeps the ESC and CR as they are.
  const forged = 'APP_NAME="real\\n  log.level                    trace  <- config/base.yml:1\\u001b[2K\\r"\n';
  const env = { '.env': forged.replace('\\u001b', '\u001b') };

  test('config show prints a value with a newline, ESC or CR on its own line, escaped', async () => {
    const result = await runCli(['config', 'show', '--env', 'development'], { cwd: project(env) });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!/[\p{Cc}]/u.test(result.stdout.replaceAll('\n', '')), 'no control character but newlines');
    const nameLines = result.stdout.split('\n').filter((line) => line.includes('app.name'));
    assert.equal(nameLines.length, 1);
    assert.match(nameLines[0] ?? '', /real\\n {2}log\.level +trace {2}<- config\/base\.yml:1\\e\[2K\\r/);
    assert.equal(result.stdout.split('\n').filter((line) => /^\s*log\.level/.test(line)).length, 1);
  });

  test('config explain escapes the value and every value it overrode', async () => {
    const result = await runCli(['config', 'explain', 'app.name', '--env', 'development'], { cwd: project(env) });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!/[\p{Cc}]/u.test(result.stdout.replaceAll('\n', '')), 'no control character but newlines');
    assert.match(result.stdout, /^app\.name = real\\n {2}log\.level/m);
  });

  test('--json keeps the value as it is (JSON escapes it already)', async () => {
    const result = await runCli(['config', 'show', '--env', 'development', '--json'], { cwd: project(env) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /real\\n {2}log\.level/);
  });

  test('75,000 unknown keys print 20 findings and a count, not 75,000 lines', async () => {
    const keys = Array.from({ length: 75_000 }, (_, i) => `k${i}: 1`).join('\n');
    const dir = project({ 'config/base.yml': `app:\n  name: many\n${keys}\n` });
    const [text, json] = await Promise.all([
      runCli(['config', 'show', '--env', 'development'], { cwd: dir }),
      runCli(['config', 'validate', '--env', 'development', '--json'], { cwd: dir }),
    ]);
    assert.equal(text.code, 1, text.stderr.slice(0, 2000));
    assert.ok(text.stderr.length < 10_000, `${text.stderr.length} characters on stderr`);
    assert.equal(text.stderr.match(/EW_CONFIG_UNKNOWN_KEY/g)?.length, 21);
    assert.match(text.stderr, /and 74980 more keys the schema does not declare/);
    assert.equal(json.code, 1, json.stderr.slice(0, 2000));
    assert.ok(json.stdout.length < 20_000, `${json.stdout.length} characters on stdout`);
  });
});
