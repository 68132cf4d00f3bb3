/**
 * Temporary projects for tests: a fresh directory under the OS temp
 * directory, filled from a map of relative path -> content, removed by
 * `cleanup()`.
 *
 * Importing this module also points envward's compile caches
 * (`$XDG_CACHE_HOME/envward/`) at a private temporary directory for the
 * test process, so the many throw-away projects (each with its own path,
 * hence its own cache entries) do not pile up in the user's ~/.cache. The
 * directory is removed when the process exits.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

const cacheHome = mkdtempSync(join(tmpdir(), 'envward-test-cache-'));
process.env.XDG_CACHE_HOME = cacheHome;
process.on('exit', () => rmSync(cacheHome, { recursive: true, force: true }));

export interface TempProject {
  /** The project's absolute root directory. */
  readonly dir: string;
  /** Writes (or overwrites) a file relative to `dir`, creating directories; returns its absolute path. */
  write(path: string, text: string | Uint8Array): string;
  /** Removes the directory and everything in it. Safe to call twice. */
  cleanup(): void;
}

/** Makes a fresh temporary directory and writes `files` (relative path -> content) into it. */
export function makeTempProject(files: Readonly<Record<string, string | Uint8Array>> = {}): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'envward-test-'));
  const write = (path: string, text: string | Uint8Array): string => {
    const relative = normalize(path);
    if (isAbsolute(relative) || relative === '..' || relative.startsWith(`..${sep}`)) {
      throw new Error(`temp-project: ${path} is not a path inside the project`);
    }
    const file = join(dir, relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  for (const [path, text] of Object.entries(files)) write(path, text);
  return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface StandardProjectOptions {
  /** Extra fields inside `app: z.object({ ... })`, as TypeScript source, e.g. `logLevel: z.string().default('x'),`. */
  readonly appFields?: string;
  /** Extra top-level groups inside the schema, as TypeScript source, e.g. `cache: z.object({ ... }),`. */
  readonly schemaGroups?: string;
  /** The body of `environments: { ... }`, as TypeScript source; default `qa: { tier: 'staging' },`. */
  readonly environments?: string;
  /** Code before defineConfig, e.g. a `const ladder = defineSettings({ ... })`. */
  readonly prelude?: string;
  /** Extra settings fragments in `use`, as TypeScript source, e.g. `ladder`. */
  readonly use?: string;
  /** Extra properties of the defineConfig({ ... }) argument, e.g. `variables: { ... }, required: { ... },`. */
  readonly definition?: string;
  /** Extra files (or replacements of the standard ones), relative path -> content. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

/** The standard test project's envward.config.ts. */
export function standardConfigSource(options: StandardProjectOptions = {}): string {
  return `import { database, defineConfig, defineSettings, log, secret, z } from 'envward';
${options.prelude ?? ''}
export const config = defineConfig({
  project: 'test-project',
  use: [log, database, ${options.use ?? ''}],
  schema: z.object({
    app: z.object({
      name: z.string().default('test-project'),
      port: z.number().int().min(0).max(65535).default(3000),
      debug: z.boolean().default(false),
      ${options.appFields ?? ''}
    }),
    payments: z.object({
      apiKey: secret(z.string()).optional(),
    }),
    ${options.schemaGroups ?? ''}
  }),
  environments: {
    ${options.environments ?? "qa: { tier: 'staging' },"}
  },
  ${options.definition ?? ''}
});

export default config;
`;
}

/**
 * A payments.apiKey per protected environment of the standard project.
 * Protected tiers require the secret to be set, and not from a plain file,
 * so tests pass it as a process variable: `variables: secretVariables('production')`.
 * Tests also use these values to check that secrets never leave unmasked.
 */
export const STANDARD_SECRETS: Readonly<Record<string, string>> = Object.freeze({
  staging: 'sk_staging_5f1d0c9a',
  production: 'sk_live_9b27e4c1',
  qa: 'sk_qa_0a8e33b7',
});

/** The process variables that give `environment`'s standard secret (none for unprotected ones). */
export function secretVariables(environment: string): Record<string, string> {
  const value = STANDARD_SECRETS[environment];
  return value === undefined ? {} : { PAYMENTS_API_KEY: value };
}

/** The standard files: config, base.yml and a settings.yml per environment (built-ins and qa). */
export function standardProjectFiles(options: StandardProjectOptions = {}): Record<string, string | Uint8Array> {
  return {
    'envward.config.ts': standardConfigSource(options),
    'config/base.yml': 'app:\n  name: test-project\n  port: 3000\nlog:\n  level: info\n',
    'config/environments/development/settings.yml':
      'app:\n  debug: true\nlog:\n  level: debug\ndatabase:\n  url: sqlite:var/development/app.db\n',
    'config/environments/test/settings.yml':
      'app:\n  port: 0\nlog:\n  level: warn\ndatabase:\n  url: sqlite:var/test/app.db\n',
    'config/environments/staging/settings.yml': 'database:\n  url: postgres://staging-db/app\n',
    'config/environments/production/settings.yml': 'log:\n  level: warn\ndatabase:\n  url: postgres://prod-db/app\n',
    'config/environments/qa/settings.yml': 'database:\n  url: postgres://qa-db/app\n',
    ...options.files,
  };
}

/**
 * Writes the standard small project (the shape of examples/basic: app.name,
 * app.port, app.debug, log.level, database.url, a secret payments.apiKey and
 * a custom `qa` environment of the staging tier) into a fresh temp directory.
 */
export function writeStandardProject(options: StandardProjectOptions = {}): TempProject {
  return makeTempProject(standardProjectFiles(options));
}
