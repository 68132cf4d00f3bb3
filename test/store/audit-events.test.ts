/**
 * Which acts land in the audit log besides stamps and stamp overrides (see
 * open-store.test.ts): a host-check override of the process's environment,
 * a secret revealed and a key pair rotated, each in the store of the
 * environment acted on (stamped or not yet), on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { after, describe, test } from 'node:test';
import { DIALECTS, makeStoreProject, STORE_CONFIG, type StoreProject } from '../support/store-project.ts';

const OK = 0;
const SECRET_VALUE = 'sk_dev_7c1e90a4b2d35f68';

/** The store project's config with qa bound to qa-* hosts. */
const HOSTS_CONFIG = STORE_CONFIG.replace("qa: { tier: 'staging' },", "qa: { tier: 'staging', hosts: ['qa-*'] },");
/** The store project's config with one secret key (used in development only: protected tiers would require it). */
const SECRET_CONFIG = STORE_CONFIG.replace(
  "import { defineConfig, z } from 'envward';",
  "import { defineConfig, secret, z } from 'envward';",
).replace(
  '    database: z.object({',
  '    payments: z.object({ apiKey: secret(z.string()).optional() }),\n    database: z.object({',
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

    test("a production reveal is audited in its unstamped store; another environment's store is not written", async () => {
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

      // Not stamped yet (production waits for `db stamp`): the event goes to its configured database all the same.
      const unstamped = await withSecret();
      const shown = await unstamped.cli(reveal);
      assert.equal(shown.code, OK, shown.stderr);
      assert.equal(shown.stdout, `${value}\n`);
      assert.doesNotMatch(shown.stderr, /not audited/);
      assert.equal((await unstamped.cli(['db', 'stamp', '--env', 'production'])).code, OK);
      assert.deepEqual(await reveals(unstamped), ['payments.apiKey']);

      // The configured database belongs to development: nowhere to record it, and the user is told so.
      const elsewhere = await withSecret();
      const stamped = await elsewhere.cli(['db', 'stamp', '--env', 'development']);
      assert.equal(stamped.code, OK, stamped.stderr);
      const unaudited = await elsewhere.cli(reveal);
      assert.equal(unaudited.code, OK, unaudited.stderr);
      assert.match(unaudited.stderr, /secrets\.reveal on production is not audited: .*EW_ENV_MISMATCH/);
      assert.ok(!unaudited.stderr.includes(value));
    });
  });
}
