/**
 * The issue's acceptance path, walked as a new user through the built CLI:
 * init, env, config show, config explain, config diff, and a typo caught by
 * config validate with its file:line. Every step also with --json.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { escapeRegExp, lineOf, makeTempDir, parseJson, runCli } from '../support/run-cli.ts';

const SCAFFOLDED = [
  'envward.config.ts',
  'config/base.yml',
  'config/environments/development/settings.yml',
  'config/environments/test/settings.yml',
  'config/environments/staging/settings.yml',
  'config/environments/production/settings.yml',
];
const KEYS = [
  'app.name',
  'app.host',
  'app.port',
  'app.debug',
  'features.newDashboard',
  // envward's own settings (use: [http, log, database]), after the project's keys.
  'http.bodyLimit',
  'http.trustProxy',
  'http.trustRequestId',
  'http.hsts',
  'http.cors.origins',
  'http.rateLimit.max',
  'http.rateLimit.timeWindowMs',
  'http.rateLimit.redisUrl',
  'http.rateLimit.redisKeyPrefix',
  'http.helmet',
  'log.level',
  'log.format',
  'log.console',
  'log.file',
  'log.dir',
  'log.colour',
  'database.url',
  'database.poolSize',
  'database.connectTimeoutMs',
  'database.statementTimeoutMs',
  'database.slowQueryMs',
  'database.fallback',
  'database.schema',
  'database.tablePrefix',
  'database.shareWith',
  'database.backups.keep',
  'database.backups.afterMigrate',
];
const STAGING = 'config/environments/staging/settings.yml';
const PRODUCTION = 'config/environments/production/settings.yml';

interface ShowRow {
  key: string;
  value: unknown;
  secret: boolean;
  source: string;
  layer: string | null;
}
interface Source {
  layer: string;
  file?: string;
  line?: number;
  column?: number;
  variable?: string;
}
interface Entry {
  key: string;
  value: unknown;
  source: Source;
}
interface Difference {
  key: string;
  kind: string;
  secret: boolean;
  a?: { value: unknown; source: string };
  b?: { value: unknown; source: string };
}
interface Issue {
  code: string;
  key: string;
  environment: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  source?: string;
}
interface Report {
  environment: string;
  valid: boolean;
  issues: Issue[];
}

describe('done when: a new user from init to a caught typo', () => {
  let dir = '';
  let cleanup = async () => {};
  const read = (file: string) => readFile(join(dir, file), 'utf8');

  before(async () => {
    ({ dir, cleanup } = await makeTempDir('envward-done-when-'));
  });
  after(() => cleanup());

  test('init --cwd D scaffolds a working project and says what it wrote', async () => {
    const result = await runCli(['init', '--cwd', dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, new RegExp(`^Created an envward project in ${escapeRegExp(resolve(dir))}:`));
    for (const file of [...SCAFFOLDED, '.gitignore']) {
      assert.ok(existsSync(join(dir, file)), `${file} exists`);
      assert.match(result.stdout, new RegExp(`^ {2}${escapeRegExp(file)}$`, 'm'));
    }
    const gitignore = await read('.gitignore');
    for (const line of ['.envward/keys/', 'var/']) assert.ok(gitignore.split('\n').includes(line));
    // No layer reads .env.local, so init does not suggest it.
    assert.ok(!gitignore.split('\n').includes('.env.local'));
  });

  test('init --json reports the root and every file written', async () => {
    const other = await makeTempDir('envward-done-when-json-');
    try {
      const result = await runCli(['init', '--cwd', other.dir, '--json']);
      assert.equal(result.code, 0, result.stderr);
      const json = parseJson(result.stdout);
      assert.equal(json.root, resolve(other.dir));
      assert.deepEqual(json.written, [...SCAFFOLDED, '.gitignore']);
      for (const file of SCAFFOLDED) assert.ok(existsSync(join(other.dir, file)), `${file} exists`);
    } finally {
      await other.cleanup();
    }
  });

  test('env --cwd D shows development, decided by default, and the host', async () => {
    const [human, json] = await Promise.all([runCli(['env', '--cwd', dir]), runCli(['env', '--cwd', dir, '--json'])]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^ DEV · DEVELOPMENT /);
    assert.match(human.stdout, /^ {2}environment {2}development \(DEV\)$/m);
    assert.match(human.stdout, /^ {2}tier {9}development$/m);
    assert.match(human.stdout, /^ {2}colour {7}green$/m);
    assert.match(human.stdout, /^ {2}decided by {3}default \(no signal set\)$/m);
    assert.match(human.stdout, new RegExp(`^ {2}host {9}${escapeRegExp(hostname())}$`, 'm'));

    assert.equal(json.code, 0, json.stderr);
    const data = parseJson(json.stdout);
    assert.equal(data.name, 'development');
    assert.equal(data.code, 'DEV');
    assert.equal(data.tier, 'development');
    assert.equal(data.colour, 'green');
    assert.equal(data.protected, false);
    assert.deepEqual(data.source, { kind: 'default', detail: 'no signal set' });
    assert.equal(data.hostname, hostname());
    assert.equal(data.project, resolve(dir));
    assert.equal(data.override, null);
  });

  test('config show --env staging (run inside D) lists every key with its value and file:line', async () => {
    const staging = await read(STAGING);
    const urlLine = lineOf(staging, 'url:');
    const base = await read('config/base.yml');
    const [human, json] = await Promise.all([
      runCli(['config', 'show', '--env', 'staging'], { cwd: dir }),
      runCli(['config', 'show', '--env', 'staging', '--json'], { cwd: dir }),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^staging \(STG, staging\)$/m);
    assert.match(
      human.stdout,
      new RegExp(`^ {2}database\\.url +sqlite:var/staging/app\\.db {2}<- ${escapeRegExp(STAGING)}:${urlLine}$`, 'm'),
    );
    assert.match(
      human.stdout,
      new RegExp(`^ {2}app\\.name +my-service {2}<- config/base\\.yml:${lineOf(base, 'name:')}$`, 'm'),
    );
    assert.match(human.stdout, /^ {2}app\.debug +false {2}<- schema-defaults$/m);

    assert.equal(json.code, 0, json.stderr);
    const data = parseJson(json.stdout);
    assert.equal(data.environment, 'staging');
    assert.deepEqual(data.detection, { kind: 'option', detail: '--env' });
    const rows = data.keys as ShowRow[];
    assert.deepEqual(
      rows.map((row) => row.key),
      KEYS,
    );
    assert.deepEqual(
      rows.find((row) => row.key === 'database.url'),
      {
        key: 'database.url',
        value: 'sqlite:var/staging/app.db',
        secret: false,
        source: `${STAGING}:${urlLine}`,
        layer: 'environment-file',
      },
    );
    assert.deepEqual(
      rows.find((row) => row.key === 'database.poolSize'),
      {
        key: 'database.poolSize',
        value: 10,
        secret: false,
        source: `${STAGING}:${lineOf(staging, 'poolSize:')}`,
        layer: 'environment-file',
      },
    );
    assert.deepEqual(
      rows.find((row) => row.key === 'app.debug'),
      { key: 'app.debug', value: false, secret: false, source: 'schema-defaults', layer: 'schema-defaults' },
    );
  });

  test('config explain log.level --env production names the layer, file:line and what it overrode', async () => {
    const production = await read(PRODUCTION);
    const base = await read('config/base.yml');
    const levelLine = lineOf(production, 'level:');
    const baseLine = lineOf(base, 'level:');
    const [human, json] = await Promise.all([
      runCli(['config', 'explain', 'log.level', '--env', 'production', '--cwd', dir]),
      runCli(['config', 'explain', 'log.level', '--env', 'production', '--cwd', dir, '--json']),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(
      human.stdout,
      [
        'log.level = warn',
        `  set by: environment-file at ${PRODUCTION}:${levelLine}`,
        '  overrode, in layer order:',
        '    tier-defaults (production tier default): info',
        `    base-file at config/base.yml:${baseLine}: info`,
        '',
      ].join('\n'),
    );

    assert.equal(json.code, 0, json.stderr);
    const data = parseJson(json.stdout);
    assert.equal(data.environment, 'production');
    assert.equal(data.key, 'log.level');
    assert.equal(data.secret, false);
    assert.equal(data.value, 'warn');
    const winner = data.winner as Entry;
    assert.equal(winner.value, 'warn');
    assert.equal(winner.source.layer, 'environment-file');
    assert.equal(winner.source.file, PRODUCTION);
    assert.equal(winner.source.line, levelLine);
    assert.equal(typeof winner.source.column, 'number');
    const overridden = data.overridden as Entry[];
    assert.deepEqual(
      overridden.map((entry) => [entry.source.layer, entry.source.file, entry.source.line, entry.value]),
      [
        ['tier-defaults', undefined, undefined, 'info'],
        ['base-file', 'config/base.yml', baseLine, 'info'],
      ],
    );
  });

  test('config explain database.url --env production: set by one file, nothing overridden', async () => {
    const production = await read(PRODUCTION);
    const urlLine = lineOf(production, 'url:');
    const [human, json] = await Promise.all([
      runCli(['config', 'explain', 'database.url', '--env', 'production', '--cwd', dir]),
      runCli(['config', 'explain', 'database.url', '--env', 'production', '--cwd', dir, '--json']),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(
      human.stdout,
      `database.url = sqlite:var/production/app.db\n  set by: environment-file at ${PRODUCTION}:${urlLine}\n`,
    );
    assert.equal(json.code, 0, json.stderr);
    const data = parseJson(json.stdout);
    assert.equal((data.winner as Entry).source.line, urlLine);
    assert.deepEqual(data.overridden, []);
  });

  test('config diff staging production shows each changed key with both sources', async () => {
    const staging = await read(STAGING);
    const production = await read(PRODUCTION);
    const base = await read('config/base.yml');
    const [human, json] = await Promise.all([
      runCli(['config', 'diff', 'staging', 'production', '--cwd', dir]),
      runCli(['config', 'diff', 'staging', 'production', '--cwd', dir, '--json']),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.ok(
      human.stdout.includes(
        [
          '  log.level: changed',
          `      staging: info (config/base.yml:${lineOf(base, 'level:')})`,
          `      production: warn (${PRODUCTION}:${lineOf(production, 'level:')})`,
        ].join('\n'),
      ),
      human.stdout,
    );
    assert.ok(
      human.stdout.includes(
        [
          '  features.newDashboard: changed',
          `      staging: true (${STAGING}:${lineOf(staging, 'newDashboard:')})`,
          '      production: false (schema-defaults)',
        ].join('\n'),
      ),
      human.stdout,
    );
    assert.doesNotMatch(human.stdout, /app\.name/);

    assert.equal(json.code, 0, json.stderr);
    const data = parseJson(json.stdout);
    assert.equal(data.a, 'staging');
    assert.equal(data.b, 'production');
    const differences = data.differences as Difference[];
    assert.deepEqual(differences.map((d) => [d.key, d.kind, d.secret]).sort(), [
      ['database.poolSize', 'changed', false],
      ['database.url', 'changed', false],
      ['features.newDashboard', 'changed', false],
      ['log.level', 'changed', false],
    ]);
    assert.deepEqual(
      differences.find((d) => d.key === 'database.url'),
      {
        key: 'database.url',
        kind: 'changed',
        secret: false,
        a: { value: 'sqlite:var/staging/app.db', source: `${STAGING}:${lineOf(staging, 'url:')}` },
        b: { value: 'sqlite:var/production/app.db', source: `${PRODUCTION}:${lineOf(production, 'url:')}` },
      },
    );
  });

  test('a typo in staging/settings.yml is reported by config validate --env staging with file:line, exit 1', async () => {
    // Valid before the typo: the failure below is the typo's doing.
    const clean = await runCli(['config', 'validate', '--env', 'staging', '--cwd', dir]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.equal(clean.stdout, 'ok  staging\n');

    const original = await read(STAGING);
    assert.match(original, /^ {2}poolSize: 10$/m);
    const typo = original.replace('poolSize:', 'poolSzie:');
    await writeFile(join(dir, STAGING), typo);
    const line = lineOf(typo, 'poolSzie:');
    const column = typo.split('\n')[line - 1]?.indexOf('poolSzie') ?? -1;

    const [human, json, all, show] = await Promise.all([
      runCli(['config', 'validate', '--env', 'staging'], { cwd: dir }),
      runCli(['config', 'validate', '--env', 'staging', '--json'], { cwd: dir }),
      runCli(['config', 'validate', '--all', '--json'], { cwd: dir }),
      runCli(['config', 'show', '--env', 'staging'], { cwd: dir }),
    ]);

    assert.equal(human.code, 1, human.stderr);
    assert.equal(
      human.stdout,
      `invalid  staging\n  - database.poolSzie [staging] at ${STAGING}:${line}:${column + 1}: the schema declares no such key; did you mean "database.poolSize"? (EW_CONFIG_UNKNOWN_KEY)\n`,
    );

    assert.equal(json.code, 1, json.stderr);
    const data = parseJson(json.stdout);
    assert.equal(data.valid, false);
    const reports = data.environments as Report[];
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.environment, 'staging');
    assert.equal(reports[0]?.valid, false);
    assert.deepEqual(reports[0]?.issues, [
      {
        code: 'EW_CONFIG_UNKNOWN_KEY',
        key: 'database.poolSzie',
        environment: 'staging',
        message: 'the schema declares no such key; did you mean "database.poolSize"?',
        file: STAGING,
        line,
        column: column + 1,
        source: 'environment-file',
      },
    ]);

    // --all: only staging is invalid.
    assert.equal(all.code, 1, all.stderr);
    const allReports = parseJson(all.stdout).environments as Report[];
    assert.deepEqual(
      allReports.map((r) => [r.environment, r.valid]),
      [
        ['development', true],
        ['test', true],
        ['staging', false],
        ['production', true],
      ],
    );

    // show refuses the invalid configuration, naming the same place.
    assert.equal(show.code, 1);
    assert.equal(show.stdout, '');
    assert.match(show.stderr, /^error\[EW_CONFIG_INVALID\]: /);
    assert.ok(show.stderr.includes(`${STAGING}:${line}`), show.stderr);
  });
});
