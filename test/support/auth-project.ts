/**
 * Temporary projects for the JWT auth tests: a project that uses the `http`
 * and `auth` settings (settings.yml per environment given by the test), and
 * a server with three routes of its own registered after envward's plugin:
 * `POST /things` with `config: { auth: 'jwt' }` (answers `request.user`),
 * `GET /things` open, and `GET /scoped` guarded by `app.envwardAuthenticate`
 * as a preHandler. Tokens are signed with fast-jwt, which @fastify/jwt brings.
 */

import { createSigner } from 'fast-jwt';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import type { ResolvedConfig, ResolveOptions } from '../../src/config/index.ts';
import { envwardFastify, envwardServerOptions } from '../../src/http/index.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { makeTempProject } from './temp-project.ts';

export const AUTH_CONFIG = `import { auth, defineConfig, http, z } from 'envward';

export default defineConfig({
  project: 'auth-test',
  use: [http, auth],
  schema: z.object({
    app: z.object({ name: z.string().default('auth-test') }),
  }),
  environments: { preview: { tier: 'staging', protected: false, code: 'PRV' } },
});
`;

/** The same project without the `auth` fragment. */
export const HTTP_ONLY_CONFIG = AUTH_CONFIG.replace('auth, ', '').replace('[http, auth]', '[http]');

export interface AuthProject {
  readonly dir: string;
  resolve(env: string, options?: Omit<ResolveOptions, 'cwd' | 'env'>): Promise<ResolvedConfig<unknown>>;
  /** Resolves, builds the server (plugin, then the three routes) and waits until it is ready. */
  server(
    env: string,
    options?: {
      resolve?: Omit<ResolveOptions, 'cwd' | 'env'>;
      config?: ResolvedConfig<unknown>;
      logger?: FastifyBaseLogger;
      /** More routes, added after the three before ready. */
      routes?: (app: FastifyInstance) => void;
    },
  ): Promise<FastifyInstance>;
  cleanup(): Promise<void>;
}

export function makeAuthProject(settings: Readonly<Record<string, string>>, config: string = AUTH_CONFIG): AuthProject {
  const files: Record<string, string> = { 'envward.config.ts': config };
  for (const [env, text] of Object.entries(settings)) files[`config/environments/${env}/settings.yml`] = text;
  const project = makeTempProject(files);
  const apps: FastifyInstance[] = [];
  const resolve = (env: string, options: Omit<ResolveOptions, 'cwd' | 'env'> = {}) =>
    resolveConfig<unknown>({ variables: {}, hostname: 'auth-test-host', ...options, cwd: project.dir, env });
  return {
    dir: project.dir,
    resolve,
    async server(env, options = {}) {
      const config = options.config ?? (await resolve(env, options.resolve));
      const app = Fastify(envwardServerOptions(config, options.logger ? { logger: options.logger } : {}));
      apps.push(app);
      await app.register(envwardFastify, { config });
      app.post('/things', { config: { auth: 'jwt' } }, async (request) => ({ user: request.user ?? null }));
      app.get('/things', async () => ({ open: true }));
      app.get('/scoped', { preHandler: app.envwardAuthenticate }, async (request) => ({ user: request.user ?? null }));
      options.routes?.(app);
      await app.ready();
      return app;
    },
    async cleanup() {
      await Promise.allSettled(apps.map((app) => app.close()));
      project.cleanup();
    },
  };
}

/** A token signed with `key` (HS secret or PEM private key); `exp` 10 minutes ahead unless the payload says. */
export function signToken(
  key: string,
  payload: Record<string, unknown>,
  options: { algorithm?: string; noTimestamp?: boolean } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const sign = createSigner({
    key,
    algorithm: (options.algorithm ?? 'HS256') as 'HS256',
    ...(options.noTimestamp ? { noTimestamp: true } : {}),
  });
  return sign({ exp: now + 600, ...payload });
}

/** An unsigned token (`alg: none`) carrying `payload`. */
export function unsignedToken(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}
