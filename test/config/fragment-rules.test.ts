/**
 * A settings fragment's own rules (`rules` of defineSettings) run with the
 * tier rules: their findings are issues at the fragment's keys with the
 * winning file and line, in every environment the rule finds something,
 * and `config validate` fails on them as on any issue.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { resolveConfig } from '../../src/resolution.ts';
import { runCli } from '../support/run-cli.ts';
import { secretVariables, type TempProject, writeStandardProject } from '../support/temp-project.ts';

const gateway = `const gateway = defineSettings({
  key: 'gateway',
  capability: 'the fragment rules test',
  tierDefaults: { development: {}, test: {}, staging: {}, production: {} },
  schema: () => z.object({ mode: z.enum(['mock', 'live']).default('mock') }),
  rules: (settings, environment) =>
    environment.protected && settings.mode === 'mock'
      ? [{ code: 'EW_RULE_INTEGRATION_MOCK', key: 'mode', message: 'mock in ' + environment.tier }]
      : [],
});`;

let temp: TempProject;
after(() => temp?.cleanup());

describe('fragment rules', () => {
  temp = writeStandardProject({
    prelude: gateway,
    use: 'gateway',
    files: {
      'config/environments/production/settings.yml':
        'log:\n  level: warn\ndatabase:\n  url: postgres://prod-db/app\ngateway:\n  mode: mock\n',
      'config/environments/staging/settings.yml':
        'database:\n  url: postgres://staging-db/app\ngateway:\n  mode: live\n',
    },
  });

  test('a finding is an issue at the fragment key, with the file and line that set it', async () => {
    const resolved = await resolveConfig({
      cwd: temp.dir,
      env: 'production',
      checkHost: false,
      variables: secretVariables('production'),
      collectIssues: true,
    });
    const issue = resolved.issues.find((candidate) => candidate.code === 'EW_RULE_INTEGRATION_MOCK');
    assert.ok(issue, JSON.stringify(resolved.issues));
    assert.equal(issue.key, 'gateway.mode');
    assert.equal(issue.message, 'mock in production');
    assert.match(issue.file ?? '', /production[/\\]settings\.yml$/);
    assert.equal(issue.line, 6);
  });

  test('no finding, no issue; an unprotected tier passes the same value', async () => {
    for (const env of ['staging', 'development']) {
      const resolved = await resolveConfig({
        cwd: temp.dir,
        env,
        checkHost: false,
        variables: secretVariables(env),
        collectIssues: true,
      });
      assert.deepEqual(
        resolved.issues.filter((issue) => issue.key.startsWith('gateway')),
        [],
        env,
      );
    }
  });

  test('config validate fails on a finding with its code and exit 1', async () => {
    const cli = await runCli(['config', 'validate', '--env', 'production', '--cwd', temp.dir, '--json'], {
      env: secretVariables('production'),
    });
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stdout + cli.stderr, /EW_RULE_INTEGRATION_MOCK/);
    assert.match(cli.stdout + cli.stderr, /gateway\.mode/);
  });
});
