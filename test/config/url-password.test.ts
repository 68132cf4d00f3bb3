/**
 * A password inside a URL (`postgres://user:PASSWORD@host/db`) is masked
 * wherever values are shown, whatever the key is called, and is among the
 * values scrubbed from logs and replies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskUrlPassword } from '../../src/config/index.ts';
import { diffConfigs, openProject, resolveConfig, scaffoldProject } from '../../src/index.ts';
import { createScrubber } from '../../src/observe/index.ts';
import { makeTempProject, writeStandardProject } from '../support/temp-project.ts';

describe('passwords in URLs', () => {
  test('maskUrlPassword masks the userinfo password and leaves the rest as written', () => {
    assert.equal(maskUrlPassword('postgres://user:hunter22@db:5432/app'), 'postgres://user:***@db:5432/app');
    assert.equal(maskUrlPassword('redis://:hunter22@cache:6379/0'), 'redis://:***@cache:6379/0');
    assert.equal(
      maskUrlPassword('postgres://user:p%40ss@db/app?sslmode=require'),
      'postgres://user:***@db/app?sslmode=require',
    );
    for (const text of ['postgres://user@db/app', 'sqlite:var/app.db', 'not a url', 'a@b', '']) {
      assert.equal(maskUrlPassword(text), text);
    }
  });

  test('explain, its shadowed values, and diff show the URL with its password masked', async () => {
    const password = 'Zq8-password-canary';
    const project = writeStandardProject({
      files: {
        'config/environments/staging/settings.yml': `database:\n  url: postgres://app:${password}@staging-db/app\n`,
      },
    });
    try {
      const opened = await openProject(project.dir);
      const base = { project: opened, hostname: 'h', checkHost: false } as const;
      const staging = await resolveConfig({
        ...base,
        env: 'staging',
        variables: { PAYMENTS_API_KEY: 'sk_staging_5f1d0c9a', DATABASE_URL: `postgres://app:${password}@other/app` },
      });
      const explained = staging.explain('database.url');
      assert.equal(explained.value, 'postgres://app:***@other/app');
      assert.deepEqual(
        explained.overridden.map((entry) => entry.value),
        ['postgres://app:***@staging-db/app'],
      );
      const production = await resolveConfig({
        ...base,
        env: 'production',
        variables: { PAYMENTS_API_KEY: 'sk_live_9b27e4c1' },
      });
      const text = JSON.stringify([explained, diffConfigs(staging, production)]);
      assert.ok(!text.includes(password), text);

      // The scrubber built from secretValues() finds the password by value, as written and decoded.
      const scrub = createScrubber(staging.secretValues());
      assert.equal(
        scrub(`connect postgres://app:${password}@other/app failed`),
        'connect postgres://app:••••••@other/app failed',
      );
    } finally {
      project.cleanup();
    }
  });

  test('a percent-encoded password is scrubbed in both forms', async () => {
    const project = writeStandardProject();
    try {
      const resolved = await resolveConfig({
        cwd: project.dir,
        env: 'development',
        hostname: 'h',
        variables: { DATABASE_URL: 'postgres://app:s%40fe-canary@db/app' },
      });
      const scrub = createScrubber(resolved.secretValues());
      assert.equal(scrub('password s@fe-canary or s%40fe-canary'), 'password •••••• or ••••••');
    } finally {
      project.cleanup();
    }
  });

  test("the scaffold's database.url, set with a password by DATABASE_URL, is masked in production", async () => {
    const project = makeTempProject();
    try {
      await scaffoldProject(project.dir);
      const resolved = await resolveConfig({
        cwd: project.dir,
        env: 'production',
        hostname: 'h',
        checkHost: false,
        variables: { DATABASE_URL: 'postgres://app:scaffold-canary@db/app' },
      });
      assert.equal(resolved.explain('database.url').value, 'postgres://app:***@db/app');
      assert.ok(resolved.secretValues().includes('scaffold-canary'));
    } finally {
      project.cleanup();
    }
  });
});
