/**
 * The secret canary through the whole console: an admin of every
 * environment follows every link it is shown (every page, every query the
 * pages link to), after setting a secret through the console itself; no
 * page, header or cookie holds any secret value, and no page fails.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConsoleServer } from '../../src/console/start-console.ts';
import { resolveConfig } from '../../src/index.ts';
import { keygen, setSecret } from '../../src/secrets/index.ts';
import { openStore } from '../../src/store/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { ConsoleClient, type ConsoleProject, makeConsoleProject } from '../support/console-project.ts';

let project: ConsoleProject;
let server: ConsoleServer;
const canaries = [makeCanary('dev'), makeCanary('prod'), makeCanary('console')];

before(async () => {
  project = makeConsoleProject({}, { schema: 'payments: z.object({ apiKey: secret(z.string()).optional() }),' });
  const common = { cwd: project.dir, variables: {} };
  await keygen({ ...common, env: 'development' });
  await setSecret({ ...common, env: 'development', key: 'payments.apiKey', value: canaries[0] as string });
  await keygen({ ...common, env: 'production' });
  await setSecret({ ...common, env: 'production', key: 'payments.apiKey', value: canaries[1] as string });
  await project.stamp('production');
  await project.addUser('ada', 'development:admin,test:admin,staging:admin,qa:admin,production:admin');
  server = await project.server();
});
after(async () => {
  await server?.close();
  project?.cleanup();
});

test('no page, header or cookie the console sends holds a secret value', async () => {
  const client = new ConsoleClient(server.app);
  await client.login('ada');
  await client.get('/env/development/secrets');
  const set = await client.post('/env/development/secrets/set', {
    key: 'payments.apiKey',
    value: canaries[2] as string,
    reason: 'canary through the console',
  });
  assert.equal(set.status, 303);
  const seen = new Set<string>();
  const queue = ['/'];
  while (queue.length > 0 && seen.size < 300) {
    const path = queue.shift() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    const answer = await client.get(path);
    assert.ok(answer.status < 500, `${path}: ${answer.status}`);
    assertNoCanary(answer.body, canaries, `page ${path}`);
    assertNoCanary(JSON.stringify(answer.headers), canaries, `headers of ${path}`);
    assertNoCanary(JSON.stringify([...client.cookies]), canaries, `cookies after ${path}`);
    for (const [, href] of answer.body.matchAll(/href="(\/[^"]*)"/g)) {
      const next = (href as string).replaceAll('&amp;', '&');
      if (!seen.has(next) && !next.startsWith('/assets/') && !next.startsWith('/favicon/')) queue.push(next);
    }
  }
  // Every environment's pages were reached.
  for (const env of ['development', 'test', 'staging', 'qa', 'production']) {
    for (const page of ['config', 'secrets', 'revisions', 'flags', 'jobs', 'migrations', 'audit']) {
      assert.ok(seen.has(`/env/${env}/${page}`), `crawled /env/${env}/${page}`);
    }
  }
});

test('no audit event of the console holds a secret value', async () => {
  for (const env of ['development', 'production']) {
    const resolved = await resolveConfig({ cwd: project.dir, env, variables: {}, checkHost: false });
    const store = await openStore(resolved, { stampMode: 'read' });
    try {
      assertNoCanary(JSON.stringify(await store.audit.list()), canaries, `${env} audit log`);
    } finally {
      await store.close();
    }
  }
});
