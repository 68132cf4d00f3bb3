/**
 * Runs the built CLI (dist/cli.js, the module bin/envward.js imports) inside
 * this test process: a spawned `node bin/envward.js` spends most of its
 * half second starting Node and loading modules, which a test that only reads
 * the output and the exit code does not need. test/cli/black-box.test.ts keeps
 * the real process's contract (the bin, exit codes, stdio) under test.
 *
 * What a process would give each run, this gives it for the call's duration:
 * its own environment, working directory (chdir),
 * stdin (the given text), and stdout and stderr (captured); the exit code is
 * what runCli returns (it never sets process.exitCode). These are
 * process-wide, so calls run one at a time within a test file; files run in
 * parallel processes. Output and the environment go through an
 * AsyncLocalStorage: a write by this process's test runner during a call
 * still reaches the runner, and a test's own code running meanwhile still
 * reads its own process.env. One thing cannot be kept apart: process.exitCode
 * (not configurable), which node's test runner sets when a test fails; a
 * project file loaded by a run at that moment is then reported as having set
 * it (EW_PROJECT_LOAD), a failure that only ever follows another. And a
 * child process spawned without `cwd` during a run starts in the run's
 * directory: give children absolute paths (test/support/tsx.ts for tsx).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What an in-process run gets, as `spawn` would get it. */
export interface InProcessRun {
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly input: string;
}

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Capture {
  readonly stdout: Buffer[];
  readonly stderr: Buffer[];
  readonly env: NodeJS.ProcessEnv;
}

const capture = new AsyncLocalStorage<Capture>();
const CLI_MODULE = pathToFileURL(fileURLToPath(new URL('../../dist/cli.js', import.meta.url))).href;

let cli: Promise<{ runCli(argv: readonly string[]): Promise<number> }> | undefined;
let queue: Promise<unknown> = Promise.resolve();
let patched = false;

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/** Routes writes made inside a run to its capture; every other write goes where it went. */
function patchStream(stream: NodeJS.WriteStream, pick: (into: Capture) => Buffer[]): void {
  const original = stream.write.bind(stream);
  stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const into = capture.getStore();
    if (into === undefined) return (original as (...args: unknown[]) => boolean)(chunk, encoding, callback);
    pick(into).push(toBuffer(chunk, encoding));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as typeof stream.write;
}

/** process.env, read and written as the run's variables inside a run. */
function patchEnv(): void {
  const real = process.env;
  const target = () => capture.getStore()?.env ?? real;
  process.env = new Proxy(real, {
    get: (_, name) => Reflect.get(target(), name),
    set: (_, name, value) => Reflect.set(target(), name, String(value)),
    has: (_, name) => Reflect.has(target(), name),
    deleteProperty: (_, name) => Reflect.deleteProperty(target(), name),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, name) => Reflect.getOwnPropertyDescriptor(target(), name),
  });
}

function patchOnce(): void {
  if (patched) return;
  patched = true;
  patchStream(process.stdout, (into) => into.stdout);
  patchStream(process.stderr, (into) => into.stderr);
  patchEnv();
}

/** Runs `envward ...args` in this process; calls queue behind each other. */
export function runCliInProcess(run: InProcessRun): Promise<InProcessResult> {
  const next = queue.then(() => runNow(run));
  queue = next.catch(() => {});
  return next;
}

async function runNow(run: InProcessRun): Promise<InProcessResult> {
  cli ??= import(CLI_MODULE) as Promise<{ runCli(argv: readonly string[]): Promise<number> }>;
  const { runCli } = await cli;
  patchOnce();
  const into: Capture = { stdout: [], stderr: [], env: { ...run.env } };
  const cwd = process.cwd();
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  const input = Readable.from(run.input === '' ? [] : [Buffer.from(run.input)]);
  process.chdir(run.cwd);
  Object.defineProperty(process, 'stdin', { configurable: true, enumerable: true, get: () => input });
  try {
    const code = await capture.run(into, () => runCli([...run.args]));
    return {
      code,
      stdout: Buffer.concat(into.stdout).toString('utf8'),
      stderr: Buffer.concat(into.stderr).toString('utf8'),
    };
  } finally {
    if (stdin) Object.defineProperty(process, 'stdin', stdin);
    process.chdir(cwd);
  }
}
