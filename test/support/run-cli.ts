/**
 * Runs the built CLI (dist/cli.js; run `npm run build` first): in this
 * process where a test needs only the output and the exit code (see
 * cli-in-process.ts), else as a child process running `bin/envward.js`, the
 * way a user does: with `spawn: true`, a timeout (the run may have to be
 * killed) or a failpoint (the run kills itself).
 *
 * The child gets a clean environment: a copy of this process's, without the
 * variables that pick an environment or force colour (ENVWARD_ENV, APP_ENV,
 * NODE_ENV, FORCE_COLOR, ENVWARD_KEY_*), so a developer's shell cannot change
 * the outcome. envward's compile caches go to a private temporary
 * XDG_CACHE_HOME (removed when this process exits) unless the caller sets
 * one. `spawn` rather than `spawnSync`, so tests can run calls concurrently.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliInProcess } from './cli-in-process.ts';
import { withSlot } from './process-slots.ts';

/** Absolute path of the CLI binary. */
export const CLI = fileURLToPath(new URL('../../bin/envward.js', import.meta.url));

const cacheHome = mkdtempSync(join(tmpdir(), 'envward-cli-cache-'));
process.on('exit', () => rmSync(cacheHome, { recursive: true, force: true }));

export interface RunOptions {
  /** Working directory of the child (default: this process's). */
  readonly cwd?: string;
  /** Variables to set (a string) or remove (undefined), applied after the clean-up. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Text written to the child's stdin (stdin is closed either way). */
  readonly input?: string;
  /** Kill the child (SIGKILL) after this many milliseconds; it then exits with -1. */
  readonly timeoutMs?: number;
  /** Run a real `node bin/envward.js` process even where an in-process run would do. */
  readonly spawn?: boolean;
}

export interface RunResult {
  /** The exit code; -1 if the process was killed by a signal. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const REMOVED = new Set(['ENVWARD_ENV', 'APP_ENV', 'NODE_ENV', 'FORCE_COLOR']);

/** The environment a CLI run gets: process.env cleaned, then `extra` applied. */
export function cleanEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (REMOVED.has(name) || name.startsWith('ENVWARD_KEY_')) continue;
    env[name] = value;
  }
  env.XDG_CACHE_HOME = cacheHome;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs `envward ...args` and collects its exit code and output. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  if (needsProcess(options)) return withSlot(() => spawnCli(args, options));
  return runCliInProcess({
    args,
    cwd: options.cwd ?? process.cwd(),
    env: cleanEnv(options.env),
    input: options.input ?? '',
  });
}

/**
 * A run that may be killed, or kills itself at a failpoint, needs a process
 * of its own; so do runs a test starts at once to see them contend (in
 * process they would only queue), which say so with ENVWARD_TEST_SPAWN=1 in
 * their variables. ENVWARD_TEST_SPAWN=1 in the test's own environment runs
 * every call as a process.
 */
export function needsProcess(options: {
  readonly spawn?: boolean;
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}): boolean {
  return (
    options.spawn === true ||
    options.timeoutMs !== undefined ||
    options.env?.ENVWARD_FAILPOINT !== undefined ||
    // Tests of runs at once ask for processes through their variables, which every project helper passes on.
    options.env?.ENVWARD_TEST_SPAWN === '1' ||
    process.env.ENVWARD_TEST_SPAWN === '1'
  );
}

function spawnCli(args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {}); // the child may exit before reading its input
    child.stdin.end(options.input ?? '');
  });
}

/** Makes an empty temporary directory; `cleanup` removes it. */
export async function makeTempDir(prefix = 'envward-cli-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A fresh temporary directory scaffolded by `envward init --cwd dir`; `cleanup` removes it. */
export async function initProject(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await makeTempDir();
  const result = await runCli(['init', '--cwd', temp.dir]);
  if (result.code !== 0) {
    await temp.cleanup();
    throw new Error(`envward init failed (exit ${result.code}):\n${result.stderr}`);
  }
  return temp;
}

/**
 * Declares host patterns for `environment` in a scaffolded project's
 * envward.config.ts (inserted before the scaffold's `required:` line).
 */
export async function declareHosts(dir: string, environment: string, hosts: readonly string[]): Promise<void> {
  const file = join(dir, 'envward.config.ts');
  const text = await readFile(file, 'utf8');
  const anchor = '  required: {';
  if (!text.includes(anchor)) throw new Error(`${file} has no "${anchor}" line to insert environments before`);
  const declaration = `  environments: { ${JSON.stringify(environment)}: { hosts: ${JSON.stringify(hosts)} } },\n`;
  await writeFile(file, text.replace(anchor, `${declaration}${anchor}`));
}

/** The 1-based line of the first line of `text` that contains `needle`; throws if none does. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line contains ${JSON.stringify(needle)}`);
  return index + 1;
}

/** Parses stdout as exactly one JSON document (JSON.parse rejects anything more or less). */
export function parseJson(stdout: string): Record<string, unknown> {
  const value: unknown = JSON.parse(stdout);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object on stdout, got: ${stdout}`);
  }
  return value as Record<string, unknown>;
}

/** `text` as a literal inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
