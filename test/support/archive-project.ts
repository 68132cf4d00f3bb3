/**
 * Projects for the configuration archive tests: the standard project (see
 * temp-project.ts) with every environment's store on SQLite under var/
 * (none of them exists until something opens it), a key pair and a sealed
 * `payments.apiKey` canary for each protected environment, and optionally a
 * `preview` environment (development tier) on a fresh PostgreSQL database.
 * `wipe()` removes config/ and var/ (envward.config.ts and .envward/keys/
 * stay, as they would on a machine rebuilt from the repository and its key
 * store) and empties the PostgreSQL database.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { keygen, setSecret } from '../../src/secrets/index.ts';
import { makeCanary } from './canary.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { writeStandardProject } from './temp-project.ts';

export const PROTECTED = ['staging', 'production'] as const;

export interface ArchiveProject {
  readonly dir: string;
  /** The PostgreSQL database of `preview`, when made with `postgres: true`. */
  readonly database: TestDatabase | undefined;
  /** The sealed `payments.apiKey` of each protected environment: never in an archive. */
  readonly canaries: Readonly<Record<string, string>>;
  /** What a library call takes to act in this project: no process variables. */
  readonly common: { readonly cwd: string; readonly variables: Readonly<Record<string, string | undefined>> };
  /** Every environment's name. */
  readonly environments: readonly string[];
  path(relative: string): string;
  read(relative: string): string | undefined;
  write(relative: string, text: string | Uint8Array): string;
  /** Removes config/ and var/, and every table of the PostgreSQL database. */
  wipe(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function makeArchiveProject(options: { readonly postgres?: boolean } = {}): Promise<ArchiveProject> {
  const database = options.postgres ? await createTestDatabase('archive') : undefined;
  const project = writeStandardProject({
    environments: database ? "preview: { tier: 'development' }," : '',
    files: {
      'config/environments/staging/settings.yml': 'log:\n  level: info\ndatabase:\n  url: sqlite:var/staging/app.db\n',
      'config/environments/production/settings.yml':
        'log:\n  level: warn\ndatabase:\n  url: sqlite:var/production/app.db\n',
      ...(database ? { 'config/environments/preview/settings.yml': `database:\n  url: ${database.url}\n` } : {}),
    },
  });
  const common = { cwd: project.dir, variables: {} };
  const canaries: Record<string, string> = {};
  for (const env of PROTECTED) {
    await keygen({ ...common, env });
    canaries[env] = makeCanary(`${env}key`);
    await setSecret({ ...common, env, key: 'payments.apiKey', value: canaries[env] as string });
  }
  const path = (relative: string) => join(project.dir, ...relative.split('/'));
  return {
    dir: project.dir,
    database,
    canaries,
    common,
    environments: ['development', 'test', 'staging', 'production', ...(database ? ['preview'] : [])],
    path,
    read: (relative) => (existsSync(path(relative)) ? readFileSync(path(relative), 'utf8') : undefined),
    write: project.write,
    async wipe() {
      rmSync(path('config'), { recursive: true, force: true });
      rmSync(path('var'), { recursive: true, force: true });
      await database?.query('drop schema public cascade; create schema public');
    },
    async cleanup() {
      await database?.drop();
      project.cleanup();
    },
  };
}
