import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MigrationLoadError } from './migrate-errors.js';

// Set by the build: bundled, this code sits in a chunk beside dist/index.js. Under a
// TypeScript runner (tests) it is src/migrate/load-module.ts.
declare const ENVWARD_INDEX_PATH: string | undefined;
const INDEX_FILE = fileURLToPath(
  new URL(typeof ENVWARD_INDEX_PATH === 'string' ? ENVWARD_INDEX_PATH : '../index.ts', import.meta.url),
);

/**
 * Loads a migration or seed: TypeScript through jiti (loaded only then),
 * JavaScript natively. `kysely` and `envward` resolve to envward's own
 * copies, so a migration's `import { sql } from 'kysely'` works in any project.
 */
export async function loadModule(path: string, shownAs: string): Promise<Record<string, unknown>> {
  try {
    if (/\.m?ts$/.test(path)) {
      const { createJiti } = await import('jiti');
      const kysely = createRequire(import.meta.url).resolve('kysely');
      const jiti = createJiti(path, { alias: { envward: INDEX_FILE, kysely }, moduleCache: false });
      return (await jiti.import(path)) as Record<string, unknown>;
    }
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new MigrationLoadError(
      shownAs,
      error instanceof Error ? (error.message.split('\n')[0] ?? 'failed to load') : String(error),
      error,
    );
  }
}
