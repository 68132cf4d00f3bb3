/**
 * "Did you mean": an unknown key (config explain, --set, a settings.yml or a
 * code override that sets one) names the declared key it is a typo of, when
 * one is close enough, and nothing otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openProject, type Project } from '../../src/config/index.ts';
import { editDistance, suggestKey } from '../../src/config/suggest.ts';
import { EnvwardError } from '../../src/errors.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { runCli } from '../support/run-cli.ts';
import { secretVariables, type TempProject, writeStandardProject } from '../support/temp-project.ts';

const KEYS = ['app.name', 'app.port', 'app.debug', 'log.level', 'database.url', 'payments.apiKey'];

describe('suggestKey', () => {
  test('edit distance counts a swap of neighbours as one edit, and stops past its limit', () => {
    assert.equal(editDistance('app.nmae', 'app.name', 3), 1);
    assert.equal(editDistance('databse.url', 'database.url', 3), 1);
    assert.equal(editDistance('kitten', 'sitting', 5), 3);
    assert.equal(editDistance('a', 'a-very-long-key', 2), 3, 'limit + 1 when surely beyond');
  });

  test('suggests the nearest declared key for a typo, case aside', () => {
    assert.equal(suggestKey('app.nmae', KEYS), 'app.name');
    assert.equal(suggestKey('databse.url', KEYS), 'database.url');
    assert.equal(suggestKey('payments.apikey', KEYS), 'payments.apiKey');
    assert.equal(suggestKey('log.levle', KEYS), 'log.level');
  });

  test('suggests nothing for a key that is no typo of any', () => {
    assert.equal(suggestKey('cache.ttl', KEYS), undefined);
    assert.equal(suggestKey('', KEYS), undefined);
    assert.equal(suggestKey('x'.repeat(5000), KEYS), undefined);
  });
});

describe('unknown keys say what they may have meant', () => {
  let temp: TempProject;
  let project: Project;
  before(async () => {
    temp = writeStandardProject({
      files: {
        'config/environments/development/settings.yml':
          'app:\n  debgu: true\ndatabase:\n  url: sqlite:var/development/app.db\ncache:\n  ttl: 5\n',
      },
      definition: "overrides: { test: { log: { levl: 'warn' } } },",
    });
    project = await openProject(temp.dir);
  });
  after(() => temp.cleanup());

  const resolve = (env: string, set: Record<string, string> = {}) =>
    resolveConfig({ project, env, variables: {}, checkHost: false, collectIssues: true, set });

  test('settings.yml: the typo is suggested, the unrelated key is not', async () => {
    const resolved = await resolve('development');
    const messages = new Map(resolved.issues.map((issue) => [issue.key, issue.message]));
    assert.equal(messages.get('app.debgu'), 'the schema declares no such key; did you mean "app.debug"?');
    assert.equal(messages.get('cache'), 'the schema declares no such key');
  });

  test('a code override', async () => {
    const resolved = await resolve('test');
    const issue = resolved.issues.find((i) => i.key === 'log.levl');
    assert.match(issue?.message ?? '', /does not declare; did you mean "log\.level"\?$/);
  });

  test('explain and --set (API)', async () => {
    const resolved = await resolve('staging');
    assert.throws(
      () => resolved.explain('databse.url'),
      (error: unknown) =>
        error instanceof EnvwardError &&
        error.code === 'EW_CONFIG_KEY' &&
        error.details.suggestion === 'database.url' &&
        /Did you mean "database\.url"\?$/.test(error.message),
    );
    await assert.rejects(
      resolve('staging', { 'app.prot': '1' }),
      /Unknown configuration key "app\.prot" \(--set\)\. Did you mean "app\.port"\?/,
    );
  });

  test('the CLI prints it (explain, --set)', async () => {
    // staging, whose files have no typo of their own.
    const staging = { env: secretVariables('staging') };
    const [explain, set] = await Promise.all([
      runCli(['config', 'explain', 'app.nmae', '--env', 'staging', '--cwd', temp.dir], staging),
      runCli(['config', 'show', '--set', 'log.levle=warn', '--env', 'staging', '--cwd', temp.dir], staging),
    ]);
    assert.equal(explain.code, 2);
    assert.match(
      explain.stderr,
      /^error\[EW_CONFIG_KEY\]: Unknown configuration key "app\.nmae" .*Did you mean "app\.name"\?/,
    );
    assert.equal(set.code, 2);
    assert.match(set.stderr, /Did you mean "log\.level"\?/);
  });
});
