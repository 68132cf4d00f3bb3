import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { keygen, setSecret } from '../../src/secrets/index.ts';
import { flashOf, makeOpsProject, type OpsProject } from '../support/console-ops-project.ts';
import { type ConsoleClient, loggedIn } from '../support/console-project.ts';

let project: OpsProject;
let server: ConsoleServer;

before(async () => {
  project = makeOpsProject();
  await project.addUser('ada', 'development:admin,production:admin');
  await project.addUser('otto', 'development:operator,production:operator');
  await project.addUser('vic', 'development:viewer,production:viewer');
  // Production's tier requires its secret() key set; then its store may be stamped.
  await keygen({ cwd: project.dir, env: 'production', variables: {} });
  const value = 'a production gateway key of some length 9f3c';
  await setSecret({ cwd: project.dir, env: 'production', variables: {}, key: 'payments.apiKey', value });
  await project.stamp('production');
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

const client = (name: string): Promise<ConsoleClient> => loggedIn(server.app, name);

async function auditOf(env: string, action: string) {
  const store = await project.open(env);
  try {
    return await store.audit.list({ action });
  } finally {
    await store.close();
  }
}

async function applied(env: string): Promise<string[]> {
  const store = await project.open(env);
  try {
    const { migrationStatus } = await import('../../src/migrate/index.ts');
    return (await migrationStatus(store)).applied.map((record) => record.name);
  } finally {
    await store.close();
  }
}

test('the migrations page shows the plan with the destructive statement flagged; a viewer gets no run form and a 403', async () => {
  const vic = await client('vic');
  const page = await vic.get('/env/production/migrations');
  assert.equal(page.status, 200, page.body);
  assert.match(page.body, /data-pending="001_create_accounts"/);
  assert.match(
    page.body,
    /data-pending="002_drop_legacy"><h3><code>002_drop_legacy<\/code> <span class="bad">DESTRUCTIVE/,
  );
  assert.match(page.body, /<tr class="destructive" data-destructive>[\s\S]*?drop column/i);
  assert.doesNotMatch(page.body, /data-form="migrate-up"/);
  const refused = await vic.post('/env/production/migrations/up', { reason: 'r', confirm: 'production' });
  assert.equal(refused.status, 403);
  assert.deepEqual(await applied('production'), []);
});

test('production: a run without the approval is refused and audited; the approval with reason runs it as console:ada', async () => {
  const ada = await client('ada');
  const page = await ada.get('/env/production/migrations');
  assert.match(page.body, /data-form="migrate-up"[\s\S]*name="approve" value="destructive"[\s\S]*name="confirm"/);
  // Without the typed confirmation: a 400 page, nothing run.
  assert.equal(
    (await ada.post('/env/production/migrations/up', { reason: 'ship it', approve: 'destructive' })).status,
    400,
  );
  await ada.post('/env/production/migrations/up', { reason: 'ship it', confirm: 'production' });
  const refused = flashOf((await ada.get('/env/production/migrations')).body);
  assert.equal(refused?.kind, 'error');
  assert.match(refused?.text ?? '', /^EW_DESTRUCTIVE_MIGRATION/);
  assert.deepEqual(await applied('production'), []);
  await ada.post('/env/production/migrations/up', {
    reason: 'drop legacy, CHG-12',
    confirm: 'production',
    approve: 'destructive',
  });
  const done = flashOf((await ada.get('/env/production/migrations')).body);
  assert.equal(done?.kind, 'ok', JSON.stringify(done));
  assert.match(done?.text ?? '', /^Applied 2: 001_create_accounts, 002_drop_legacy\. Backup first: /);
  assert.deepEqual(await applied('production'), ['001_create_accounts', '002_drop_legacy']);
  const [approval] = await auditOf('production', 'migrate.allow-destructive');
  assert.equal(approval?.actor, 'console:ada');
  assert.equal(approval?.reason, 'drop legacy, CHG-12');
  const after = await ada.get('/env/production/migrations');
  assert.match(after.body, /data-applied="002_drop_legacy"[\s\S]*?console:ada@[\s\S]*?matches/);
});

test('development: an admin runs pending migrations with a reason that is audited', async () => {
  const ada = await client('ada');
  await ada.get('/env/development/migrations');
  await ada.post('/env/development/migrations/up', { reason: 'catch up' });
  assert.deepEqual(await applied('development'), ['001_create_accounts', '002_drop_legacy']);
  const [run] = await auditOf('development', 'migrate.up');
  assert.equal(run?.actor, 'console:ada');
  assert.equal(run?.reason, 'catch up');
});

test('jobs: an operator runs an allowed job; a gated one is refused with EW_JOB_GATED; a viewer has no form and gets 403', async () => {
  const otto = await client('otto');
  const page = await otto.get('/env/development/jobs');
  assert.match(page.body, /data-job="touch"/);
  assert.match(page.body, /data-job="nightly"[\s\S]*?not allowed here/);
  assert.match(page.body, /data-form="run-job"/);
  await otto.post('/env/development/jobs/run', { job: 'touch', reason: '<b>now</b>' });
  const ran = await otto.get('/env/development/jobs');
  assert.equal(flashOf(ran.body)?.kind, 'ok', ran.body);
  assert.match(
    ran.body,
    /data-run="manual:[^"]+"><td><code>touch<\/code>[\s\S]*?console:otto<\/td><td>&lt;b&gt;now&lt;\/b&gt;/,
  );
  assert.deepEqual(project.touches(), ['development']);
  await otto.post('/env/development/jobs/run', { job: 'nightly', reason: 'try' });
  const gated = flashOf((await otto.get('/env/development/jobs')).body);
  assert.equal(gated?.kind, 'error');
  assert.match(gated?.text ?? '', /^EW_JOB_GATED/);
  await otto.post('/env/development/jobs/run', { job: '<img src=x>', reason: 'try' });
  const unknown = await otto.get('/env/development/jobs');
  assert.match(flashOf(unknown.body)?.text ?? '', /^EW_JOB_UNKNOWN/);
  assert.doesNotMatch(unknown.body, /<img src=x>/);
  assert.deepEqual(project.touches(), ['development']);

  const vic = await client('vic');
  const viewer = await vic.get('/env/development/jobs');
  assert.doesNotMatch(viewer.body, /data-form="run-job"/);
  assert.equal((await vic.post('/env/development/jobs/run', { job: 'touch', reason: 'x' })).status, 403);
  assert.deepEqual(project.touches(), ['development']);
});

test('jobs in production need the reason and the typed name; then run, audited as the operator', async () => {
  const otto = await client('otto');
  await otto.get('/env/production/jobs');
  assert.equal((await otto.post('/env/production/jobs/run', { job: 'touch' })).status, 400);
  await otto.post('/env/production/jobs/run', { job: 'touch', reason: 'rerun', confirm: 'production' });
  const done = flashOf((await otto.get('/env/production/jobs')).body);
  assert.equal(done?.kind, 'ok', JSON.stringify(done));
  const events = await auditOf('production', 'job.run');
  assert.equal(events.at(-1)?.actor, 'console:otto');
});

test('two admins run the same pending migration at once: it is applied once, the other run finds nothing', async () => {
  project.files.write(
    'migrations/003_create_notes.ts',
    `import type { Kysely } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('notes').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
}
`,
  );
  const [one, two] = [await client('ada'), await client('ada')];
  await Promise.all([one.get('/env/development/migrations'), two.get('/env/development/migrations')]);
  await Promise.all([
    one.post('/env/development/migrations/up', { reason: 'one' }),
    two.post('/env/development/migrations/up', { reason: 'two' }),
  ]);
  const flashes = [
    flashOf((await one.get('/env/development/migrations')).body)?.text,
    flashOf((await two.get('/env/development/migrations')).body)?.text,
  ].sort();
  assert.deepEqual(flashes, ['Applied 1: 003_create_notes.', 'Nothing to migrate.']);
  assert.deepEqual(await applied('development'), ['001_create_accounts', '002_drop_legacy', '003_create_notes']);
});
