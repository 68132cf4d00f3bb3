/**
 * Project files that are not regular files (a FIFO, a link to /dev/zero, a
 * directory) are refused by type before anything is read: each is a clear
 * EW_FILE_INPUT naming the file, never a hang. The CLI runs as a child with a
 * kill timer, since a hang inside this process could not be timed out.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type RunResult, runCli } from '../support/run-cli.ts';
import { secretVariables, type TempProject, writeStandardProject } from '../support/temp-project.ts';

const SETTINGS = 'config/environments/development/settings.yml';
// Far above a normal `config show` (well under 2 s, 20 s on a machine running the whole suite and
// other work at once), far below "forever".
const KILL_AFTER_MS = 60_000;

const projects: TempProject[] = [];
after(() => {
  for (const project of projects) project.cleanup();
});

type Make = (path: string) => void;
const makeFifo: Make = (path) => execFileSync('mkfifo', [path]);
const linkToDevZero: Make = (path) => symlinkSync('/dev/zero', path);
const makeDirectory: Make = (path) => mkdirSync(path);

/** `config show` on a standard project whose `file` is replaced by what `make` creates. */
async function showWith(file: string, make: Make, args: readonly string[] = []): Promise<RunResult> {
  const project = writeStandardProject();
  projects.push(project);
  const path = join(project.dir, file);
  rmSync(path, { force: true });
  mkdirSync(join(path, '..'), { recursive: true });
  make(path);
  return runCli(['config', 'show', '--json', '--cwd', project.dir, ...args], {
    timeoutMs: KILL_AFTER_MS,
    env: secretVariables('development'),
  });
}

function assertRefused(result: RunResult, file: string, kind: RegExp): void {
  assert.notEqual(result.code, -1, `envward hung reading ${file} and was killed`);
  assert.equal(result.code, 1, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  const error = JSON.parse(result.stdout).error as { code: string; message: string; details: { file: string } };
  assert.equal(error.code, 'EW_FILE_INPUT');
  assert.equal(error.details.file, file);
  assert.match(error.message, kind);
}

describe('project files that are not regular files', { concurrency: true }, () => {
  const cases: [string, string, Make, RegExp][] = [
    ['settings.yml as a FIFO', SETTINGS, makeFifo, /FIFO/],
    ['settings.yml as a link to /dev/zero', SETTINGS, linkToDevZero, /character device/],
    ['settings.yml as a directory', SETTINGS, makeDirectory, /directory/],
    ['the project .env as a FIFO', '.env', makeFifo, /FIFO/],
    ['the project .env as a link to /dev/zero', '.env', linkToDevZero, /character device/],
    ['config/base.yml as a FIFO', 'config/base.yml', makeFifo, /FIFO/],
    ['the marker file as a FIFO', '.envward-environment', makeFifo, /FIFO/],
    ['envward.config.ts as a link to /dev/zero', 'envward.config.ts', linkToDevZero, /character device/],
  ];
  for (const [name, file, make, kind] of cases) {
    test(`${name} is EW_FILE_INPUT naming the file, without hanging`, async () => {
      // The marker file is only read when no --env decides.
      const args = file === '.envward-environment' ? [] : ['--env', 'development'];
      assertRefused(await showWith(file, make, args), file, kind);
    });
  }
});
