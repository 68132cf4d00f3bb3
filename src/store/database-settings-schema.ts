import { z } from 'zod';
import { defineSettings } from '../config/settings-fragment.js';

/**
 * Queries slower than `slowQueryMs` are logged. Development is strict so
 * slow queries show up before they ship; staging and production allow for
 * real load and networks.
 */
export const DATABASE_TIER_DEFAULTS = Object.freeze({
  development: { slowQueryMs: 200 },
  test: { slowQueryMs: 200 },
  staging: { slowQueryMs: 500 },
  production: { slowQueryMs: 500 },
} as const);

/** Why a database URL cannot be opened (never quoting it: it may hold a password), or undefined. */
function urlProblem(text: string): string | undefined {
  const url = text.trim();
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    return file === '' || file.includes('\0') ? 'names no SQLite file' : undefined;
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
      return undefined;
    } catch {
      return 'is not a valid postgres:// URL';
    }
  }
  return 'must be sqlite:<path> (relative to the project root) or postgres://...';
}

const databaseUrl = z
  .string()
  .min(1)
  .superRefine((text, context) => {
    const problem = urlProblem(text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/**
 * The store's settings (`database.*`), owned by envward/store.
 * @example defineConfig({ use: [database], schema }) // settings.yml: database: { url: sqlite:var/development/app.db }
 */
export const database = defineSettings({
  key: 'database',
  capability: 'envward/store',
  tierDefaults: DATABASE_TIER_DEFAULTS,
  schema: () =>
    z.object({
      /** sqlite:<path> (relative to the project root) or postgres://...; a password in it is masked everywhere. */
      url: databaseUrl,
      poolSize: z.number().int().positive().max(1_000).default(5),
      connectTimeoutMs: z.number().int().positive().default(5_000),
      statementTimeoutMs: z.number().int().positive().default(30_000),
      /** Queries slower than this are logged, in milliseconds. */
      slowQueryMs: z.number().int().min(0),
      /** Development only: a sqlite: URL to use when PostgreSQL cannot be reached. */
      fallback: databaseUrl.optional(),
      /** PostgreSQL schema (search_path) of this environment on a shared server. */
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a PostgreSQL schema here is a plain lower-case name')
        .optional(),
      /** A prefix on every table name of this environment on a shared database. */
      tablePrefix: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a table prefix is letters, digits and _')
        .optional(),
      /** Protected environments only: environments of the same tier let into this one's database. */
      shareWith: z.array(z.string().min(1)).default([]),
      /** Backups of this environment's database (docs/backup.md). */
      backups: z
        .object({
          /** How many backups with a manifest var/<env>/backups/ keeps; older ones are removed after each backup. */
          keep: z.number().int().min(1).max(10_000).default(10),
          /** `migrate up` of a protected environment also takes a backup after applying. */
          afterMigrate: z.boolean().default(false),
        })
        .prefault({}),
    }),
});
