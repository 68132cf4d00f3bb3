/**
 * A project for change-request tests: `test` needs one approval for every
 * kind, `qa` (test tier) two for config only, `development` none. On
 * PostgreSQL every environment's store is one fresh test database.
 */
import { resolveConfig } from '../../src/resolution.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import type { Dialect } from './store-project.ts';
import { type TempProject, writeStandardProject } from './temp-project.ts';

export interface RequestsProject {
  readonly dir: string;
  readonly project: TempProject;
  readonly database: TestDatabase | undefined;
  /** Library call options for `env`, acting as `actor` (none: the OS user). */
  target(env: string, actor?: string): { cwd: string; env: string; variables: Record<string, string>; actor?: string };
  /** The environment's audit events, oldest first. */
  audit(
    env: string,
  ): Promise<{ action: string; actor: string; target: string; reason: string | null; outcome: string }[]>;
  cleanup(): Promise<void>;
}

export async function makeRequestsProject(dialect: Dialect): Promise<RequestsProject> {
  const database = dialect === 'postgres' ? await createTestDatabase('requests') : undefined;
  // On PostgreSQL the environments share one database, each in its own schema.
  const store = (env: string) =>
    database ? `database:\n  url: ${database.url}\n  schema: ${env}\n` : `database:\n  url: sqlite:var/${env}/app.db\n`;
  const project = writeStandardProject({
    environments: `test: { approvals: { required: 1 } },
    qa: { tier: 'test', approvals: { required: 2, for: ['config'] } },`,
    files: {
      'config/environments/test/settings.yml': `app:\n  port: 0\n${store('test')}`,
      'config/environments/qa/settings.yml': store('qa'),
      'config/environments/development/settings.yml': store('development'),
    },
  });
  const target = (env: string, actor?: string) => ({
    cwd: project.dir,
    env,
    variables: {} as Record<string, string>,
    ...(actor !== undefined ? { actor } : {}),
  });
  return {
    dir: project.dir,
    project,
    database,
    target,
    async audit(env) {
      const store = await openStore(await resolveConfig({ cwd: project.dir, env, variables: {}, checkHost: false }), {
        stampMode: 'read',
      });
      try {
        return (await store.audit.list({ limit: 1000 })).map((row) => ({
          action: row.action,
          actor: row.actor,
          target: row.target,
          reason: row.reason,
          outcome: row.outcome,
        }));
      } finally {
        await store.close();
      }
    },
    async cleanup() {
      project.cleanup();
      await database?.drop();
    },
  };
}
