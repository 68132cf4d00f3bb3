/**
 * Temporary projects for the secrets tests, and a CLI runner.
 *
 * `makeSecretsProject()` writes a small project (a git repository, so the
 * git checks of keygen and scan work) whose schema has two `secret()` keys,
 * `database.password` and `payments.apiKey`, and a custom `qa` environment of
 * the staging tier. `cli(dir, args, { input, env })` runs the built CLI
 * (`bin/envward.js` -> dist/; run `npm run build` first) in `dir` with a clean
 * environment.
 *
 * Importing this module points envward's compile caches (XDG_CACHE_HOME), for
 * this process and the CLI children, at a private temporary directory that
 * is removed when the process exits; `CACHE_HOME` names it so tests can check
 * that no secret lands there.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliInProcess } from './cli-in-process.ts';
import { withSlot } from './process-slots.ts';
import { needsProcess } from './run-cli.ts';

/** Absolute path of the CLI binary. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/envward.js', import.meta.url));

/** envward's cache directory for this test process and its CLI children. */
export const CACHE_HOME = mkdtempSync(join(tmpdir(), 'envward-secrets-cache-'));
process.env.XDG_CACHE_HOME = CACHE_HOME;
process.on('exit', () => rmSync(CACHE_HOME, { recursive: true, force: true }));

export const SECRET_KEYS = ['database.password', 'payments.apiKey'] as const;

export interface SecretsConfigOptions {
  /** The body of `environments: { ... }`; default `qa: { tier: 'staging' }`. */
  readonly environments?: string;
  /** Extra fields of the `app` group, as TypeScript source. */
  readonly appFields?: string;
}

/** The project's envward.config.ts. */
export function secretsConfigSource(options: SecretsConfigOptions = {}): string {
  return `import { database, defineConfig, secret, z } from 'envward';

export default defineConfig({
  use: [database],
  schema: z.object({
    app: z.object({
      name: z.string().default('x'),
      ${options.appFields ?? ''}
    }),
    database: z.object({
      password: secret(z.string()).optional(),
    }),
    payments: z.object({
      apiKey: secret(z.string()).optional(),
    }),
  }),
  environments: {
    ${options.environments ?? "qa: { tier: 'staging' },"}
  },
});
`;
}

export interface SecretsProjectOptions extends SecretsConfigOptions {
  /** Extra files (or replacements), relative path -> content. */
  readonly files?: Readonly<Record<string, string>>;
  /** `git init` the directory (default true). */
  readonly git?: boolean;
}

export interface SecretsProject {
  readonly dir: string;
  /** Absolute path of a project-relative path (forward slashes). */
  path(relative: string): string;
  /** A project file's text. */
  read(relative: string): string;
  /** A project file's bytes, or undefined when it does not exist. */
  bytes(relative: string): Buffer | undefined;
  exists(relative: string): boolean;
  /** Writes a file (creating directories); returns its absolute path. */
  write(relative: string, text: string | Uint8Array, mode?: number): string;
  /** Removes a file if present. */
  remove(relative: string): void;
  /** File mode bits (e.g. 0o600). */
  mode(relative: string): number;
  /** Runs git in the project; returns stdout. */
  git(...args: string[]): string;
  cleanup(): void;
}

/** Where environment `env`'s secret files live, relative to the project root. */
export function secretFiles(env: string): { secrets: string; pub: string; key: string; journal: string } {
  return {
    secrets: `config/environments/${env}/secrets.yml`,
    pub: `config/environments/${env}/secrets.pub`,
    key: `.envward/keys/${env}.key`,
    journal: `.envward/keys/${env}.rotation.json`,
  };
}

/** `ENVWARD_KEY_EU_PRODUCTION` for `eu-production`. */
export function keyVariableOf(env: string): string {
  return `ENVWARD_KEY_${env.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Corrupts the first sealed value (`value: ew1:<id>:<payload>`) of a secrets
 * file by changing the first character of its payload. Payloads are
 * base64url, so that character may be `-` or `_`: the pattern takes any of
 * them, or a random nonce would make it corrupt another secret (issue 11, item 21).
 */
export function corruptFirstSealedValue(text: string): string {
  const corrupted = text.replace(
    /(value: ew1:[a-z0-9]+:)([A-Za-z0-9_-])/,
    (_match, head: string, first: string) => `${head}${first === 'A' ? 'B' : 'A'}`,
  );
  if (corrupted === text) throw new Error('no sealed value to corrupt');
  return corrupted;
}

/** The private key text (`ewkey1_...`) in a key file's text. */
export function privateKeyIn(keyFileText: string): string {
  const line = keyFileText
    .split('\n')
    .map((entry) => entry.trim())
    .find((entry) => entry !== '' && !entry.startsWith('#'));
  if (!line?.startsWith('ewkey1_')) throw new Error(`no private key in:\n${keyFileText}`);
  return line;
}

export function makeSecretsProject(options: SecretsProjectOptions = {}): SecretsProject {
  return projectAt(mkdtempSync(join(tmpdir(), 'envward-secrets-')), options);
}

/** A copy of `source` (files, modes and its git repository) in a fresh temporary directory. */
export function copySecretsProject(source: SecretsProject): SecretsProject {
  const dir = mkdtempSync(join(tmpdir(), 'envward-secrets-'));
  cpSync(source.dir, dir, { recursive: true, preserveTimestamps: true });
  return projectAt(dir, { existing: true });
}

function projectAt(dir: string, options: SecretsProjectOptions & { existing?: boolean }): SecretsProject {
  const path = (relative: string) => join(dir, ...relative.split('/'));
  const write = (relative: string, text: string | Uint8Array, mode?: number) => {
    const file = path(relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text, mode !== undefined ? { mode } : {});
    return file;
  };
  const files: Record<string, string> = {
    'envward.config.ts': secretsConfigSource(options),
    'config/base.yml': 'app:\n  name: secrets-test\ndatabase:\n  url: sqlite:var/app.db\n',
    ...options.files,
  };
  if (!options.existing) for (const [relative, text] of Object.entries(files)) write(relative, text);
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'test',
        GIT_AUTHOR_EMAIL: 'test@example.invalid',
        GIT_COMMITTER_NAME: 'test',
        GIT_COMMITTER_EMAIL: 'test@example.invalid',
      },
    });
  if (options.git !== false && !options.existing) git('init', '-q');
  return {
    dir,
    path,
    read: (relative) => readFileSync(path(relative), 'utf8'),
    bytes: (relative) => (existsSync(path(relative)) ? readFileSync(path(relative)) : undefined),
    exists: (relative) => existsSync(path(relative)),
    write,
    remove: (relative) => rmSync(path(relative), { force: true }),
    mode: (relative) => statSync(path(relative)).mode & 0o777,
    git,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliOptions {
  /** Written to stdin, which is then closed (closed empty when absent). */
  readonly input?: string;
  /** Variables to set (string) or remove (undefined) after the clean-up. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Run a real `node bin/envward.js` process even where an in-process run would do. */
  readonly spawn?: boolean;
}

export interface CliResult {
  /** Exit code; -1 when killed by a signal (see `signal`). */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment a CLI child gets: no environment selectors, keys or failpoints from the caller. */
export function cleanCliEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (['ENVWARD_ENV', 'APP_ENV', 'NODE_ENV', 'ENVWARD_FAILPOINT', 'FORCE_COLOR'].includes(name)) continue;
    if (name.startsWith('ENVWARD_KEY_')) continue;
    env[name] = value;
  }
  env.XDG_CACHE_HOME = CACHE_HOME;
  env.NO_COLOR = '1';
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs `envward ...args` with `dir` as working directory. */
export async function cli(dir: string, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  if (!needsProcess(options)) {
    const result = await runCliInProcess({ args, cwd: dir, env: cleanCliEnv(options.env), input: options.input ?? '' });
    return { ...result, signal: null };
  }
  return withSlot(
    () =>
      new Promise<CliResult>((resolve, reject) => {
        const child = spawn(process.execPath, [CLI_BIN, ...args], {
          cwd: dir,
          env: cleanCliEnv(options.env),
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        child.on('error', reject);
        child.on('close', (code, signal) => {
          resolve({
            code: code ?? -1,
            signal,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
          });
        });
        child.stdin.on('error', () => {}); // the child may exit before reading its input
        child.stdin.end(options.input ?? '');
      }),
  );
}

/** A one-line description of a run, for assertion messages. */
export function describeRun(args: readonly string[], result: CliResult): string {
  return `envward ${args.join(' ')} -> exit ${result.code}${result.signal ? ` (${result.signal})` : ''}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

/** Runs the CLI and fails unless it exits with `code`. */
export async function cliExpect(
  dir: string,
  args: readonly string[],
  code: number,
  options: CliOptions = {},
): Promise<CliResult> {
  const result = await cli(dir, args, options);
  if (result.code !== code) throw new Error(`expected exit ${code}: ${describeRun(args, result)}`);
  return result;
}

/** `secrets keygen --env E` for each environment, failing on error. */
export async function keygenAll(dir: string, envs: readonly string[]): Promise<void> {
  // One after the other: the first keygen writes the project's salt and .gitignore.
  for (const env of envs) await cliExpect(dir, ['secrets', 'keygen', '--env', env], 0);
}

/** `secrets set KEY --env E` with the value on stdin, failing on error. */
export function setSecret(
  dir: string,
  env: string,
  key: string,
  value: string,
  options: { env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<CliResult> {
  return cliExpect(dir, ['secrets', 'set', key, '--env', env], 0, { input: value, ...options });
}

/** The parsed JSON document on stdout. */
export function json(result: CliResult): Record<string, unknown> {
  return JSON.parse(result.stdout) as Record<string, unknown>;
}
