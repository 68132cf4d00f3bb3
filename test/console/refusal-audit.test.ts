/**
 * A console user refused an act is on record: in the console's own log
 * always (even when the target environment's database does not exist, and
 * without creating it), and in the target environment's own log once its
 * database exists. The refusal is a 403 either way.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { ConsoleClient, type ConsoleProject, makeConsoleProject } from '../support/console-project.ts';

let project: ConsoleProject;
let server: ConsoleServer;

const auditOf = (env: string) => project.auditOf(env);

before(async () => {
  project = makeConsoleProject();
  await project.addUser('ada', 'development:admin,production:viewer');
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

async function refusedSet(client: ConsoleClient) {
  await client.get('/env/production/revisions');
  return client.post('/env/production/revisions/set', {
    key: 'app.greeting',
    value: 'hacked',
    reason: 'let me',
    confirm: 'production',
  });
}

test("a refusal in an environment without a database is recorded in the console's log, and creates nothing", async () => {
  const client = new ConsoleClient(server.app);
  await client.login('ada');
  const answer = await refusedSet(client);
  assert.equal(answer.status, 403);
  assert.equal(existsSync(join(project.dir, 'var/production.db')), false, 'no production database made');
  const events = await auditOf('development');
  const refusal = events.find((event) => event.action === 'console.refused');
  assert.ok(refusal, 'refusal audited in development');
  assert.equal(refusal.actor, 'console:ada');
  assert.match(refusal.target, /^production: revise \(POST \/env\/production\/revisions\/set\)$/);
  assert.equal(refusal.outcome, 'refused');
});

test("once production's database exists, the refusal is in production's own log too", async () => {
  await project.stamp('production');
  const client = new ConsoleClient(server.app);
  await client.login('ada');
  assert.equal((await refusedSet(client)).status, 403);
  const events = await auditOf('production');
  const refusal = events.find((event) => event.action === 'console.refused');
  assert.ok(refusal, 'refusal audited in production');
  assert.equal(refusal.actor, 'console:ada');
  assert.equal(events.filter((event) => event.action === 'config.set').length, 0);
});
