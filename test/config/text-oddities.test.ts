/**
 * Text that dotenv, Number() or YAML would read leniently is refused with a
 * place to fix it: duplicate .env variables, unterminated quotes, numbers
 * that are not decimal, values with a YAML tag that is not plain data, and a
 * flood of unknown keys is summarised instead of listed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  type ConfigIssue,
  ConfigParseError,
  EnvwardError,
  type ResolveOptions,
  resolveConfig,
} from '../../src/index.ts';
import { type StandardProjectOptions, writeStandardProject } from '../support/temp-project.ts';

const SETTINGS = 'config/environments/development/settings.yml';

async function failure(options: StandardProjectOptions, resolve: Partial<ResolveOptions> = {}): Promise<EnvwardError> {
  const project = writeStandardProject(options);
  try {
    await resolveConfig({ cwd: project.dir, env: 'development', hostname: 'h', variables: {}, ...resolve });
  } catch (error) {
    assert.ok(error instanceof EnvwardError, `expected an EnvwardError, got ${inspect(error)}`);
    return error;
  } finally {
    project.cleanup();
  }
  assert.fail('resolveConfig did not throw');
}

async function parseFailure(files: Record<string, string>): Promise<ConfigParseError> {
  const error = await failure({ files });
  assert.ok(error instanceof ConfigParseError, `expected EW_CONFIG_PARSE, got ${error.code}: ${error.message}`);
  return error;
}

async function issuesFor(options: StandardProjectOptions, resolve: Partial<ResolveOptions> = {}) {
  const project = writeStandardProject(options);
  try {
    const resolved = await resolveConfig({
      cwd: project.dir,
      env: 'development',
      hostname: 'h',
      variables: {},
      collectIssues: true,
      ...resolve,
    });
    return { issues: resolved.issues, values: resolved.values as { app: { port: number } } };
  } finally {
    project.cleanup();
  }
}

describe('.env duplicates and quotes', () => {
  test('a variable set twice in a .env is EW_CONFIG_PARSE naming both lines', async () => {
    const error = await parseFailure({ '.env': '# ports\nAPP_PORT=3000\nLOG_LEVEL=info\nAPP_PORT=4000\n' });
    assert.deepEqual([error.details.file, error.details.line], ['.env', 4]);
    assert.match(error.message, /^\.env:4:1: APP_PORT is set twice \(first at \.env:2\)/);
  });

  test('a duplicate of a variable envward does not read is refused too', async () => {
    const error = await parseFailure({ 'config/environments/development/.env': 'OTHER_TOOL=a\nOTHER_TOOL=b\n' });
    assert.match(
      error.message,
      /:2:1: OTHER_TOOL is set twice \(first at config\/environments\/development\/\.env:1\)/,
    );
  });

  for (const [quote, kind] of [
    ['"', 'double'],
    ["'", 'single'],
    ['`', 'backtick'],
  ]) {
    test(`an unterminated ${kind} quote is EW_CONFIG_PARSE at its line`, async () => {
      const error = await parseFailure({ '.env': `LOG_LEVEL=info\nAPP_NAME=${quote}half open\nAPP_PORT=1\n` });
      assert.deepEqual([error.details.file, error.details.line], ['.env', 2]);
      assert.match(error.message, new RegExp(`APP_NAME opens a ${kind} quote that is never closed`));
    });
  }

  test('closed, escaped and multi-line quoted values still read', async () => {
    const { issues, values } = await issuesFor({
      files: {
        '.env': 'APP_NAME="say \\"hi\\""\nLOG_LEVEL=\'warn\'\nOTHER="line one\nline two"\nAPP_PORT=8080 # a comment\n',
      },
    });
    assert.deepEqual(issues, []);
    assert.equal(values.app.port, 8080);
    // dotenv keeps the backslashes of escaped quotes; what matters is that the value is read.
    assert.equal((values as unknown as { app: { name: string } }).app.name, 'say \\"hi\\"');
  });
});

describe('numbers from text are decimal only', () => {
  const refused = ['0x1F90', '0o17', '0b101', '', '   ', 'Infinity', '-Infinity', '1e999', '12abc', '1_000'];
  for (const text of refused) {
    test(`APP_PORT=${JSON.stringify(text)} is EW_CONFIG_TYPE, not a number`, async () => {
      const { issues } = await issuesFor({}, { variables: { APP_PORT: text } });
      const issue = issues.find((i: ConfigIssue) => i.key === 'app.port');
      assert.ok(issue, `no issue for ${JSON.stringify(text)}: ${inspect(issues)}`);
      assert.equal(issue.code, 'EW_CONFIG_TYPE');
      assert.equal(issue.source, '$APP_PORT');
      assert.match(issue.message, /expected a decimal number/);
    });
  }

  test('decimal text, with a sign, a fraction or an exponent, is read', async () => {
    for (const [text, port] of [
      ['8080', 8080],
      [' 8080 ', 8080],
      ['+80', 80],
      ['8e3', 8000],
    ] as const) {
      const { issues, values } = await issuesFor({}, { variables: { APP_PORT: text } });
      assert.deepEqual(issues, [], text);
      assert.equal(values.app.port, port, text);
    }
  });

  test('a hex number in a .env is refused at its line', async () => {
    const { issues } = await issuesFor({ files: { '.env': 'APP_PORT=0x1F90\n' } });
    assert.deepEqual(
      issues.map((i) => [i.code, i.key, i.file, i.line]),
      [['EW_CONFIG_TYPE', 'app.port', '.env', 1]],
    );
  });
});

describe('YAML tags', () => {
  for (const [name, yaml, line] of [
    ['!!binary', 'app:\n  name: !!binary aGVsbG8=\n', 2],
    ['!!set', 'app:\n  name: !!set {a, b}\n', 2],
    ['!!timestamp', 'log:\n  level: info\napp:\n  name: !!timestamp 2020-01-01\n', 4],
    ['an unknown tag', 'app:\n  name: !secret hello\n', 2],
    ['!!binary inside a list', 'database:\n  url: x\napp:\n  name: [1, !!binary aGk=]\n', 4],
  ] as const) {
    test(`a value with ${name} is EW_CONFIG_PARSE with file:line`, async () => {
      const error = await parseFailure({ [SETTINGS]: yaml });
      assert.equal(error.details.file, SETTINGS);
      assert.equal(error.details.line, line);
    });
  }

  test('a duplicate YAML key names the line of the first', async () => {
    const error = await parseFailure({ [SETTINGS]: 'app:\n  port: 1\n  port: 2\n' });
    assert.match(error.message, /:3:3: Map keys must be unique: "port" is already set at line 2/);
  });
});

describe('unknown keys', () => {
  test('75,000 unknown keys are 20 findings and one summary counting the rest', async () => {
    const lines = Array.from({ length: 75_000 }, (_, i) => `k${i}: 1`);
    const { issues } = await issuesFor({ files: { 'config/base.yml': `${lines.join('\n')}\n` } });
    const unknown = issues.filter((issue) => issue.code === 'EW_CONFIG_UNKNOWN_KEY');
    assert.equal(unknown.length, 21);
    assert.deepEqual(
      unknown.slice(0, 3).map((issue) => [issue.key, issue.line]),
      [
        ['k0', 1],
        ['k1', 2],
        ['k2', 3],
      ],
    );
    const summary = unknown[20];
    assert.equal(summary?.file, 'config/base.yml');
    assert.match(summary?.message ?? '', /and 74980 more keys the schema does not declare \(75000 in all/);
  });
});
