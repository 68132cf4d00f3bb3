import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MASK } from '../../src/index.ts';
import { closeLogger, createLogger, createScrubber, logSettings } from '../../src/observe/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { Capture, makeObserveProject, secretsFor } from '../support/observe-project.ts';

const project = makeObserveProject({ development: 'log:\n  colour: true\n' });
after(() => project.cleanup());

/** Logs each canary every way a secret usually reaches a log. */
function logEverywhere(logger: Awaited<ReturnType<typeof createLogger>>, apiKey: string, password: string): void {
  logger.info(`connecting with ${apiKey}`);
  logger.info(
    { request: { headers: { authorization: `Bearer ${apiKey}` } }, nested: [{ deep: { password } }] },
    'call',
  );
  logger.error(new Error(`login failed for password ${password}`));
  logger.error({ err: new Error(`gateway refused key ${apiKey}`) }, 'gateway error');
  logger.warn({ error: new TypeError(`bad ${password}`) }, 'under another key');
  logger.info({ unusualName: apiKey, list: [password] }, 'keys that look harmless');
  logger.child({ session: apiKey }).info('a child with the secret in its bindings');
}

test('createScrubber masks every value, the longer one first, and leaves other text alone', () => {
  const scrub = createScrubber(['s3cret-value', 's3cret-value-longer']);
  assert.equal(scrub('a s3cret-value-longer b s3cret-value c'), `a ${MASK} b ${MASK} c`);
  assert.equal(scrub('nothing here'), 'nothing here');
});

test('createScrubber masks a value as JSON escapes it, and in URLs', () => {
  const value = 'pa"ss\\word/é';
  const scrub = createScrubber([value]);
  const json = JSON.stringify({ value, nested: JSON.stringify({ value }) });
  assert.ok(!scrub(json).includes('pa\\"ss'), scrub(json));
  assert.equal(JSON.parse(scrub(json)).value, MASK);
  assert.equal(scrub(`?q=${encodeURIComponent(value)}`), `?q=${MASK}`);
});

test('createScrubber with no secrets, or only very short ones, returns the text as it is', () => {
  const text = 'abc 123 x';
  assert.equal(createScrubber([])(text), text);
  assert.equal(createScrubber(['abc', 'x', ''])(text), text);
});

test('JSON logs never carry a secret: messages, nested objects, errors, other keys, child bindings', async () => {
  const apiKey = makeCanary('apikey');
  const password = makeCanary('dbpassword');
  const resolved = await project.resolve('test', { variables: secretsFor(apiKey, password) });
  const out = new Capture();
  const logger = await createLogger(resolved, { destination: out });
  logger.level = 'info';
  logEverywhere(logger, apiKey, password);
  assertNoCanary(out.text, [apiKey, password], 'test JSON log');
  const lines = out.json();
  assert.equal(lines.length, 7);
  assert.equal(lines[0]?.msg, `connecting with ${MASK}`);
  const err = lines[2]?.err as { stack: string } | undefined;
  assert.match(String(err?.stack), /login failed for password ••••••/);
  const error = lines[4]?.error as { type: string } | undefined;
  assert.equal(error?.type, 'TypeError', 'errors under `error` are serialized too');
});

test('pretty, coloured development output never carries a secret', async () => {
  const apiKey = makeCanary('apikey');
  const password = makeCanary('dbpassword');
  const resolved = await project.resolve('development', { variables: secretsFor(apiKey, password) });
  const out = new Capture();
  const logger = await createLogger(resolved, { destination: out });
  logEverywhere(logger, apiKey, password);
  assert.ok(out.text.includes(`${String.fromCharCode(27)}[`), 'coloured');
  assert.match(out.text, /login failed for password/);
  assertNoCanary(out.text, [apiKey, password], 'development pretty log');
});

test('production log files never carry a secret', async () => {
  const apiKey = makeCanary('apikey');
  const password = makeCanary('dbpassword');
  const resolved = await project.resolve('production', { variables: secretsFor(apiKey, password) });
  const logger = await createLogger(resolved);
  logEverywhere(logger, apiKey, password);
  logger.fatal({ apiKey }, 'fatal, flushed at once');
  await closeLogger(logger);
  const { dir } = logSettings(resolved);
  const text = readdirSync(dir)
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('');
  assert.equal(text.trim().split('\n').length, 8);
  assertNoCanary(text, [apiKey, password], 'production log file');
});

test('a password in a URL value (not a secret() key) is scrubbed from every log line by value', async () => {
  const urlPassword = makeCanary('urlpassword');
  const resolved = await project.resolve('test', {
    variables: { ...secretsFor(makeCanary('apikey')), DATABASE_URL: `postgres://app:${urlPassword}@db/app` },
  });
  const out = new Capture();
  const logger = await createLogger(resolved, { destination: out });
  logger.level = 'info';
  logger.error(new Error(`could not connect to postgres://app:${urlPassword}@db/app`));
  logger.info({ dsn: `postgres://app:${urlPassword}@db/app` }, 'pool');
  assertNoCanary(out.text, [urlPassword], 'test JSON log');
  assert.equal(out.json()[1]?.dsn, `postgres://app:${MASK}@db/app`);
});
