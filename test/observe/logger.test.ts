import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { closeLogger, createLogger, logSettings } from '../../src/observe/index.ts';
import { LOG_TIER_DEFAULTS } from '../../src/observe/log-settings-schema.ts';
import { Capture, makeObserveProject, secretsFor } from '../support/observe-project.ts';

const project = makeObserveProject({
  qa: 'log:\n  console: true\n  dir: logs/qa-custom\n',
  staging: 'log:\n  level: loud\n',
});
after(() => project.cleanup());

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);

test('development logs pretty text at debug to the console and writes no file', async () => {
  const resolved = await project.resolve('development');
  assert.deepEqual(
    { ...logSettings(resolved), dir: undefined },
    { level: 'debug', format: 'pretty', console: true, file: false, dir: undefined, colour: undefined },
  );
  const out = new Capture();
  const logger = await createLogger(resolved, { destination: out });
  logger.debug({ account: 'A-1' }, 'transfer planned');
  logger.trace('too fine for development');
  assert.match(out.text, /DEBUG.*\[development\] transfer planned/);
  assert.match(out.text, /account: "A-1"/);
  assert.doesNotMatch(out.text, /too fine/);
  assert.doesNotMatch(out.text, /^\{/m, 'pretty text, not JSON');
  assert.doesNotMatch(out.text, ANSI, 'no colour on a destination that is not a TTY');
  await closeLogger(logger);
});

test('development pretty output is coloured when log.colour is set', async () => {
  const resolved = await project.resolve('development', { set: { 'log.colour': 'true' } });
  const out = new Capture();
  const logger = await createLogger(resolved, { destination: out });
  logger.info('in colour');
  assert.match(out.text, ANSI);
  assert.match(out.text, /in colour/);
});

test('test logs JSON at warn, each line carrying env', async () => {
  const resolved = await project.resolve('test');
  assert.equal(logSettings(resolved).level, 'warn');
  const out = new Capture();
  const logger = await createLogger(resolved, { destination: out, name: 'ledger' });
  logger.info('quiet in tests');
  logger.warn({ attempt: 2 }, 'retrying');
  const lines = out.json();
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.msg, 'retrying');
  assert.equal(lines[0]?.env, 'test');
  assert.equal(lines[0]?.name, 'ledger');
  assert.equal(lines[0]?.attempt, 2);
  const child = logger.child({ requestId: 'r-1' });
  child.error('from a child');
  assert.equal(out.json()[1]?.env, 'test');
  assert.equal(out.json()[1]?.requestId, 'r-1');
});

test('production writes JSON at info into var/production/logs/, one dated file a day, console off', async () => {
  const resolved = await project.resolve('production', { variables: secretsFor('sk-live-not-a-canary-0001') });
  const settings = logSettings(resolved);
  assert.deepEqual(
    { level: settings.level, format: settings.format, console: settings.console, file: settings.file },
    { level: 'info', format: 'json', console: false, file: true },
  );
  assert.equal(settings.dir, join(project.dir, 'var', 'production', 'logs'));
  const logger = await createLogger(resolved);
  logger.debug('not at info');
  logger.info({ id: 7 }, 'booked');
  await closeLogger(logger);
  const files = readdirSync(settings.dir);
  const today = new Date();
  const date = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  assert.deepEqual(files, [`production.${date}.1.log`]);
  const lines = readFileSync(join(settings.dir, files[0] as string), 'utf8')
    .trim()
    .split('\n');
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
  assert.equal(line.msg, 'booked');
  assert.equal(line.env, 'production');
  assert.equal(line.level, 30);
});

test('a staging-tier environment writes to log.dir and also to the console when log.console is true', async () => {
  const resolved = await project.resolve('qa', { variables: secretsFor('sk-qa-not-a-canary-00002') });
  const settings = logSettings(resolved);
  assert.equal(settings.dir, join(project.dir, 'logs', 'qa-custom'));
  assert.equal(settings.console, true);
  const out = new Capture();
  const logger = await createLogger(resolved, { destination: out });
  logger.info('both places');
  await closeLogger(logger);
  assert.equal(out.json()[0]?.msg, 'both places');
  const [file] = readdirSync(settings.dir);
  assert.match(readFileSync(join(settings.dir, file as string), 'utf8'), /"msg":"both places"/);
});

test('an unknown log level fails validation at its file and line, before any logger is made', async () => {
  await assert.rejects(
    project.resolve('staging', { variables: secretsFor('sk-stg-not-a-canary-0003') }),
    (error: Error & { code?: string; issues?: { key: string; file?: string; line?: number }[] }) => {
      assert.equal(error.code, 'EW_CONFIG_INVALID');
      assert.deepEqual(
        error.issues?.map(({ key, file, line }) => ({ key, file, line })),
        [{ key: 'log.level', file: 'config/environments/staging/settings.yml', line: 2 }],
      );
      return true;
    },
  );
});

test('every tier has logging defaults, and only development logs pretty text', () => {
  assert.deepEqual(Object.keys(LOG_TIER_DEFAULTS), ['development', 'test', 'staging', 'production']);
  const pretty = Object.entries(LOG_TIER_DEFAULTS).filter(([, defaults]) => defaults.format === 'pretty');
  assert.deepEqual(
    pretty.map(([tier]) => tier),
    ['development'],
  );
});
