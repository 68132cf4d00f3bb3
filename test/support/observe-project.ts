/**
 * Temporary projects for the observe and outbound tests. The schema declares
 * the optional keys envward reads itself (`log.*`, `alerts.*`,
 * `database.slowQueryMs`, `outbound.api.*`), so each test sets them per
 * environment in settings.yml or with `set`; two `secret()` keys,
 * `payments.apiKey` and `database.password`, are given as process variables
 * (`secretsFor(...)`) so protected environments resolve and tests can plant
 * canaries in them.
 */
import type { ResolvedConfig, ResolveOptions } from '../../src/config/index.ts';
import { resolveConfig } from '../../src/index.ts';
import { makeTempProject, type TempProject } from './temp-project.ts';

export const OBSERVE_CONFIG = `import { alerts, database, defineConfig, log, outbound, secret, z } from 'envward';

export default defineConfig({
  project: 'observe-test',
  use: [log, alerts, database, outbound('api')],
  schema: z.object({
    database: z.object({
      password: secret(z.string()).optional(),
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

export interface ObserveProject extends TempProject {
  /** Resolves `env` with no process variables but the given ones (and no host check). */
  resolve(env: string, options?: Omit<ResolveOptions, 'cwd' | 'env'>): Promise<ResolvedConfig<unknown>>;
}

/** A project whose `config/environments/<env>/settings.yml` are `settings[env]`. */
export function makeObserveProject(settings: Readonly<Record<string, string>> = {}): ObserveProject {
  const files: Record<string, string> = {
    'envward.config.ts': OBSERVE_CONFIG,
    'config/base.yml': 'database:\n  url: sqlite:var/app.db\n',
  };
  for (const [env, text] of Object.entries(settings)) files[`config/environments/${env}/settings.yml`] = text;
  const project = makeTempProject(files);
  return {
    ...project,
    resolve: (env, options = {}) =>
      resolveConfig<unknown>({ variables: {}, checkHost: false, ...options, cwd: project.dir, env }),
  };
}

/** The process variables that set both secret keys. */
export function secretsFor(apiKey: string, password = `${apiKey}-db-password`): Record<string, string> {
  return { PAYMENTS_API_KEY: apiKey, DATABASE_PASSWORD: password };
}

/** A writable destination that keeps what a logger writes. */
export class Capture {
  readonly chunks: string[] = [];
  write(chunk: string): boolean {
    this.chunks.push(String(chunk));
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
  /** The written lines parsed as JSON (for json format). */
  json(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
