import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheDirectoryOrNull, evaluateCommonJs, isBuiltinModule, writeCacheAtomically } from '../bundled/index.js';
import { readConfigText } from '../config/text-file.js';
import { describeThrown, isEnvwardError, ProjectLoadError } from '../errors.js';
import { type Capability, importPeer } from '../peers.js';
import { loadZod } from '../zod-peer.js';
import type { ProjectDefinition } from './definition.js';

/*
 * envward.config.ts is compiled once (by jiti, loaded only then) and the
 * CommonJS result is cached by content hash, so a start with an unchanged
 * file pays neither jiti nor a TypeScript transform. `envward`, its
 * subpaths (`envward/store`...) and `zod` resolve to the modules envward
 * itself loaded (zod is a peer: one instance in the process), so the fast
 * path never resolves a package. Anything else (a relative import, another
 * package) takes the full jiti path.
 */

// 2: a failed transform (jiti's __JITI_ERROR__ module) is never cached; ignore caches made before.
const TRANSFORM_VERSION = '2';
// The build defines where the index is beside its chunks; from src/ (tests) it is ../index.ts.
declare const ENVWARD_INDEX_PATH: string | undefined;
const INDEX_FILE = fileURLToPath(
  new URL(typeof ENVWARD_INDEX_PATH === 'string' ? ENVWARD_INDEX_PATH : '../index.ts', import.meta.url),
);
// The same for each subpath entry (dist/store.js beside dist/index.js once built).
declare const ENVWARD_ENTRY_FILES: Readonly<Record<string, string>> | undefined;
const SOURCE_ENTRIES: Readonly<Record<string, string>> = {
  store: '../store/index.ts',
  migrate: '../migrate/index.ts',
  fastify: '../http/index.ts',
  observe: '../observe/index.ts',
  outbound: '../outbound/index.ts',
  runtime: '../runtime/index.ts',
  flags: '../flags/index.ts',
  jobs: '../jobs/index.ts',
  console: '../console/index.ts',
  data: '../data/index.ts',
};
const ENTRY_FILES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(typeof ENVWARD_ENTRY_FILES === 'object' ? ENVWARD_ENTRY_FILES : SOURCE_ENTRIES).map(([name, path]) => [
    `envward/${name}`,
    fileURLToPath(new URL(path, import.meta.url)),
  ]),
);

/** The `envward/<subpath>` specifiers a compiled config requires, to load them before it runs. */
function requiredSubpaths(code: string): string[] {
  return [...new Set([...code.matchAll(/require\("(envward\/[a-z]+)"\)/g)].map((match) => match[1] as string))];
}

class NeedsFullLoader extends Error {}

// jiti does not throw on a syntax error: it returns a module that exports the parser's failure.
const JITI_ERROR = /^exports\.__JITI_ERROR__ = (\{.*\})\s*$/s;

interface JitiParseFailure {
  readonly line?: number;
  readonly column?: number;
  readonly message?: string;
}

/** Throws EW_PROJECT_LOAD at the parser's line and column when `code` is jiti's failed transform. */
function assertTransformed(code: string, file: string): void {
  const match = JITI_ERROR.exec(code);
  if (!match) return;
  let failure: JitiParseFailure = {};
  try {
    failure = JSON.parse(match[1] as string) as JitiParseFailure;
  } catch {
    // Not JSON after all: report without a position.
  }
  const message = (failure.message ?? '').trim() || 'unexpected token';
  throw new ProjectLoadError(file, `syntax error: ${message}.`, undefined, {
    ...(typeof failure.line === 'number' ? { line: failure.line } : {}),
    ...(typeof failure.column === 'number' ? { column: failure.column + 1 } : {}), // Babel counts columns from 0
  });
}

async function compileWithJiti(source: string, file: string): Promise<string> {
  const { createJiti } = await import('jiti');
  return createJiti(file).transform({ source, filename: file, ts: true });
}

/**
 * The full path, for a config that imports its own files or other packages.
 * `loaded` (envward, zod, the subpaths the config names) are the modules this
 * process already has, given to jiti as they are: one envward and one zod in
 * the process, and jiti never transforms envward's own modules again.
 */
async function loadWithJiti(file: string, loaded: Record<string, unknown>): Promise<unknown> {
  const { createJiti } = await import('jiti');
  // `envward` is always among `loaded`; the aliases serve subpaths only the config's own files import.
  const jiti = createJiti(file, { alias: ENTRY_FILES, virtualModules: loaded, moduleCache: false });
  return jiti.import(file);
}

/** What the compiled file requires for its lazy imports (never a package name: it has a colon). */
const LAZY_IMPORT = 'envward:lazy-import';

/**
 * A lazy `import()` of the project file, made when it is called (a job's
 * handler module when the job first runs), through jiti: the module may be
 * TypeScript. Loading the project file itself stays on the fast path.
 */
async function importLazily(file: string, specifier: string): Promise<unknown> {
  const { createJiti } = await import('jiti');
  return createJiti(file, { alias: { envward: INDEX_FILE, ...ENTRY_FILES }, tryNative: true }).import(specifier);
}

async function loadTypeScript(file: string): Promise<unknown> {
  const source = readConfigText(file, basename(file));
  if (source === undefined) throw new ProjectLoadError(file, 'the file no longer exists.');
  const dir = cacheDirectoryOrNull();
  // One compiled file per config path; its first line records the source hash.
  const name = createHash('sha256').update(file).digest('hex').slice(0, 24);
  const stamp = `// envward:${TRANSFORM_VERSION}:${createHash('sha256').update(source).digest('hex')}\n`;
  const compiledFile = dir ? join(dir, `config-${name}.cjs`) : undefined;
  let code: string | undefined;
  if (compiledFile) {
    try {
      const stored = readFileSync(compiledFile, 'utf8');
      if (stored.startsWith(stamp)) code = stored.slice(stamp.length);
    } catch {
      code = undefined;
    }
  }
  if (code === undefined) {
    code = await compileWithJiti(source, file);
    assertTransformed(code, file); // before caching: a failed transform is never stored
    if (compiledFile) writeCacheAtomically(compiledFile, Buffer.from(stamp + code));
  }
  assertTransformed(code, file);
  // jiti compiles a lazy import() (a job's `run` module) to jitiImport(...): resolved when called, see importLazily.
  if (code.includes('jitiImport(')) code = code.replaceAll('jitiImport(', `require(${JSON.stringify(LAZY_IMPORT)})(`);
  const api = await import('../index.js');
  const zod = await loadZod();
  const entries = new Map<string, unknown>();
  for (const id of requiredSubpaths(code)) {
    const entry = ENTRY_FILES[id];
    // A peer the entry needs may be missing: the config file fails to load, with EW_PEER_MISSING.
    if (entry) entries.set(id, await importPeer(id as Capability, () => import(pathToFileURL(entry).href)));
  }
  const nodeRequire = createRequire(file);
  const requireForConfig = (id: string): unknown => {
    if (id === 'envward') return api;
    if (id === LAZY_IMPORT) return (specifier: string) => importLazily(file, specifier);
    if (id === 'zod' || id === 'zod/v4') return zod;
    if (entries.has(id)) return entries.get(id);
    if (isBuiltinModule(id)) return nodeRequire(id);
    throw new NeedsFullLoader(id);
  };
  try {
    return evaluateCommonJs(code, file, requireForConfig);
  } catch (error) {
    if (error instanceof NeedsFullLoader) {
      return loadWithJiti(file, { envward: api, zod, 'zod/v4': zod, ...Object.fromEntries(entries) });
    }
    throw error;
  }
}

/** Where in `file` the current call came from, read from a stack trace. */
function callSiteIn(file: string, stack: string | undefined): { line?: number; column?: number } {
  for (const frame of (stack ?? '').split('\n').slice(1)) {
    const at = frame.lastIndexOf(file);
    if (at < 0) continue;
    const position = /^:(\d+):(\d+)/.exec(frame.slice(at + file.length));
    if (position) return { line: Number(position[1]), column: Number(position[2]) };
  }
  return {};
}

/**
 * Runs `load` with process.exit turned into an error, so a project file
 * cannot end the process (and a deploy gate read "clear") while it is
 * evaluated. The call is remembered, so a config that catches the error is
 * refused all the same; process.exitCode set meanwhile is put back and refused.
 */
async function withoutProcessExit<T>(file: string, load: () => Promise<T>): Promise<T> {
  const realExit = process.exit;
  const exitCodeBefore = process.exitCode;
  let refusal: ProjectLoadError | undefined;
  process.exit = ((code?: string | number | null) => {
    const shown = code === undefined ? '' : JSON.stringify(code);
    refusal ??= new ProjectLoadError(
      file,
      `it called process.exit(${shown}) while being loaded; a project file must not end the process.`,
      undefined,
      callSiteIn(file, new Error().stack),
    );
    throw refusal;
  }) as typeof process.exit;
  let loaded: T;
  try {
    loaded = await load();
  } catch (error) {
    throw refusal ?? error;
  } finally {
    process.exit = realExit;
  }
  if (refusal) throw refusal;
  if (process.exitCode !== exitCodeBefore) {
    const set = process.exitCode;
    process.exitCode = exitCodeBefore;
    throw new ProjectLoadError(
      file,
      `it set process.exitCode to ${JSON.stringify(set)} while being loaded; a project file must not decide the exit status.`,
    );
  }
  return loaded;
}

function asDefinition(loaded: unknown, file: string): ProjectDefinition {
  const candidate = (loaded as { default?: unknown } | null)?.default ?? loaded;
  if (typeof candidate !== 'object' || candidate === null || !('schema' in candidate)) {
    throw new ProjectLoadError(
      file,
      'it has no default export with a `schema`; export default defineConfig({ schema, ... }).',
    );
  }
  return candidate as ProjectDefinition;
}

/** Loads a project's definition from envward.config.{ts,mts,js,mjs}. */
export async function loadProjectFile(file: string): Promise<ProjectDefinition> {
  let loaded: unknown;
  try {
    await loadZod(); // before the project's schema is built: coercion reads it synchronously
    loaded = await withoutProcessExit(file, () =>
      /\.m?ts$/.test(file) ? loadTypeScript(file) : import(pathToFileURL(file).href),
    );
  } catch (error) {
    if (isEnvwardError(error)) throw error;
    // describeThrown, not String(): the config may throw anything, even a value whose toString throws.
    throw new ProjectLoadError(file, describeThrown(error), error);
  }
  return asDefinition(loaded, file);
}
