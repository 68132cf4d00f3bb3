import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  bundledZod,
  cacheDirectoryOrNull,
  evaluateCommonJs,
  isBuiltinModule,
  writeCacheAtomically,
} from '../bundled/index.js';
import type { ProjectDefinition } from '../config/define-config.js';
import { describeThrown, isEnvwardError, ProjectLoadError } from '../errors.js';

/*
 * envward.config.ts is compiled once (by jiti, loaded only then) and the
 * CommonJS result is cached by content hash, so a start with an unchanged
 * file pays neither jiti nor a TypeScript transform. `envward` and `zod`
 * resolve to envward's own copies, so a project needs no node_modules to be
 * inspected by the CLI. Anything else (a relative import, a package) takes
 * the full jiti path.
 */

const TRANSFORM_VERSION = '1';
// The build defines where the index is beside its chunks; from src/ (tests) it is ../index.ts.
declare const ENVWARD_INDEX_PATH: string | undefined;
const INDEX_FILE = fileURLToPath(
  new URL(typeof ENVWARD_INDEX_PATH === 'string' ? ENVWARD_INDEX_PATH : '../index.ts', import.meta.url),
);

class NeedsFullLoader extends Error {}

async function compileWithJiti(source: string, file: string): Promise<string> {
  const { createJiti } = await import('jiti');
  return createJiti(file).transform({ source, filename: file, ts: true });
}

async function loadWithJiti(file: string): Promise<unknown> {
  const { createJiti } = await import('jiti');
  const jiti = createJiti(file, { alias: { envward: INDEX_FILE }, moduleCache: false });
  return jiti.import(file);
}

async function loadTypeScript(file: string): Promise<unknown> {
  const source = readFileSync(file, 'utf8');
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
    if (compiledFile) writeCacheAtomically(compiledFile, Buffer.from(stamp + code));
  }
  const api = await import('../index.js');
  const nodeRequire = createRequire(file);
  const requireForConfig = (id: string): unknown => {
    if (id === 'envward') return api;
    if (id === 'zod' || id === 'zod/v4') return bundledZod().zod;
    if (isBuiltinModule(id)) return nodeRequire(id);
    throw new NeedsFullLoader(id);
  };
  try {
    return evaluateCommonJs(code, file, requireForConfig);
  } catch (error) {
    if (error instanceof NeedsFullLoader) return loadWithJiti(file);
    throw error;
  }
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
    loaded = /\.m?ts$/.test(file) ? await loadTypeScript(file) : await import(pathToFileURL(file).href);
  } catch (error) {
    if (isEnvwardError(error)) throw error;
    // describeThrown, not String(): the config may throw anything, even a value whose toString throws.
    throw new ProjectLoadError(file, describeThrown(error), error);
  }
  return asDefinition(loaded, file);
}
