/**
 * The migrations page under a policy covering migrations: the destructive
 * plan is proposed as a request, runs are refused until someone else
 * approves it, then the run uses the approval once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { showRequest } from '../../src/runtime/index.ts';
import { flashOf, makeOpsProject, type OpsProject } from '../support/console-ops-project.ts';
import { type ConsoleClient, loggedIn } from '../support/console-project.ts';

let project: OpsProject;
let server: ConsoleServer;

before(async () => {
  project = makeOpsProject();
  const file = join(project.dir, 'envward.config.ts');
  const source = readFileSync(file, 'utf8');
  const policy = "development: { approvals: { required: 1, for: ['migrations'] } }, qa: { tier: 'staging' }";
  assert.ok(source.includes("qa: { tier: 'staging' }"));
  project.files.write('envward.config.ts', source.replace("qa: { tier: 'staging' }", policy));
  await project.addUser('ada', 'development:admin');
  await project.addUser('ana', 'development:admin');
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

const as = (name: string): Promise<ConsoleClient> => loggedIn(server.app, name);

test('a destructive plan is a request; the run waits for its approval and then uses it', async () => {
  const ada = await as('ada');
  const page = await ada.get('/env/development/migrations');
  assert.match(page.body, /data-policy="migrations"/);
  assert.match(page.body, /data-form="propose-destructive"/);
  // Before any approval, a run is refused by the library and runs nothing.
  await ada.post('/env/development/migrations/up', { reason: 'try' });
  assert.match(flashOf((await ada.get('/env/development/migrations')).body)?.text ?? '', /^EW_APPROVAL_REQUIRED: /);
  const proposed = await ada.post('/env/development/migrations/up', { approve: 'destructive', reason: 'drop legacy' });
  const id = Number(/requests\/(\d+)$/.exec(proposed.location ?? '')?.[1]);
  assert.ok(id > 0, proposed.location);
  const target = { cwd: project.dir, env: 'development', variables: {}, id };
  assert.equal((await showRequest(target)).kind, 'migrate.destructive');
  const ana = await as('ana');
  await ana.get(`/env/development/requests/${id}`);
  await ana.post(`/env/development/requests/${id}/approve`, { reason: 'reviewed the plan' });
  assert.match(
    flashOf((await ana.get(`/env/development/requests/${id}`)).body)?.text ?? '',
    new RegExp(`^Request #${id} approved and applied \\(approved: migrate up may run it\\)`),
  );
  await ada.get('/env/development/migrations');
  await ada.post('/env/development/migrations/up', { reason: 'run it' });
  const after = await ada.get('/env/development/migrations');
  assert.match(flashOf(after.body)?.text ?? '', /^Applied 2: /);
  assert.equal((await showRequest(target)).outcome, 'approved; run by migrate up');
});
