/**
 * `envward deploy record|list` as a pipeline runs them (the built CLI:
 * `npm run build` first), on SQLite and PostgreSQL: exit codes, `--json`,
 * hostile arguments refused with nothing written, and two processes
 * recording at the same moment both landing, with an intact audit chain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeDeployProject } from '../support/deploy-project.ts';
import { DIALECTS, type StoreProject } from '../support/store-project.ts';

interface Listed {
  environment: string;
  deployments: { id: number; version: string; outcome: string }[];
}

for (const dialect of DIALECTS) {
  describe(`envward deploy (${dialect})`, () => {
    let project: StoreProject;
    before(async () => {
      project = await makeDeployProject(dialect);
    });
    after(() => project.cleanup());

    const list = async () => {
      const result = await project.cli(['deploy', 'list', '--env', 'development', '--json']);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as Listed;
    };

    test('hostile arguments exit 2 with their EW_ code, and nothing is written', async () => {
      const cases: [string[], string][] = [
        [['--version', '1.0', '--outcome', 'exploded'], 'EW_DEPLOY_INPUT'],
        [['--version', '1.0', '--commit', 'not-hex!', '--outcome', 'started'], 'EW_DEPLOY_INPUT'],
        [['--version', 'v'.repeat(200), '--outcome', 'started'], 'EW_DEPLOY_INPUT'],
        [['--version', '1.0\u001b]0;pwned\u0007', '--outcome', 'started'], 'EW_DEPLOY_INPUT'],
        [['--version', '1.0', '--outcome', 'started', '--env', '../../etc'], 'EW_ENV_NAME'],
        [['--outcome', 'started'], 'EW_USAGE'],
      ];
      for (const [args, code] of cases) {
        const env = args.includes('--env') ? [] : ['--env', 'development'];
        const result = await project.cli(['deploy', 'record', ...env, ...args]);
        assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, new RegExp(`error\\[${code}\\]`));
        assert.ok(
          !result.stderr.includes(`${String.fromCharCode(27)}]0;pwned`),
          'no terminal escape reaches the output',
        );
      }
      const limit = await project.cli(['deploy', 'list', '--env', 'development', '--limit', '-5']);
      assert.equal(limit.code, 2);
      assert.deepEqual((await list()).deployments, []);
    });

    test('two processes recording at the same moment both land, each with its own id and audit event', async () => {
      const record = (version: string) =>
        project.cli([
          'deploy',
          'record',
          '--env',
          'development',
          '--version',
          version,
          '--outcome',
          'succeeded',
          '--json',
        ]);
      const results = await Promise.all([record('5.0.0'), record('5.0.1'), record('5.0.2')]);
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      const ids = results.map((result) => (JSON.parse(result.stdout) as { id: number }).id).sort();
      assert.equal(new Set(ids).size, 3);
      const listed = await list();
      assert.deepEqual(listed.deployments.map((entry) => entry.version).sort(), ['5.0.0', '5.0.1', '5.0.2']);
      const verify = await project.cli(['audit', 'verify', '--env', 'development', '--json']);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      const audit = await project.cli(['audit', 'list', '--env', 'development', '--action', 'deploy.record', '--json']);
      assert.equal((JSON.parse(audit.stdout) as { events: unknown[] }).events.length, 3);
    });

    test('list prints records newest first, --limit caps them, and --json is the only stdout', async () => {
      const text = await project.cli(['deploy', 'list', '--env', 'development', '--limit', '2']);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stdout.trim().split('\n').length, 3, text.stdout);
      const listed = await list();
      const ids = listed.deployments.map((entry) => entry.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => b - a),
      );
    });
  });
}
