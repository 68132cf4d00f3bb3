/**
 * `envward users add|list|remove|roles` through the built CLI (`npm run
 * build` first): the password from stdin and never printed, the usage
 * errors' codes and exit status, and the result a later command sees.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ConsoleProject, makeConsoleProject } from '../support/console-project.ts';
import { parseJson, runCli } from '../support/run-cli.ts';

const CANARY = 'users-cli-canary-9b1f2e77';
let project: ConsoleProject;

before(() => {
  project = makeConsoleProject();
});
after(() => project?.cleanup());

const users = (args: string[], input?: string) =>
  runCli(['users', ...args, '--env', 'development'], { cwd: project.dir, ...(input !== undefined ? { input } : {}) });

test('users add reads the password from stdin, prints roles and never the password', async () => {
  const added = await users(['add', 'ada', '--role', 'development:admin,production:viewer'], `${CANARY}\n`);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /added console user ada:\n {2}ada {2}development:admin, production:viewer/);
  assert.equal((added.stdout + added.stderr).includes(CANARY), false);
  const oidc = await users(['add', 'sso', '--role', 'staging:viewer', '--no-password']);
  assert.equal(oidc.code, 0, oidc.stderr);
  const list = await users(['list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const json = parseJson(list.stdout) as {
    environment: string;
    users: { name: string; grants: object; hasPassword: boolean }[];
  };
  assert.equal(json.environment, 'development');
  assert.deepEqual(
    json.users.map((user) => [user.name, user.grants, user.hasPassword]),
    [
      ['ada', { development: 'admin', production: 'viewer' }, true],
      ['sso', { staging: 'viewer' }, false],
    ],
  );
  assert.equal(list.stdout.includes(CANARY), false);
  assert.doesNotMatch(list.stdout, /argon2/);
});

test('a short password is EW_CONSOLE_PASSWORD (exit 2); a role in an unknown environment is EW_CONSOLE_USER (exit 2)', async () => {
  const short = await users(['add', 'bob', '--role', 'development:viewer'], 'short\n');
  assert.equal(short.code, 2);
  assert.match(short.stderr, /EW_CONSOLE_PASSWORD/);
  assert.equal(short.stderr.includes('short\n'), false);
  const unknown = await users(['add', 'bob', '--role', 'prodution:viewer'], `${CANARY}\n`);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /EW_CONSOLE_USER[\s\S]*prodution/);
  const bad = await users(['add', 'bob', '--role', 'development:root'], `${CANARY}\n`);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /EW_USAGE/);
  const list = await users(['list']);
  assert.doesNotMatch(list.stdout, /bob/);
});

test('users roles replaces the roles; users remove removes; unknown names are EW_CONSOLE_USER', async () => {
  await users(['add', 'cid', '--role', 'development:viewer'], `${CANARY}\n`);
  const roles = await users(['roles', 'cid', '--role', 'qa:operator']);
  assert.equal(roles.code, 0, roles.stderr);
  assert.match(roles.stdout, /cid {2}qa:operator/);
  const removed = await users(['remove', 'cid']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.doesNotMatch((await users(['list'])).stdout, /cid/);
  const again = await users(['remove', 'cid']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /EW_CONSOLE_USER/);
  const audit = await runCli(['audit', 'list', '--env', 'development'], { cwd: project.dir });
  assert.match(audit.stdout, /console\.user\.add/);
  assert.match(audit.stdout, /console\.user\.remove/);
  assert.equal(audit.stdout.includes(CANARY), false);
});
