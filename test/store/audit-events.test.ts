/**
 * Which acts land in the audit log besides stamps and stamp overrides (see
 * open-store.test.ts): a host-check override of the process's environment,
 * a secret revealed and a key pair rotated, each in the store of the
 * environment acted on (stamped or not yet), on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { querySqliteFile } from '../support/sqlite-file.ts';
import { DIALECTS, makeStoreProject, STORE_CONFIG, type StoreProject } from '../support/store-project.ts';

const OK = 0;
const REFUSED = 3;
const SECRET_VALUE = 'sk_dev_7c1e90a4b2d35f68';

/** The store project's config with qa bound to qa-* hosts. */
const HOSTS_CONFIG = STORE_CONFIG.replace("qa: { tier: 'staging' },", "qa: { tier: 'staging', hosts: ['qa-*'] },");
/** The store project's config with one secret key (used in development only: protected tiers would require it). */
const SECRET_CONFIG = STORE_CONFIG.replace(
  "import { database, defineConfig, z } from 'envward';",
  "import { database, defineConfig, secret, z } from 'envward';",
).replace(
  '  schema: z.object({}),',
  '  schema: z.object({ payments: z.object({ apiKey: secret(z.string()).optional() }) }),',
);

for (const dialect of DIALECTS) {
  describe(`audited acts on ${dialect}`, { concurrency: true }, () => {
    const projects: StoreProject[] = [];
    const fresh = async (config: string) => {
      const project = await makeStoreProject(dialect, { files: { 'envward.config.ts': config } });
      projects.push(project);
      return project;
    };
    after(() => Promise.all(projects.map((project) => project.cleanup())));

    test('a host-check override is audited in the store, with the host and the reason', async () => {
      const project = await fresh(HOSTS_CONFIG);
      await (await project.open('production', { stampMode: 'stamp' })).close();
      // qa-runner-1 matches qa's host pattern: running production there needs an override.
      await assert.rejects(project.open('production', { resolve: { hostname: 'qa-runner-1' } }), {
        code: 'EW_HOST_MISMATCH',
      });
      const store = await project.open('production', {
        resolve: { hostname: 'qa-runner-1', force: { reason: 'hotfix from the qa runner' } },
      });
      assert.deepEqual(
        store.overrides.map((override) => override.guard),
        ['EW_HOST_MISMATCH'],
      );
      const [event] = await store.audit.list({ action: 'guard.override' });
      assert.equal(event?.target, 'EW_HOST_MISMATCH qa-runner-1');
      assert.equal(event?.host, 'qa-runner-1');
      assert.equal(event?.environment, 'production');
      assert.equal(event?.reason, 'hotfix from the qa runner');
    });

    test("secrets get --reveal and rotate-key write events in the environment's store, never the value", async () => {
      const project = await fresh(SECRET_CONFIG);
      const run = async (args: string[], input?: string) => {
        const result = await project.cli(args, input === undefined ? {} : { input });
        assert.equal(result.code, OK, `${args.join(' ')}: ${result.stderr}`);
        return result;
      };
      await run(['secrets', 'keygen', '--env', 'development']);
      await run(['secrets', 'set', 'payments.apiKey', '--env', 'development'], SECRET_VALUE);
      const revealed = await run(['secrets', 'get', 'payments.apiKey', '--reveal', '--env', 'development']);
      assert.equal(revealed.stdout, `${SECRET_VALUE}\n`);
      assert.doesNotMatch(revealed.stderr, /not audited/);
      await run(['secrets', 'rotate-key', '--env', 'development']);
      const listed = await run(['audit', 'list', '--env', 'development', '--json']);
      const events = JSON.parse(listed.stdout).events as { action: string; target: string; actor: string }[];
      assert.deepEqual(
        events.map((event) => [event.action, event.actor]),
        [
          ['db.stamp', userInfo().username],
          ['secrets.reveal', userInfo().username],
          ['secrets.rotate-key', userInfo().username],
        ],
      );
      assert.equal(events[1]?.target, 'payments.apiKey');
      assert.match(events[2]?.target ?? '', /^ewpub1_\S+ -> ewpub1_\S+$/);
      assert.ok(!listed.stdout.includes(SECRET_VALUE), 'the audit log never holds the value');
    });

    test('a production reveal is shown only when audited in its stamped store; a decoy database refuses it', async () => {
      const value = 'sk_live_e83b1c07a9d24f65';
      const reveal = ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', 'production'];
      const withSecret = async () => {
        const project = await fresh(SECRET_CONFIG);
        assert.equal((await project.cli(['secrets', 'keygen', '--env', 'production'])).code, OK);
        assert.equal(
          (await project.cli(['secrets', 'set', 'payments.apiKey', '--env', 'production'], { input: value })).code,
          OK,
        );
        return project;
      };
      const reveals = async (project: StoreProject) => {
        const listed = await project.cli([
          'audit',
          'list',
          '--env',
          'production',
          '--action',
          'secrets.reveal',
          '--json',
        ]);
        assert.equal(listed.code, OK, listed.stderr);
        return (JSON.parse(listed.stdout).events as { target: string }[]).map((event) => event.target);
      };
      const refused = (result: { code: number; stdout: string; stderr: string }, why: RegExp) => {
        assert.equal(result.code, REFUSED, result.stderr);
        assert.match(result.stderr, /EW_REVEAL_UNAUDITED/);
        assert.match(result.stderr, why);
        assert.ok(!result.stdout.includes(value) && !result.stderr.includes(value), 'the value is not printed');
      };

      const project = await withSecret();
      if (dialect === 'sqlite') {
        refused(await project.cli(reveal), /EW_DB_MISSING/);
        project.write('var/.keep', '');
        await project.sql('select 1');
      }
      // Not stamped yet: nowhere that carries production's stamp, so no reveal.
      refused(await project.cli(reveal), /EW_DB_UNSTAMPED/);
      assert.equal((await project.cli(['db', 'stamp', '--env', 'production'])).code, OK);
      const shown = await project.cli(reveal);
      assert.equal(shown.code, OK, shown.stderr);
      assert.equal(shown.stdout, `${value}\n`);
      assert.deepEqual(await reveals(project), ['payments.apiKey']);

      // DATABASE_URL at a decoy: refused, and the decoy is neither created nor written.
      const decoy = await project.cli(reveal, { env: { DATABASE_URL: 'sqlite:decoy.db' } });
      refused(decoy, /EW_DB_MISSING/);
      assert.equal(existsSync(join(project.dir, 'decoy.db')), false, 'no decoy file');
      // A decoy that exists but belongs to development: refused, nothing written there.
      const development = await project.cli(['db', 'stamp', '--env', 'development'], {
        env: { DATABASE_URL: 'sqlite:decoy.db' },
      });
      assert.equal(development.code, OK, development.stderr);
      const before = querySqliteFile(join(project.dir, 'decoy.db'), 'select count(*) as n from envward_audit');
      refused(await project.cli(reveal, { env: { DATABASE_URL: 'sqlite:decoy.db' } }), /EW_ENV_MISMATCH/);
      assert.deepEqual(
        querySqliteFile(join(project.dir, 'decoy.db'), 'select count(*) as n from envward_audit'),
        before,
      );
      assert.deepEqual(await reveals(project), ['payments.apiKey'], 'only the audited reveal is in the log');
    });
  });
}
