import { BUILT_IN_ENVIRONMENTS } from '../environment/index.js';

const CONFIG_TS = `import { database, defineConfig, http, log, z } from 'envward';

/**
 * The service's configuration: one schema, values from config/ and the
 * environment. \`use\` adds envward's own settings, typed and with tier
 * defaults: http.* (the Fastify plugin), log.* (the logger), database.*
 * (the store). \`npx envward config explain http.bodyLimit --env production\`
 * shows where a value comes from.
 */
export const config = defineConfig({
  project: 'my-service',
  use: [http, log, database],
  schema: z.object({
    app: z.object({
      name: z.string().default('my-service'),
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(3000),
      debug: z.boolean().default(false),
    }),
    features: z.object({
      newDashboard: z.boolean().default(false),
    }),
  }),
  // database.url: sqlite:<path> (relative to this directory) or postgres://...; DATABASE_URL overrides it.
  // A password in the URL is masked wherever values are shown and scrubbed from logs: set it in DATABASE_URL.
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

const SETTINGS: Record<(typeof BUILT_IN_ENVIRONMENTS)[number], string> = {
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
  for (const tier of BUILT_IN_ENVIRONMENTS)
    files.set(`config/environments/${tier}/settings.yml`, `# ${tier}\n${SETTINGS[tier]}`);
  return files;
}
