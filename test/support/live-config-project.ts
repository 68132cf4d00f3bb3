/**
 * Projects for the live reload tests: the store project of store-project.ts
 * (one shared database, SQLite file or fresh PostgreSQL database) with a
 * schema of two live keys and one restart key, and helpers that act on
 * `development` as an operator would (`set`, `rollback`: the library's acts,
 * as `envward config set` calls them) and open live configs the way a
 * service does. `development` needs no reason and stamps its database on
 * first use. Variables select the namespace: DATABASE_TABLE_PREFIX puts an
 * environment behind a table prefix, DATABASE_URL points it elsewhere.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../../src/config/index.ts';
import {
  type ConfigChange,
  type LiveConfig,
  type LiveConfigOptions,
  openLiveConfig,
  rollbackConfig,
  setConfig,
} from '../../src/runtime/index.ts';
import type { RevisionResult } from '../../src/runtime/revision-context.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { type Dialect, makeStoreProject, type StoreProject } from './store-project.ts';

export const LIVE_CONFIG = `import { database, defineConfig, live, secret, z } from 'envward';

export default defineConfig({
  project: 'live-test',
  use: [database],
  schema: z.object({
    app: z.object({
      greeting: live(z.string().default('hello')),
      limit: live(z.number().int().positive().default(100)),
      port: z.number().int().default(3000),
      token: secret(z.string()).optional(),
    }),
  }),
});
`;

export type Variables = Readonly<Record<string, string | undefined>>;

/** One running "service": its store and the live config over it. */
export interface LiveService {
  readonly store: Store;
  readonly config: LiveConfig<unknown>;
  readonly resolved: ResolvedConfig<unknown>;
}

export interface LiveProject extends StoreProject {
  /** `config set` on development, as the library's act. */
  set(values: Readonly<Record<string, string>>, variables?: Variables): Promise<RevisionResult>;
  rollback(to: number, variables?: Variables): Promise<RevisionResult>;
  /** Resolves development, opens its store and a live config over it; closed by `cleanup()`. */
  service(options?: LiveConfigOptions & { readonly variables?: Variables }): Promise<LiveService>;
}

export async function makeLiveProject(dialect: Dialect): Promise<LiveProject> {
  const project = await makeStoreProject(dialect, { files: { 'envward.config.ts': LIVE_CONFIG } });
  const services: LiveService[] = [];
  const target = (variables: Variables) => ({ cwd: project.dir, env: 'development', variables, reason: 'test' });
  return {
    ...project,
    set: (values, variables = {}) => setConfig({ ...target(variables), set: values }),
    rollback: (to, variables = {}) => rollbackConfig({ ...target(variables), to }),
    async service({ variables = {}, ...options } = {}) {
      const resolved = await project.resolve('development', { variables });
      const store = await openStore(resolved);
      try {
        const config = await openLiveConfig(resolved, store, options);
        const service = { store, config, resolved };
        services.push(service);
        return service;
      } catch (error) {
        await store.close();
        throw error;
      }
    },
    async cleanup() {
      for (const service of services) {
        await service.config.close();
        await service.store.close();
      }
      await project.cleanup();
    },
  };
}

/** Resolves with the first change a live config reports (for `keys`), or rejects after `ms`. */
export function nextChange<Values>(
  config: LiveConfig<Values>,
  keys?: readonly string[],
  ms = 20_000,
): Promise<ConfigChange<Values>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no config change within ${ms} ms (status ${JSON.stringify(config.status())})`));
    }, ms);
    const unsubscribe = config.subscribe(keys ?? config.current.keys, (change) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(change);
    });
  });
}

/** A pino-like logger that keeps what it is told, and can wait for a message. */
export function recordingLogger() {
  const lines: { level: 'info' | 'warn'; object: Record<string, unknown>; message: string }[] = [];
  const waiting: { match: RegExp; resolve: () => void }[] = [];
  const log = (level: 'info' | 'warn') => (object: Record<string, unknown>, message: string) => {
    lines.push({ level, object, message });
    for (const entry of [...waiting]) {
      if (!entry.match.test(message)) continue;
      waiting.splice(waiting.indexOf(entry), 1);
      entry.resolve();
    }
  };
  return {
    lines,
    logger: { info: log('info'), warn: log('warn') },
    /** Resolves when a message matching `match` was logged (already, or from now on). */
    waitFor(match: RegExp, ms = 30_000): Promise<void> {
      if (lines.some((line) => match.test(line.message))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing logged matching ${match} within ${ms} ms`)), ms);
        waiting.push({
          match,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const LIVE_PROCESS = fileURLToPath(new URL('./live-config-process.mjs', import.meta.url));

/** A child process following development's revisions (test/support/live-config-process.mjs). */
export interface LiveProcess {
  /** The revision it applied at start. */
  readonly ready: Promise<number>;
  /** Every change it reported, in order, once it exited. */
  readonly exited: Promise<{ code: number | null; changes: { revision: number; changes: unknown[] }[] }>;
}

/** Starts a process that follows development until it applied revision `stopAt`, then closes and ends by itself. */
export function startLiveProcess(project: StoreProject, stopAt: number, timeoutMs = 60_000): LiveProcess {
  const child = spawn(process.execPath, [LIVE_PROCESS, project.dir, String(stopAt)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markReady: (revision: number) => void = () => {};
  const ready = new Promise<number>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    const first = stdout.split('\n')[0] ?? '';
    if (stdout.includes('\n') && first.startsWith('{')) {
      const parsed = JSON.parse(first) as { ready?: number };
      if (parsed.ready !== undefined) markReady(parsed.ready);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = (async () => {
    const [code] = (await once(child, 'close')) as [number | null];
    const lines = stdout.trim().split('\n').filter(Boolean);
    if (code !== 0) throw new Error(`live process exited ${code}:\n${stdout}\n${stderr}`);
    const changes = lines
      .map((line) => JSON.parse(line) as { revision?: number; changes?: unknown[] })
      .filter((line) => line.changes !== undefined) as { revision: number; changes: unknown[] }[];
    return { code, changes };
  })();
  // A child that never ends fails its test (exit code null) instead of hanging the suite.
  const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  guard.unref();
  child.once('close', () => clearTimeout(guard));
  // A child that dies before it is ready must fail the test, not leave it waiting.
  const readyOrDead = new Promise<number>((resolve, reject) => {
    void ready.then(resolve);
    exited.then(() => reject(new Error(`live process ended before it was ready:\n${stdout}\n${stderr}`)), reject);
  });
  return { ready: readyOrDead, exited };
}
