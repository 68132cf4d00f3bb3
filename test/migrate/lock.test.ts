/**
 * One migrator at a time: concurrent `migrate up` processes apply each
 * migration once; a waiter gives up after --wait; a migrator killed with
 * SIGKILL while holding the lock does not block the next one.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../../src/store/index.ts';
import {
  createTable,
  DIALECTS,
  json,
  type MigrateProject,
  makeMigrateProject,
  migration,
} from '../support/migrate-project.ts';
import { CLI, cleanEnv, type RunResult } from '../support/run-cli.ts';

/** Starts `envward ...args` in `cwd` at once (no process slot: these must overlap). */
function start(cwd: string, args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cleanEnv({ NO_COLOR: '1', ...env }) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const done = new Promise<RunResult>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
  return { child, done };
}

async function until(condition: () => boolean, what: string, child?: ChildProcess): Promise<void> {
  // Generous: a child process starts slowly on a loaded machine; the loop ends as soon as the condition holds.
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline || child?.exitCode != null) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Takes the migration lock through the library and resolves once it is held
 * (not merely asked for: a waiter started before then may take it first).
 */
async function holdLock(store: Store) {
  let release: () => void = () => {};
  let taken: () => void = () => {};
  const holding = new Promise<void>((resolve) => (taken = resolve));
  const held = store.exclusive('migrate', 1_000, () => {
    taken();
    return new Promise<void>((resolve) => (release = resolve));
  });
  await Promise.race([holding, held]);
  return { held, release: () => release() };
}

// Pauses while SLOW_MIGRATION names a file: writes it (so the test knows the lock is held), then sleeps.
const SLOW = migration(
  `const marker = process.env.SLOW_MIGRATION;
  if (marker) {
    writeFileSync(marker, String(process.pid));
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  }
  await db.schema.createTable('slow').addColumn('id', 'integer').execute();`,
  undefined,
  "import { writeFileSync } from 'node:fs';",
);

for (const dialect of DIALECTS) {
  describe(`the migration lock (${dialect})`, () => {
    const projects: MigrateProject[] = [];
    const project = async (options: Parameters<typeof makeMigrateProject>[1]) => {
      const made = await makeMigrateProject(dialect, options);
      projects.push(made);
      return made;
    };
    after(() => Promise.all(projects.map((p) => p.cleanup())));

    test('five concurrent migrate up processes apply each migration exactly once', async () => {
      const files: Record<string, string> = {};
      const names: string[] = [];
      for (let n = 1; n <= 12; n++) {
        const name = `${String(n).padStart(3, '0')}_table_${n}`;
        names.push(name);
        files[`migrations/${name}.ts`] = createTable(`table_${n}`);
      }
      const p = await project({ files });
      const runs = await Promise.all(
        Array.from({ length: 5 }, () => start(p.dir, ['migrate', 'up', '--json', '--wait', '30']).done),
      );
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      const applied = runs.flatMap((run) => (json(run) as { applied: string[] }).applied);
      assert.deepEqual(applied.sort(), names);
      assert.equal(runs.filter((run) => (json(run) as { applied: string[] }).applied.length > 0).length, 1);
      const history = await p.sql<{ name: string; n: number }>(
        'development',
        'select name, count(*) as n from envward_migrations group by name order by name',
      );
      assert.deepEqual(
        history.map((row) => [row.name, Number(row.n)]),
        names.map((name) => [name, 1]),
      );
      assert.deepEqual(await p.tables(), names.map((_, i) => `table_${i + 1}`).sort());
    });

    test('a migrator gives up with EW_MIGRATION_LOCKED when the lock is held longer than --wait', async () => {
      const p = await project({ files: { 'migrations/001_accounts.ts': createTable('accounts') } });
      const { held, release } = await holdLock(await p.open());
      try {
        const started = Date.now();
        const result = await p.cli(['migrate', 'up', '--wait', '1']);
        assert.equal(result.code, 1);
        assert.match(
          result.stderr,
          /error\[EW_MIGRATION_LOCKED\]: Another process is migrating development's database/,
        );
        assert.ok(Date.now() - started >= 1_000);
      } finally {
        release();
        await held;
      }
      assert.deepEqual(await p.applied(), []);
    });

    test('a migrator waits for the lock longer than the statement timeout, then migrates', async () => {
      const p = await project({
        // Short enough for the wait below to outlast it, long enough for a busy machine's statements.
        databaseSettings: '  statementTimeoutMs: 1500\n',
        files: { 'migrations/001_accounts.ts': createTable('accounts') },
      });
      const { held, release } = await holdLock(await p.open());
      const waiter = p.cli(['migrate', 'up', '--json', '--wait', '20']);
      // Longer than the statement timeout: waiting for the lock is not a statement that times out.
      await sleep(2_500);
      assert.deepEqual(await p.applied(), []);
      release();
      await held;
      const result = await waiter;
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(json(result), { environment: 'development', applied: ['001_accounts'] });
    });

    test('a migrator killed with SIGKILL while holding the lock does not block the next one', async () => {
      const p = await project({
        files: { 'migrations/001_slow.ts': SLOW, 'migrations/002_accounts.ts': createTable('accounts') },
      });
      const marker = join(p.dir, 'holding');
      const first = start(p.dir, ['migrate', 'up'], { SLOW_MIGRATION: marker });
      await until(() => existsSync(marker), 'the first migrator to take the lock', first.child);
      first.child.kill('SIGKILL');
      await first.done;
      const started = Date.now();
      const result = await p.cli(['migrate', 'up', '--wait', '20']);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(Date.now() - started < 5_000, `the rerun waited ${Date.now() - started} ms`);
      assert.deepEqual(await p.applied(), ['001_slow', '002_accounts']);
    });
  });
}
