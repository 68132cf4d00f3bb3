/**
 * Preview environments: `preview up` declares one (tier preview, owner,
 * expiry), makes its database (a PostgreSQL schema or a SQLite file),
 * stamps, migrates and seeds it as its template; `down` and `gc` remove
 * exactly what `up` made, and nothing else.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { listPreviews, previewDown, previewGc, previewUp } from '../../src/lifecycle/index.ts';
import { createTable } from '../support/migrate-project.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { runCli } from '../support/run-cli.ts';
import { querySqliteFile } from '../support/sqlite-file.ts';
import { makeTempProject, type TempProject } from '../support/temp-project.ts';

const CONFIG = `import { database, defineConfig, z } from 'envward';

export default defineConfig({
  project: 'preview-test',
  use: [database],
  schema: z.object({ app: z.object({ greeting: z.string().default('hello') }) }),
});
`;

const SEED = `import type { Kysely } from 'kysely';
export async function seed(db: Kysely<any>): Promise<void> {
  await db.insertInto('accounts').values([{ id: 1, label: 'seeded from staging' }]).execute();
}
`;

const projects: TempProject[] = [];
const databases: TestDatabase[] = [];
after(async () => {
  for (const project of projects) project.cleanup();
  await Promise.all(databases.map((database) => database.drop()));
});

function project(files: Record<string, string> = {}): TempProject {
  const made = makeTempProject({
    'envward.config.ts': CONFIG,
    'config/base.yml': 'app:\n  greeting: hi\n',
    'config/environments/development/settings.yml': 'database:\n  url: sqlite:var/development/app.db\n',
    'config/environments/staging/settings.yml':
      '# staging\napp:\n  greeting: staging hello\ndatabase:\n  url: postgres://staging-db.internal/app\n',
    'migrations/001_accounts.ts': createTable('accounts'),
    'seeds/staging/001_accounts.ts': SEED,
    ...files,
  });
  projects.push(made);
  return made;
}

async function database(label: string): Promise<TestDatabase> {
  const made = await createTestDatabase(label);
  databases.push(made);
  return made;
}

const schemas = async (db: TestDatabase) =>
  (
    await db.query<{ schema_name: string }>(
      "select schema_name from information_schema.schemata where schema_name like 'preview%' order by 1",
    )
  ).map((row) => row.schema_name);

function environmentsDir(dir: string): string[] {
  return readdirSync(join(dir, 'config/environments')).sort();
}

describe('preview environments on SQLite', () => {
  test('up makes, stamps, migrates and seeds a file of its own; list shows it; down removes it all', async () => {
    const { dir } = project();
    const made = await previewUp({
      cwd: dir,
      name: 'pr-1',
      ttl: '72h',
      owner: 'ada',
      now: new Date('2026-12-01T00:00:00Z'),
    });
    assert.equal(made.name, 'pr-1');
    assert.equal(made.expiresAt, '2026-12-04T00:00:00.000Z');
    assert.deepEqual(made.migrations, ['001_accounts']);
    assert.equal(made.seeds.length, 1);
    const file = join(dir, 'var/pr-1/app.db');
    assert.deepEqual(querySqliteFile(file, 'select environment, tier from envward_stamp'), [
      { environment: 'pr-1', tier: 'preview' },
    ]);
    assert.deepEqual(querySqliteFile(file, 'select label from accounts'), [{ label: 'seeded from staging' }]);
    const audit = querySqliteFile<{ action: string }>(file, 'select action from envward_audit order by seq');
    assert.ok(audit.some((row) => row.action === 'preview.up'));

    const [listed] = await listPreviews({ cwd: dir, now: new Date('2026-12-02T00:00:00Z') });
    assert.deepEqual(
      {
        name: listed?.name,
        owner: listed?.owner,
        from: listed?.from,
        age: listed?.ageSeconds,
        expired: listed?.expired,
      },
      { name: 'pr-1', owner: 'ada', from: 'staging', age: 86_400, expired: false },
    );
    const status = await runCli(['db', 'status', '--env', 'pr-1', '--json', '--cwd', dir]);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as { stamp: { tier: string } }).stamp.tier, 'preview');
    // The settings are staging's, but the database is its own.
    const explained = await runCli(['config', 'show', '--env', 'pr-1', '--json', '--cwd', dir]);
    assert.match(explained.stdout, /staging hello/);
    assert.doesNotMatch(explained.stdout, /staging-db\.internal/);

    const down = await previewDown({ cwd: dir, name: 'pr-1', reason: 'merged' });
    assert.equal(down.audited, false, "staging's store is not reachable here");
    assert.match(down.warning ?? '', /not audited in staging's log/);
    assert.equal(existsSync(file), false);
    assert.deepEqual(environmentsDir(dir), ['development', 'staging']);
    assert.equal(existsSync(join(dir, '.envward/keys/pr-1.key')), false);
    assert.deepEqual(await listPreviews({ cwd: dir }), []);
  });

  test('refusals write nothing: a taken or misleading name, a bad ttl, owner or database, a preview as template', async () => {
    const { dir } = project();
    await previewUp({ cwd: dir, name: 'pr-2', ttl: '1h' });
    const before = environmentsDir(dir);
    const refusals: [Parameters<typeof previewUp>[0], string][] = [
      [{ name: 'pr-2', ttl: '1h' }, 'EW_ENV_EXISTS'],
      [{ name: 'staging', ttl: '1h' }, 'EW_ENV_EXISTS'],
      [{ name: 'staging-copy', ttl: '1h' }, 'EW_ENV_NAME_MISLEADING'],
      [{ name: '../x', ttl: '1h' }, 'EW_ENV_NAME'],
      [{ name: 'pr-3', ttl: '0h' }, 'EW_PREVIEW_INPUT'],
      [{ name: 'pr-3', ttl: '91d' }, 'EW_PREVIEW_INPUT'],
      [{ name: 'pr-3', ttl: '1 hour' }, 'EW_PREVIEW_INPUT'],
      [{ name: 'pr-3', ttl: '1h', owner: 'a\u001b[31mb' }, 'EW_PREVIEW_INPUT'],
      [{ name: 'pr-3', ttl: '1h', database: 'postgres://ci:hunter2@db/previews' }, 'EW_PREVIEW_INPUT'],
      [{ name: 'pr-3', ttl: '1h', database: 'mysql://db/previews' }, 'EW_PREVIEW_INPUT'],
      [{ name: 'pr-3', ttl: '1h', from: 'pr-2' }, 'EW_USAGE'],
      [{ name: 'pr-3', ttl: '1h', from: 'nowhere' }, 'EW_ENV_UNKNOWN'],
    ];
    for (const [request, code] of refusals) {
      await assert.rejects(previewUp({ cwd: dir, ...request }), { code }, `${request.name} ${request.ttl}: ${code}`);
      assert.deepEqual(environmentsDir(dir), before);
    }
    const noPassword = await runCli([
      'preview',
      'up',
      'pr-3',
      '--ttl',
      '1h',
      '--database',
      'postgres://ci:hunter2@db/previews',
      '--cwd',
      dir,
    ]);
    assert.equal(noPassword.code, 2);
    assert.doesNotMatch(noPassword.stdout + noPassword.stderr, /hunter2/);
  });

  test('a failing migration undoes the preview: no file, no directory, no key', async () => {
    const { dir } = project({
      'migrations/002_broken.ts':
        "export async function up(): Promise<void> { throw new Error('boom'); }\nexport async function down(): Promise<void> {}\n",
    });
    await assert.rejects(previewUp({ cwd: dir, name: 'pr-4', ttl: '1h' }));
    assert.equal(existsSync(join(dir, 'var/pr-4/app.db')), false);
    assert.deepEqual(environmentsDir(dir), ['development', 'staging']);
    assert.equal(existsSync(join(dir, '.envward/keys/pr-4.key')), false);
  });

  test('down refuses an environment preview up did not make, and a record aimed at another file', async () => {
    const { dir, write } = project({ 'config/environments/qa/environment.yml': 'tier: staging\n' });
    await assert.rejects(previewDown({ cwd: dir, name: 'qa' }), { code: 'EW_PREVIEW_NOT_OURS' });
    await assert.rejects(previewDown({ cwd: dir, name: 'development' }), { code: 'EW_PREVIEW_NOT_OURS' });
    write(
      'config/environments/pr-5/environment.yml',
      'tier: preview\nfrom: staging\npreview:\n  owner: x\n  createdAt: 2026-01-01T00:00:00Z\n  expiresAt: 2026-01-02T00:00:00Z\n  database: { kind: sqlite-file, file: var/development/app.db }\n',
    );
    write('var/development/app.db', 'precious');
    await assert.rejects(previewDown({ cwd: dir, name: 'pr-5' }), { code: 'EW_PREVIEW_NOT_OURS' });
    assert.ok(existsSync(join(dir, 'var/development/app.db')));
    const cli = await runCli(['preview', 'down', 'qa', '--cwd', dir]);
    assert.equal(cli.code, 3);
    assert.match(cli.stderr, /EW_PREVIEW_NOT_OURS/);
  });
});

describe('preview environments on PostgreSQL', () => {
  test('up --ttl 1s makes a stamped schema; gc after it expires drops the schema and its catalogue entry', async () => {
    const { dir } = project();
    const db = await database('previews');
    const beforeUp = new Date();
    const up = await runCli(['preview', 'up', 'pr-7', '--ttl', '1s', '--database', db.url, '--cwd', dir]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout.trim(), 'pr-7', 'stdout is the name alone, for the pipeline');
    assert.deepEqual(await schemas(db), ['preview_pr_7']);
    const status = await runCli(['db', 'status', '--env', 'pr-7', '--json', '--cwd', dir]);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { matches: boolean; stamp: { environment: string; tier: string } };
    assert.deepEqual([report.matches, report.stamp.environment, report.stamp.tier], [true, 'pr-7', 'preview']);
    assert.deepEqual(await db.query('select label from preview_pr_7.accounts'), [{ label: 'seeded from staging' }]);

    // Not expired yet: gc keeps it (a clock at the moment before `up`, earlier than its expiry however slow the machine).
    const kept = await previewGc({ cwd: dir, now: beforeUp });
    assert.deepEqual([kept.removed.length, kept.kept], [0, 1]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const gc = await runCli(['preview', 'gc', '--json', '--cwd', dir]);
    assert.equal(gc.code, 0, gc.stderr);
    assert.deepEqual(
      (JSON.parse(gc.stdout) as { removed: { name: string }[] }).removed.map((r) => r.name),
      ['pr-7'],
    );
    assert.deepEqual(await schemas(db), []);
    assert.deepEqual(environmentsDir(dir), ['development', 'staging']);
    const list = await runCli(['preview', 'list', '--json', '--cwd', dir]);
    assert.deepEqual(JSON.parse(list.stdout), { previews: [] });
  });

  test('a preview is never stamped onto a database another tier owns; the refusal leaves nothing', async () => {
    const { dir, write } = project();
    const db = await database('shared');
    // The database's public schema belongs to staging (protected): a preview schema beside it is refused.
    write('config/environments/staging/settings.yml', `database:\n  url: ${db.url}\n`);
    const stamp = await runCli(['db', 'stamp', '--env', 'staging', '--cwd', dir]);
    assert.equal(stamp.code, 0, stamp.stderr);
    await assert.rejects(previewUp({ cwd: dir, name: 'pr-8', ttl: '1h', database: db.url }), {
      code: 'EW_SHARED_DATABASE',
    });
    assert.deepEqual(await schemas(db), []);
    assert.equal(existsSync(join(dir, 'config/environments/pr-8')), false);
  });

  test('a schema that exists already is not taken over, and two gcs at once remove a preview once', async () => {
    const { dir } = project();
    const db = await database('previews');
    await db.query('create schema preview_pr_9');
    await assert.rejects(previewUp({ cwd: dir, name: 'pr-9', ttl: '1h', database: db.url }), { code: 'EW_ENV_EXISTS' });
    assert.deepEqual(await schemas(db), ['preview_pr_9'], 'the schema it did not make is left alone');
    await previewUp({ cwd: dir, name: 'pr-10', ttl: '1h', database: db.url });
    const later = new Date(Date.now() + 2 * 3_600_000);
    const [first, second] = await Promise.all([
      previewGc({ cwd: dir, now: later }),
      previewGc({ cwd: dir, now: later }),
    ]);
    assert.equal(first.removed.length + second.removed.length, 1);
    assert.deepEqual([...first.failed, ...second.failed], []);
    assert.deepEqual(await schemas(db), ['preview_pr_9']);
  });
});
