import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  ConfigInvalidError,
  type ConfigIssue,
  ConfigParseError,
  EnvwardError,
  FileInputError,
  formatIssue,
  type ResolveOptions,
  resolveConfig,
} from '../../src/index.ts';
import { type StandardProjectOptions, secretVariables, writeStandardProject } from '../support/temp-project.ts';

const SETTINGS = 'config/environments/development/settings.yml';

/** Resolves a fresh standard project (with `options`) and returns what it threw. */
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
  assert.ok(error instanceof ConfigParseError, `expected ConfigParseError, got ${error.code}`);
  assert.equal(error.code, 'EW_CONFIG_PARSE');
  assert.equal(error.kind, 'problem');
  return error;
}

async function invalid(options: StandardProjectOptions, resolve: Partial<ResolveOptions> = {}) {
  const error = await failure(options, resolve);
  assert.ok(error instanceof ConfigInvalidError, `expected ConfigInvalidError, got ${error.code}: ${error.message}`);
  assert.equal(error.code, 'EW_CONFIG_INVALID');
  assert.deepEqual(error.details.issues, error.issues);
  return error;
}

const codes = (issues: readonly ConfigIssue[]) => issues.map((issue) => issue.code).sort();

describe('malformed files', () => {
  test('malformed YAML is EW_CONFIG_PARSE with file:line:column', async () => {
    const error = await parseFailure({ [SETTINGS]: 'app:\n  port: 1\n  port: 2\n' });
    assert.match(error.message, /^config\/environments\/development\/settings\.yml:3:3: Map keys must be unique/);
    assert.deepEqual(
      { file: error.details.file, line: error.details.line, column: error.details.column },
      { file: SETTINGS, line: 3, column: 3 },
    );
  });

  test('a YAML syntax error is located where it is', async () => {
    const error = await parseFailure({ [SETTINGS]: 'app:\n  port: 1\n name: x\n' });
    assert.match(error.message, /^config\/environments\/development\/settings\.yml:3:1: /);
    const tabs = await parseFailure({ 'config/base.yml': '# base\napp:\n\tport: 1\n' });
    assert.match(tabs.message, /^config\/base\.yml:3:1: /);
  });

  test('a YAML file whose top level is not a mapping is EW_CONFIG_PARSE', async () => {
    const error = await parseFailure({ 'config/base.yml': '- just\n- a list\n' });
    assert.match(error.message, /^config\/base\.yml:1:1: the top level must be a mapping/);
  });

  test('two malformed files are both listed, in layer order', async () => {
    const error = await parseFailure({
      'config/base.yml': 'app: {port: 1\nlog:\n  level: info\n',
      [SETTINGS]: 'database:\n  url: a\n  url: b\n',
    });
    assert.deepEqual(
      error.failures.map((failure) => [failure.location.file, failure.location.line, failure.location.column]),
      [
        ['config/base.yml', 2, 1],
        [SETTINGS, 3, 3],
      ],
    );
    assert.match(error.message, /^config\/base\.yml:2:1: /);
    assert.match(
      error.message,
      /\n {2}- config\/environments\/development\/settings\.yml:3:3: Map keys must be unique/,
    );
  });

  test('a malformed .env line is EW_CONFIG_PARSE with its line', async () => {
    const error = await parseFailure({
      '.env': '# settings\n\nAPP_PORT=3000\nthis is not an assignment\nLOG_LEVEL=info\n',
    });
    assert.match(error.message, /^\.env:4:1: not a KEY=value line/);
    assert.equal(error.details.line, 4);
    const crlf = await parseFailure({ 'config/environments/development/.env': 'APP_PORT=1\r\n\r\noops\r\n' });
    assert.match(crlf.message, /^config\/environments\/development\/\.env:3:1: /);
  });

  test('a malformed .env file and a malformed YAML file are reported together', async () => {
    const error = await parseFailure({ '.env': 'A=1\nbroken\n', [SETTINGS]: 'x: [\n' });
    assert.deepEqual(
      error.failures.map((failure) => failure.location.file),
      ['.env', SETTINGS],
    );
  });

  test('a .env file with old Mac (CR) line endings reports the malformed line', {}, async () => {
    const error = await parseFailure({ '.env': 'APP_PORT=1\rnope\r' });
    assert.equal(error.details.line, 2);
  });

  test('an unresolved YAML alias is EW_CONFIG_PARSE, not a raw ReferenceError', {}, async () => {
    const project = writeStandardProject({ files: { [SETTINGS]: 'database:\n  url: *nope\n' } });
    try {
      await assert.rejects(resolveConfig({ cwd: project.dir, env: 'development', hostname: 'h', variables: {} }), {
        code: 'EW_CONFIG_PARSE',
      });
    } finally {
      project.cleanup();
    }
  });

  test('a YAML alias bomb is EW_CONFIG_PARSE, not a raw ReferenceError', {}, async () => {
    const levels = Array.from(
      { length: 8 },
      (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]`,
    ).join('\n');
    const project = writeStandardProject({
      files: { 'config/base.yml': `l0: &l0 [x, x, x, x, x, x, x, x, x]\n${levels}\n` },
    });
    try {
      await assert.rejects(resolveConfig({ cwd: project.dir, env: 'development', hostname: 'h', variables: {} }), {
        code: 'EW_CONFIG_PARSE',
      });
    } finally {
      project.cleanup();
    }
  });
});

describe('bad input files', () => {
  test('a file over 1 MiB is EW_FILE_INPUT', async () => {
    const error = await failure({ files: { 'config/base.yml': `app:\n  name: ${'x'.repeat(1024 * 1024)}\n` } });
    assert.ok(error instanceof FileInputError);
    assert.equal(error.code, 'EW_FILE_INPUT');
    assert.equal(error.details.file, 'config/base.yml');
    assert.match(error.message, /limit is 1048576/);
  });

  test('a file of exactly 1 MiB is read', async () => {
    const head = 'database:\n  url: sqlite:';
    const text = `${head}${'x'.repeat(1024 * 1024 - head.length - 1)}\n`;
    assert.equal(Buffer.byteLength(text), 1024 * 1024);
    const project = writeStandardProject({ files: { [SETTINGS]: text } });
    try {
      const resolved = await resolveConfig({ cwd: project.dir, env: 'development', hostname: 'h', variables: {} });
      assert.equal(
        (resolved.values as { database: { url: string } }).database.url.length,
        1024 * 1024 - head.length - 1 + 'sqlite:'.length,
      );
    } finally {
      project.cleanup();
    }
  });

  test('a file with NUL bytes is EW_FILE_INPUT', async () => {
    const error = await failure({ files: { '.env': 'APP_NAME=a\u0000b\n' } });
    assert.equal(error.code, 'EW_FILE_INPUT');
    assert.equal(error.details.file, '.env');
    assert.match(error.message, /NUL/);
  });

  test('a file that is not UTF-8 is EW_FILE_INPUT', async () => {
    const error = await failure({ files: { [SETTINGS]: new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]) } });
    assert.equal(error.code, 'EW_FILE_INPUT');
    assert.equal(error.details.file, SETTINGS);
  });
});

describe('invalid values', () => {
  test('a typo key in settings.yml is EW_CONFIG_INVALID with an EW_CONFIG_UNKNOWN_KEY issue at its file and line', async () => {
    const error = await invalid({
      files: { [SETTINGS]: 'database:\n  url: postgres://x/app\ndatabse:\n  url: postgres://y/app\napp:\n  prot: 1\n' },
    });
    assert.deepEqual(
      error.issues.map((issue) => [issue.code, issue.key, issue.environment, issue.file, issue.line, issue.column]),
      [
        ['EW_CONFIG_UNKNOWN_KEY', 'databse', 'development', SETTINGS, 3, 1],
        ['EW_CONFIG_UNKNOWN_KEY', 'app.prot', 'development', SETTINGS, 6, 3],
      ],
    );
    assert.match(error.message, /has 2 problems/);
    assert.match(error.message, /databse \[development\] at config\/environments\/development\/settings\.yml:3:1/);
  });

  test('an unknown key in a code override is EW_CONFIG_UNKNOWN_KEY', async () => {
    const error = await invalid({ definition: "overrides: { development: { log: { levle: 'warn' } } }," });
    assert.deepEqual(
      error.issues.map((issue) => [issue.code, issue.key, issue.file]),
      [['EW_CONFIG_UNKNOWN_KEY', 'log.levle', 'envward.config.ts']],
    );
  });

  test('a value of the wrong type in YAML is EW_CONFIG_TYPE at its file and line', async () => {
    const error = await invalid({
      files: { [SETTINGS]: 'database:\n  url: postgres://x/app\napp:\n  port: "eighty"\n' },
    });
    assert.equal(error.issues.length, 1);
    const [issue] = error.issues;
    assert.equal(issue?.code, 'EW_CONFIG_TYPE');
    assert.equal(issue?.key, 'app.port');
    assert.equal(issue?.file, SETTINGS);
    assert.equal(issue?.line, 4);
    assert.equal(issue?.expected, 'number');
  });

  test('a value of the wrong type from a variable names the variable', async () => {
    const error = await invalid({}, { variables: { APP_PORT: 'eighty', APP_DEBUG: 'maybe' } });
    assert.deepEqual(
      error.issues.map((issue) => [issue.code, issue.key, issue.source]),
      [
        ['EW_CONFIG_TYPE', 'app.port', '$APP_PORT'],
        ['EW_CONFIG_TYPE', 'app.debug', '$APP_DEBUG'],
      ],
    );
  });

  test('a scalar where the schema has a group is EW_CONFIG_TYPE', async () => {
    const error = await invalid({ files: { [SETTINGS]: 'database: postgres://x/app\n' } });
    assert.ok(error.issues.some((issue) => issue.code === 'EW_CONFIG_TYPE' && issue.key === 'database'));
  });

  test('a missing required schema value is EW_CONFIG_TYPE', async () => {
    const error = await invalid({ files: { [SETTINGS]: 'app:\n  port: 1\n' } });
    assert.deepEqual(
      error.issues.map((issue) => [issue.code, issue.key]),
      [['EW_CONFIG_TYPE', 'database.url']],
    );
  });

  test('collectIssues returns the issues instead of throwing', async (t) => {
    const project = writeStandardProject({ files: { [SETTINGS]: 'database:\n  url: sqlite:x\ndatabse: 1\n' } });
    t.after(() => project.cleanup());
    const resolved = await resolveConfig({
      cwd: project.dir,
      env: 'development',
      hostname: 'h',
      variables: {},
      collectIssues: true,
    });
    assert.deepEqual(codes(resolved.issues), ['EW_CONFIG_UNKNOWN_KEY']);
  });
});

describe('tier rules', () => {
  const production = { env: 'production', variables: secretVariables('production') } as const;

  test('the standard project is valid in production (the rules below are what break it)', async (t) => {
    const project = writeStandardProject();
    t.after(() => project.cleanup());
    const resolved = await resolveConfig({ cwd: project.dir, hostname: 'h', ...production });
    assert.deepEqual(resolved.issues, []);
  });

  test('debug true in production is EW_RULE_DEBUG', async () => {
    const error = await invalid({}, { ...production, variables: { ...production.variables, APP_DEBUG: 'true' } });
    assert.deepEqual(
      error.issues.map((issue) => [issue.code, issue.key, issue.source]),
      [['EW_RULE_DEBUG', 'app.debug', '$APP_DEBUG']],
    );
  });

  test('log.level debug in production is EW_RULE_LOG_LEVEL, at the file and line that set it', async () => {
    const error = await invalid(
      {
        files: {
          'config/environments/production/settings.yml': 'database:\n  url: postgres://p/app\nlog:\n  level: debug\n',
        },
      },
      production,
    );
    assert.deepEqual(
      error.issues.map((issue) => [issue.code, issue.key, issue.file, issue.line]),
      [['EW_RULE_LOG_LEVEL', 'log.level', 'config/environments/production/settings.yml', 4]],
    );
  });

  test('the same values pass in development, which is not protected', async (t) => {
    const project = writeStandardProject();
    t.after(() => project.cleanup());
    const resolved = await resolveConfig({
      cwd: project.dir,
      env: 'development',
      hostname: 'h',
      variables: { APP_DEBUG: 'true', LOG_LEVEL: 'debug' },
    });
    assert.deepEqual(resolved.issues, []);
  });

  test('a custom staging-tier environment gets the protected rules too', async () => {
    const error = await invalid(
      {},
      { env: 'qa', variables: { ...secretVariables('qa'), APP_DEBUG: '1', LOG_LEVEL: 'trace' } },
    );
    assert.deepEqual(codes(error.issues), ['EW_RULE_DEBUG', 'EW_RULE_LOG_LEVEL']);
  });

  test('a required key that is not set is EW_RULE_REQUIRED (by tier and by environment name)', async () => {
    const byTier = await invalid({ definition: "required: { development: ['payments.apiKey'] }," });
    assert.deepEqual(
      byTier.issues.map((issue) => [issue.code, issue.key]),
      [['EW_RULE_REQUIRED', 'payments.apiKey']],
    );
    const byName = await invalid(
      { definition: "required: { qa: ['app.name'] }," },
      {
        env: 'qa',
        variables: { ...secretVariables('qa'), APP_NAME: '' },
      },
    );
    assert.deepEqual(
      byName.issues.map((issue) => [issue.code, issue.key, issue.source]),
      [['EW_RULE_REQUIRED', 'app.name', '$APP_NAME']],
    );
  });

  test('an unset secret in production is EW_RULE_SECRET_UNSET', async () => {
    const error = await invalid({}, { env: 'production', variables: {} });
    assert.ok(codes(error.issues).includes('EW_RULE_SECRET_UNSET'));
  });

  test('every broken rule is listed at once', async () => {
    const error = await invalid(
      { definition: "required: { production: ['payments.apiKey'] }," },
      { env: 'production', variables: { APP_DEBUG: 'yes', LOG_LEVEL: 'debug' } },
    );
    assert.deepEqual(codes(error.issues), [
      'EW_RULE_DEBUG',
      'EW_RULE_LOG_LEVEL',
      'EW_RULE_REQUIRED',
      'EW_RULE_SECRET_UNSET',
    ]);
  });

  test('a project rule for the tier reports EW_RULE_CUSTOM', async () => {
    const error = await invalid(
      {
        definition: `rules: [{ name: 'fixed-port', tiers: ['production'], check: (c) => (c.app.port === 3000 ? [] : [{ key: 'app.port', message: 'must be 3000' }]) }],`,
      },
      { ...production, variables: { ...production.variables, APP_PORT: '8080' } },
    );
    assert.deepEqual(
      error.issues.map((issue) => [issue.code, issue.key, issue.message]),
      [['EW_RULE_CUSTOM', 'app.port', 'must be 3000 (rule fixed-port)']],
    );
  });
});

describe('secret values never appear in errors', () => {
  const SECRET = 'sk_live_DO_NOT_PRINT_4e1f9a';
  const secretGroup =
    "api: z.object({ token: secret(z.string().min(64)).optional(), pin: secret(z.number()).optional(), mode: secret(z.enum(['a', 'b'])).optional() }),";

  /** Every text an error offers: message, hint, JSON, inspect (what a logger prints), rendered issues. */
  function assertNoSecret(error: EnvwardError) {
    const texts = [
      error.message,
      error.hint,
      String(error),
      JSON.stringify(error.toJSON()),
      JSON.stringify(error.details),
      inspect(error, { depth: Number.POSITIVE_INFINITY }),
      ...(error instanceof ConfigInvalidError ? error.issues.map(formatIssue) : []),
    ];
    for (const text of texts) assert.ok(!text.includes(SECRET), `the secret appears in: ${text}`);
    // Not even a recognisable part of it.
    for (const text of texts) assert.ok(!text.includes('DO_NOT_PRINT'), `part of the secret appears in: ${text}`);
  }

  const cases: [string, StandardProjectOptions, Partial<ResolveOptions>, string][] = [
    [
      'a secret failing its schema check (too short)',
      { schemaGroups: secretGroup, files: { [SETTINGS]: `database:\n  url: x\napi:\n  token: ${SECRET}\n` } },
      {},
      'EW_CONFIG_INVALID',
    ],
    [
      'a secret of the wrong type in a .env file',
      { schemaGroups: secretGroup, files: { '.env': `API_PIN=${SECRET}\n` } },
      {},
      'EW_CONFIG_INVALID',
    ],
    [
      'a secret that is not one of its enum options',
      { schemaGroups: secretGroup },
      { variables: { API_MODE: SECRET } },
      'EW_CONFIG_INVALID',
    ],
    [
      'a secret given as a mapping in YAML',
      { files: { [SETTINGS]: `database:\n  url: x\npayments:\n  apiKey:\n    nested: ${SECRET}\n` } },
      {},
      'EW_CONFIG_INVALID',
    ],
    [
      'a YAML syntax error on the line of a secret',
      { files: { [SETTINGS]: `payments:\n  apiKey: "${SECRET}\nlog:\n  level: info\n` } },
      {},
      'EW_CONFIG_PARSE',
    ],
    [
      'a duplicate secret key in YAML',
      { files: { [SETTINGS]: `payments:\n  apiKey: ${SECRET}\n  apiKey: ${SECRET}\n` } },
      {},
      'EW_CONFIG_PARSE',
    ],
    [
      'a malformed .env line holding a secret',
      { files: { '.env': `PAYMENTS_API_KEY ${SECRET}\n` } },
      {},
      'EW_CONFIG_PARSE',
    ],
    [
      'a secret set beside broken rules in production',
      {},
      { env: 'production', variables: { PAYMENTS_API_KEY: SECRET, APP_DEBUG: 'true', LOG_LEVEL: 'debug' } },
      'EW_CONFIG_INVALID',
    ],
    [
      'a secret in a plain file of a protected environment',
      { files: { 'config/environments/production/.env': `PAYMENTS_API_KEY=${SECRET}\n` } },
      { env: 'production', variables: { APP_DEBUG: 'true' } },
      'EW_CONFIG_INVALID',
    ],
    [
      'a secret set beside a typo key',
      { files: { [SETTINGS]: `database:\n  url: x\npayments:\n  apiKey: ${SECRET}\n  apikey: ${SECRET}\n` } },
      {},
      'EW_CONFIG_INVALID',
    ],
  ];

  for (const [name, options, resolve, code] of cases) {
    test(`${name}: ${code} without the value`, async () => {
      const error = await failure(options, resolve);
      assert.equal(error.code, code, error.message);
      assertNoSecret(error);
    });
  }
});
