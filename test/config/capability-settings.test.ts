/**
 * Capability-owned settings: fragments composed with `use`, their tier
 * defaults as a layer that `explain` names, validation of their values with
 * file and line (the deploy gate refuses what the capability would refuse),
 * and refusal of a project that redeclares a capability's key.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openProject } from '../../src/config/index.ts';
import { httpSettings } from '../../src/http/index.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { storeSettings } from '../../src/store/store-settings.ts';
import { runCli } from '../support/run-cli.ts';
import { makeTempProject, type TempProject, writeStandardProject } from '../support/temp-project.ts';

const HTTP_PROJECT = `import { database, defineConfig, http, live, z } from 'envward';
export default defineConfig({
  use: [http, database],
  schema: z.object({
    app: z.object({ greeting: live(z.string().default('hello')), port: z.number().default(3000) }),
    database: z.object({ readReplicaUrl: z.string().optional() }),
  }),
});
`;

const projects: TempProject[] = [];
const project = (files: Record<string, string>) => {
  const made = makeTempProject(files);
  projects.push(made);
  return made;
};
after(() => {
  for (const made of projects) made.cleanup();
});

const base = { 'config/base.yml': 'database:\n  url: sqlite:var/app.db\n' };

describe('capability settings', () => {
  test('explain names the tier default as a layer, and what a file value shadows', async () => {
    const dir = project({
      'envward.config.ts': HTTP_PROJECT,
      ...base,
      'config/environments/staging/settings.yml': 'http:\n  bodyLimit: 2048\n',
    }).dir;
    const production = await resolveConfig({ cwd: dir, env: 'production', checkHost: false, variables: {} });
    const explained = production.explain('http.bodyLimit');
    assert.equal(explained.value, 1024 * 1024);
    assert.deepEqual(explained.winner?.source, { layer: 'tier-defaults', tier: 'production' });

    const cli = await runCli(['config', 'explain', 'http.bodyLimit', '--env', 'production', '--cwd', dir], {});
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /production tier default/);

    const staging = await resolveConfig({ cwd: dir, env: 'staging', checkHost: false, variables: {} });
    const shadowing = staging.explain('http.bodyLimit');
    assert.equal(shadowing.value, 2048);
    assert.equal(shadowing.winner?.source.layer, 'environment-file');
    assert.deepEqual(
      shadowing.overridden.map((entry) => [entry.source.layer, entry.value]),
      [['tier-defaults', 1024 * 1024]],
    );
    assert.equal(httpSettings(staging).bodyLimit, 2048);
    const development = await resolveConfig({ cwd: dir, env: 'development', checkHost: false, variables: {} });
    assert.equal(httpSettings(development).bodyLimit, 10 * 1024 * 1024);
  });

  test('a wrong type or an out-of-range value fails config validate and preflight with file:line', async () => {
    const dir = project({
      'envward.config.ts': HTTP_PROJECT,
      ...base,
      'config/environments/production/settings.yml': 'http:\n  bodyLimit: "1mb"\ndatabase:\n  poolSize: 0\n',
    }).dir;
    const validate = await runCli(['config', 'validate', '--all', '--cwd', dir], {});
    assert.equal(validate.code, 1, validate.stdout + validate.stderr);
    const output = validate.stdout + validate.stderr;
    assert.match(output, /http\.bodyLimit.*config\/environments\/production\/settings\.yml:2/);
    assert.match(output, /database\.poolSize.*config\/environments\/production\/settings\.yml:4/);

    const preflight = await runCli(['preflight', 'production', '--cwd', dir], {});
    assert.notEqual(preflight.code, 0);
    assert.match(preflight.stdout + preflight.stderr, /http\.bodyLimit.*settings\.yml:2/);
  });

  test('a project redeclaring a capability key, or declaring its group without `use`, is refused at load', async () => {
    const redeclared = project({
      'envward.config.ts': `import { defineConfig, http, z } from 'envward';
export default defineConfig({ use: [http], schema: z.object({ http: z.object({ bodyLimit: z.string().default('1mb') }) }) });
`,
    }).dir;
    await assert.rejects(openProject(redeclared), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'EW_PROJECT_LOAD');
      assert.match(error.message, /redeclares `http\.bodyLimit`/);
      return true;
    });
    const undeclared = project({
      'envward.config.ts': `import { defineConfig, z } from 'envward';
export default defineConfig({ schema: z.object({ http: z.object({ bodyLimit: z.string().default('1mb') }) }) });
`,
    }).dir;
    await assert.rejects(
      openProject(undeclared),
      /declares `http`, which envward's http \(from envward\/fastify\) settings own/,
    );
  });

  test("a project's own keys sit beside a fragment's; reload modes come from the schema", async () => {
    const dir = project({ 'envward.config.ts': HTTP_PROJECT, ...base }).dir;
    const opened = await openProject(dir);
    assert.equal(opened.schema.leaves.get('database.readReplicaUrl')?.reload, 'restart');
    assert.equal(opened.schema.leaves.get('database.url')?.reload, 'restart');
    assert.equal(opened.schema.leaves.get('http.rateLimit.max')?.reload, 'live');
    assert.equal(opened.schema.leaves.get('app.greeting')?.reload, 'live');
    assert.equal(opened.schema.leaves.get('app.port')?.reload, 'restart');
  });

  test('a capability used without its fragment runs on tier defaults, or names the fragment it needs', async () => {
    const temp = writeStandardProject();
    projects.push(temp);
    const bare = project({
      'envward.config.ts': `import { defineConfig, z } from 'envward';
export default defineConfig({ schema: z.object({ app: z.object({ name: z.string().default('x') }) }) });
`,
    }).dir;
    const resolved = await resolveConfig({ cwd: bare, env: 'production', checkHost: false, variables: {} });
    assert.equal(httpSettings(resolved).bodyLimit, 1024 * 1024);
    assert.throws(
      () => storeSettings(resolved),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'EW_SETTINGS_NOT_USED');
        assert.match(error.message, /envward\/store needs its `database` settings/);
        return true;
      },
    );
  });
});
