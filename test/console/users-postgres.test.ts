/**
 * Console users on PostgreSQL: two admins adding the same name at once
 * (each checks, then inserts) end with one user and a plain
 * EW_CONSOLE_USER for the other, never a driver error.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addConsoleUser, listConsoleUsers } from '../../src/console/index.ts';
import { isEnvwardError } from '../../src/errors.ts';
import { type ConsoleProject, makeConsoleProject } from '../support/console-project.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let database: TestDatabase;
let project: ConsoleProject;

before(async () => {
  database = await createTestDatabase('console_users');
  project = makeConsoleProject({
    'config/environments/development/settings.yml': `database:\n  url: ${database.url}\n`,
  });
});
after(async () => {
  project?.cleanup();
  await database?.drop();
});

test('the same name added five times at once: one user, the others EW_CONSOLE_USER', async () => {
  const variables = { PATH: process.env.PATH };
  const outcomes = await Promise.allSettled(
    Array.from({ length: 5 }, () =>
      addConsoleUser({
        cwd: project.dir,
        env: 'development',
        variables,
        name: 'twin',
        roles: 'development:viewer',
        password: 'a long enough passphrase',
      }),
    ),
  );
  assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      assert.ok(isEnvwardError(outcome.reason), String(outcome.reason));
      assert.equal(outcome.reason.code, 'EW_CONSOLE_USER');
    }
  }
  const list = await listConsoleUsers({ cwd: project.dir, env: 'development', variables });
  assert.deepEqual(
    list.users.map((user) => user.name),
    ['twin'],
  );
});
