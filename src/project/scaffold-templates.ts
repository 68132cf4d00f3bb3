import { TIERS } from '../environment/index.js';

const CONFIG_TS = `import { defineConfig, z } from 'envward';

/** The service's configuration: one schema, values from config/ and the environment. */
export const config = defineConfig({
  project: 'my-service',
  schema: z.object({
    app: z.object({
      name: z.string().default('my-service'),
      port: z.number().int().min(0).max(65535).default(3000),
      debug: z.boolean().default(false),
    }),
    log: z.object({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
    }),
    // sqlite:<path> (relative to the project) or postgres://...; DATABASE_URL overrides it.
    // A password in the URL is masked wherever values are shown (postgres://app:***@db/app)
    // and scrubbed from logs; keep the real one out of these files: set it in DATABASE_URL.
    database: z.object({
      url: z.string().min(1),
      poolSize: z.number().int().positive().default(5),
      connectTimeoutMs: z.number().int().positive().default(5000),
      statementTimeoutMs: z.number().int().positive().default(30000),
      // Development only: a sqlite: URL to use when PostgreSQL is down.
      fallback: z.string().optional(),
      // Environments sharing one PostgreSQL database: a schema each, or a table prefix each.
      schema: z.string().optional(),
      tablePrefix: z.string().optional(),
      // Protected environments only: environments of the same tier let into this one's database.
      shareWith: z.array(z.string()).optional(),
    }),
    features: z.object({
      newDashboard: z.boolean().default(false),
    }),
  }),
  required: { production: ['database.url'] },
});

export default config;

// Types loadConfig() without arguments: const config = await loadConfig(); config.database.url
declare module 'envward' {
  interface Register {
    config: typeof config;
  }
}
`;

const BASE_YML = `# Shared by every environment; config/environments/<env>/settings.yml overrides it.
app:
  name: my-service
  port: 3000
log:
  level: info
`;

const SETTINGS: Record<(typeof TIERS)[number], string> = {
  development: `app:
  debug: true
log:
  level: debug
database:
  url: sqlite:var/development/app.db
features:
  newDashboard: true
`,
  test: `app:
  port: 0
log:
  level: warn
database:
  url: sqlite:var/test/app.db
`,
  staging: `database:
  url: sqlite:var/staging/app.db
  poolSize: 10
features:
  newDashboard: true
`,
  production: `log:
  level: warn
database:
  url: sqlite:var/production/app.db
  poolSize: 20
`,
};

/** Lines `envward init` makes sure the project's .gitignore has. */
// No .env.local: no layer reads it, and git-ignoring it would suggest one does.
export const GITIGNORE_LINES = ['.envward/keys/', 'var/'];

/** The files `envward init` writes, by path relative to the project root. */
export function scaffoldFiles(): ReadonlyMap<string, string> {
  const files = new Map<string, string>([
    ['envward.config.ts', CONFIG_TS],
    ['config/base.yml', BASE_YML],
  ]);
  for (const tier of TIERS) files.set(`config/environments/${tier}/settings.yml`, `# ${tier}\n${SETTINGS[tier]}`);
  return files;
}
