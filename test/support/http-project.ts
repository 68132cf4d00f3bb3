/**
 * Temporary projects for the HTTP plugin tests: a project that uses the
 * plugin's `http` settings, a SQLite database shared by
 * all environments (`var/shared.db`, so a test can point one environment at
 * another's stamp), and a secret `payments.apiKey` given as a process
 * variable (a canary, when the test passes one).
 *
 * `server(env, { pluginOptions, resolve, logger })` resolves the environment,
 * opens its store (unless `store: false`), builds Fastify with
 * envwardServerOptions and registers the plugin, plus a `/hello` route and a
 * `/boom` route that throws an error carrying the secret; with `live`, the
 * plugin is given a LiveConfig made of them instead of the resolved config.
 * `cleanup()` closes every server, LiveConfig and store it made and removes
 * the directory.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import type { ResolvedConfig, ResolveOptions } from '../../src/config/index.ts';
import { type EnvwardFastifyOptions, envwardFastify, envwardServerOptions } from '../../src/http/index.ts';
import { resolveConfig } from '../../src/resolution.ts';
import type { LiveConfig } from '../../src/runtime/live-config-types.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { makeTempProject, type TempProject } from './temp-project.ts';

export const HTTP_CONFIG = `import { database, defineConfig, http, secret, z } from 'envward';

export default defineConfig({
  project: 'http-test',
  use: [http, database],
  schema: z.object({
    app: z.object({
      name: z.string().default('http-test'),
    }),
    payments: z.object({
      apiKey: secret(z.string()).optional(),
    }),
  }),
  environments: {
    qa: { tier: 'staging' },
  },
});
`;

export interface HttpProjectOptions {
  /** settings.yml per environment, e.g. `{ production: 'http:\n  bodyLimit: 64\n' }`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Extra files, relative path -> content. */
  readonly files?: Readonly<Record<string, string>>;
}

export interface ServerOptions {
  /** Options of the plugin besides `config` and `store`. */
  readonly plugin?: Omit<EnvwardFastifyOptions, 'config' | 'store'>;
  /** Passed to resolveConfig (variables, set). */
  readonly resolve?: Omit<ResolveOptions, 'cwd' | 'env'>;
  /** Open the environment's store and give it to the plugin (default true). */
  readonly store?: boolean;
  readonly logger?: FastifyBaseLogger;
  /** Routes to add after the plugin, before ready. */
  readonly routes?: (app: FastifyInstance) => void;
  /** Makes a LiveConfig of the resolved config (and store), given to the plugin as its `config`. */
  readonly live?: (config: ResolvedConfig<unknown>, store: Store | undefined) => Promise<LiveConfig<unknown>>;
}

export interface HttpServer {
  readonly app: FastifyInstance;
  readonly config: ResolvedConfig<unknown>;
  readonly store: Store | undefined;
  readonly live: LiveConfig<unknown> | undefined;
}

export interface HttpProject {
  readonly dir: string;
  resolve(env: string, options?: Omit<ResolveOptions, 'cwd' | 'env'>): Promise<ResolvedConfig<unknown>>;
  server(env: string, options?: ServerOptions): Promise<HttpServer>;
  write: TempProject['write'];
  cleanup(): Promise<void>;
}

export function makeHttpProject(options: HttpProjectOptions = {}): HttpProject {
  const files: Record<string, string> = {
    'envward.config.ts': HTTP_CONFIG,
    'config/base.yml': 'database:\n  url: sqlite:var/shared.db\n',
    ...options.files,
  };
  for (const [env, text] of Object.entries(options.settings ?? {})) {
    files[`config/environments/${env}/settings.yml`] = text;
  }
  const project = makeTempProject(files);
  const apps: FastifyInstance[] = [];
  const stores: Store[] = [];
  const lives: LiveConfig<unknown>[] = [];
  const resolve = (env: string, resolveOptions: Omit<ResolveOptions, 'cwd' | 'env'> = {}) =>
    resolveConfig<unknown>({ variables: {}, hostname: 'http-test-host', ...resolveOptions, cwd: project.dir, env });
  return {
    dir: project.dir,
    resolve,
    async server(env, serverOptions = {}) {
      const config = await resolve(env, serverOptions.resolve);
      const store = serverOptions.store === false ? undefined : await openStore(config);
      if (store) stores.push(store);
      const live = await serverOptions.live?.(config, store);
      if (live) lives.push(live);
      const app = Fastify(envwardServerOptions(config, serverOptions.logger ? { logger: serverOptions.logger } : {}));
      apps.push(app);
      await app.register(envwardFastify, {
        config: live ?? config,
        ...(store ? { store } : {}),
        ...serverOptions.plugin,
      });
      app.get('/hello', async () => ({ hello: 'world' }));
      app.post('/echo', async (request) => ({ received: request.body }));
      app.get('/boom', async () => {
        const key = (config.values as { payments?: { apiKey?: string } }).payments?.apiKey;
        throw new Error(`payment gateway refused key ${key}`);
      });
      serverOptions.routes?.(app);
      return { app, config, store, live };
    },
    write: project.write,
    async cleanup() {
      await Promise.allSettled(apps.map((app) => app.close()));
      await Promise.allSettled(lives.map((live) => live.close()));
      await Promise.allSettled(stores.map((store) => store.close()));
      project.cleanup();
    },
  };
}

/** Polls `probe` every 20 ms until it returns true, failing after `timeoutMs`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
