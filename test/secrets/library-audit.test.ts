/**
 * The library does what the CLI does (issue 13, part 3): revealing a
 * production secret, rotating its key and overriding the host check through
 * the API write the same audit event as `envward secrets get --reveal`,
 * `secrets rotate-key` and `env --force` (compared row by row, minus the
 * sequence number, time and chain hashes), on SQLite and PostgreSQL. A
 * protected environment refuses a reveal it cannot audit (no stamp, a server
 * not reachable, the store's peers not installed) with EW_REVEAL_UNAUDITED,
 * and the value is in no part of the refusal. list, set, rm and keygen audit
 * nothing, as the CLI does not, and refuse as it does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkHost } from '../../src/acts/host-check.ts';
import { EnvwardError } from '../../src/errors.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { keygen, listSecrets, removeSecret, rotateKey, setSecret } from '../../src/secrets/manage.ts';
import { revealSecret } from '../../src/secrets/reveal.ts';
import { openStore } from '../../src/store/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import {
  cleanCliEnv,
  cliExpect,
  setSecret as cliSetSecret,
  copySecretsProject,
  json,
  keygenAll,
  makeSecretsProject,
  type SecretsProject,
  secretFiles,
  secretsConfigSource,
} from '../support/secrets-project.ts';
import { TSX_IMPORT } from '../support/tsx.ts';

const ENV = 'production';
const RESTRICTED = "qa: { tier: 'staging' }, production: { hosts: ['app-*.prod.example.invalid'] },";
const REASON = 'INC-4711: payment provider support call';

/** An audit row without what differs between any two events (number, time, chain). */
function eventOf(row: Record<string, unknown>): Record<string, unknown> {
  const { seq: _seq, at: _at, prev_hash: _prev, hash: _hash, ...event } = row;
  return event;
}

/** The environment's audit events of `action`, oldest first, read through the store's own API. */
async function auditEvents(dir: string, action?: string): Promise<Record<string, unknown>[]> {
  const resolved = await resolveConfig<unknown>({
    cwd: dir,
    env: ENV,
    variables: cleanCliEnv(),
    checkHost: false,
    // The log is read even when a test has left a secret unset.
    collectIssues: true,
  });
  const store = await openStore(resolved, { stampMode: 'read' });
  try {
    return (await store.audit.list(action ? { action } : {})).map((row) =>
      eventOf(row as unknown as Record<string, unknown>),
    );
  } finally {
    await store.close();
  }
}

/** The value of payments.apiKey in every production project here. */
const API_KEY = makeCanary('prodapi');

/** A production project with two secrets, its store at `databaseUrl` (default SQLite), stamped unless told. */
async function productionProject(options: { databaseUrl?: string; stamp?: boolean } = {}): Promise<SecretsProject> {
  const p = makeSecretsProject({
    ...(options.databaseUrl
      ? { files: { [`config/environments/${ENV}/settings.yml`]: `database:\n  url: ${options.databaseUrl}\n` } }
      : {}),
  });
  await keygenAll(p.dir, [ENV]);
  await cliSetSecret(p.dir, ENV, 'database.password', makeCanary('dbpassword'));
  await cliSetSecret(p.dir, ENV, 'payments.apiKey', API_KEY);
  if (options.stamp !== false) await cliExpect(p.dir, ['db', 'stamp', '--env', ENV], 0);
  return p;
}

const STORES = [
  { name: 'SQLite', database: async (): Promise<TestDatabase | undefined> => undefined },
  { name: 'PostgreSQL', database: (): Promise<TestDatabase | undefined> => createTestDatabase('library_audit') },
] as const;

for (const kind of STORES) {
  describe(`the API audits as the CLI does (${kind.name})`, () => {
    let p: SecretsProject;
    let database: TestDatabase | undefined;
    before(async () => {
      database = await kind.database();
      p = await productionProject(database ? { databaseUrl: database.url } : {});
    });
    after(async () => {
      p.cleanup();
      await database?.drop();
    });

    test('revealSecret writes the event `secrets get --reveal --reason` writes, and returns the value', async () => {
      const cli = await cliExpect(
        p.dir,
        ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', ENV, '--reason', REASON, '--json'],
        0,
      );
      const reveal = await revealSecret({
        cwd: p.dir,
        env: ENV,
        key: 'payments.apiKey',
        reason: REASON,
        variables: cleanCliEnv(),
      });
      assert.equal(reveal.value, API_KEY);
      assert.equal(json(cli).value, API_KEY);
      assert.equal(reveal.audited, true);
      const events = await auditEvents(p.dir, 'secrets.reveal');
      assert.equal(events.length, 2, JSON.stringify(events));
      assert.deepEqual(events[1], events[0]);
      assert.deepEqual(events[0], {
        environment: ENV,
        actor: events[0]?.actor,
        host: hostname(),
        action: 'secrets.reveal',
        target: 'payments.apiKey',
        reason: REASON,
        outcome: 'done',
      });
      assert.ok(typeof events[0]?.actor === 'string' && events[0].actor !== '', 'an actor is recorded');
      assertNoCanary(JSON.stringify(events), [API_KEY], 'the audit events');
    });

    test('rotateKey writes the event `secrets rotate-key` writes', async () => {
      const cli = json(await cliExpect(p.dir, ['secrets', 'rotate-key', '--env', ENV, '--json'], 0));
      const rotated = await rotateKey({ cwd: p.dir, env: ENV, variables: cleanCliEnv() });
      assert.equal(rotated.audited, true);
      assert.deepEqual(rotated.warnings, []);
      const events = await auditEvents(p.dir, 'secrets.rotate-key');
      assert.deepEqual(
        events.map((event) => event.target),
        [`${cli.retired} -> ${cli.publicKey}`, `${rotated.retired} -> ${rotated.publicKey}`],
      );
      assert.deepEqual({ ...events[1], target: '' }, { ...events[0], target: '' });
      assert.equal(events[0]?.outcome, 'done');
      // The rotated secrets still open with the new key, through the library.
      const reveal = await revealSecret({ cwd: p.dir, env: ENV, key: 'payments.apiKey', variables: cleanCliEnv() });
      assert.equal(reveal.audited, true);
    });

    test('checkHost with force writes the guard.override event `env --force --reason` writes', async () => {
      // From now on production runs only on app-*.prod.example.invalid: this host is refused without force.
      p.write('envward.config.ts', secretsConfigSource({ environments: RESTRICTED }));
      await assert.rejects(checkHost({ cwd: p.dir, env: ENV, variables: cleanCliEnv() }), { code: 'EW_HOST_MISMATCH' });
      await cliExpect(p.dir, ['env', '--env', ENV, '--force', '--reason', REASON], 0);
      const checked = await checkHost({ cwd: p.dir, env: ENV, variables: cleanCliEnv(), force: { reason: REASON } });
      assert.equal(checked.override?.guard, 'EW_HOST_MISMATCH');
      assert.equal(checked.audited, true);
      const events = await auditEvents(p.dir, 'guard.override');
      assert.equal(events.length, 2, JSON.stringify(events));
      assert.deepEqual(events[1], events[0]);
      assert.deepEqual(
        [events[0]?.target, events[0]?.reason, events[0]?.outcome],
        [`EW_HOST_MISMATCH ${hostname()}`, REASON, 'allowed'],
      );
    });
  });
}

/** The refusal of a reveal that cannot be audited, with the value in none of its parts. */
function isRefusedUnaudited(error: unknown): boolean {
  assert.ok(error instanceof EnvwardError, String(error));
  assert.equal(error.code, 'EW_REVEAL_UNAUDITED');
  assert.equal(error.kind, 'refused');
  const parts = JSON.stringify({ message: error.message, hint: error.hint, details: error.details });
  assertNoCanary(parts, [API_KEY], 'the refusal');
  return true;
}

describe('a protected environment refuses a reveal it cannot audit', { concurrency: true }, () => {
  let template: SecretsProject;
  const copies: SecretsProject[] = [];
  const copy = (files: Record<string, string> = {}) => {
    const q = copySecretsProject(template);
    for (const [file, text] of Object.entries(files)) q.write(file, text);
    copies.push(q);
    return q;
  };
  before(async () => {
    template = await productionProject({ stamp: false });
  });
  after(() => {
    for (const q of copies) q.cleanup();
    template.cleanup();
  });

  test('its database not stamped: EW_REVEAL_UNAUDITED, no database made', async () => {
    const q = copy();
    await assert.rejects(
      revealSecret({ cwd: q.dir, env: ENV, key: 'payments.apiKey', variables: cleanCliEnv() }),
      isRefusedUnaudited,
    );
    assert.equal(q.exists('var/app.db'), false, 'the reveal made no database');
  });

  test('its server not reachable: EW_REVEAL_UNAUDITED', async () => {
    const q = copy({
      [`config/environments/${ENV}/settings.yml`]: 'database:\n  url: postgres://postgres@127.0.0.1:1/none\n',
    });
    await assert.rejects(
      revealSecret({ cwd: q.dir, env: ENV, key: 'payments.apiKey', variables: cleanCliEnv() }),
      isRefusedUnaudited,
    );
  });

  test("the store's peers not installed (kysely cannot be found): EW_REVEAL_UNAUDITED, no value printed", async () => {
    const q = copy();
    await cliExpect(q.dir, ['db', 'stamp', '--env', ENV], 0);
    const result = withoutPeer(q.dir, 'kysely');
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { code?: string; value?: string; message?: string };
    assert.equal(report.code, 'EW_REVEAL_UNAUDITED', result.stdout);
    assert.equal(report.value, undefined);
    assert.match(String(report.message), /kysely/);
    assertNoCanary(result.stdout + result.stderr, [API_KEY], 'the child');
  });

  test('development reveals unaudited, with a warning (as the CLI does)', async () => {
    const q = copy();
    await keygenAll(q.dir, ['development']);
    const devValue = makeCanary('devapi');
    await cliSetSecret(q.dir, 'development', 'payments.apiKey', devValue);
    const reveal = await revealSecret({
      cwd: q.dir,
      env: 'development',
      key: 'payments.apiKey',
      variables: cleanCliEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
    });
    assert.equal(reveal.value, devValue);
    assert.equal(reveal.audited, false);
    assert.match(reveal.warnings.join('\n'), /secrets\.reveal on development is not audited/);
  });
});

/**
 * Runs revealSecret in a child whose module resolution cannot find `peer`,
 * as in a project that did not install it (a resolve hook answers
 * ERR_MODULE_NOT_FOUND, as Node does). Prints the refusal's code and message, or the value.
 */
function withoutPeer(dir: string, peer: string) {
  const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === ${JSON.stringify(peer)}) {
    const error = new Error("Cannot find package '${peer}' imported from " + context.parentURL);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`;
  const register = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const reveal = pathToFileURL(new URL('../../src/secrets/reveal.ts', import.meta.url).pathname).href;
  const script = `const { revealSecret } = await import(${JSON.stringify(reveal)});
try {
  const { value } = await revealSecret({ cwd: ${JSON.stringify(dir)}, env: 'production', key: 'payments.apiKey' });
  process.stdout.write(JSON.stringify({ value }));
} catch (error) {
  process.stdout.write(JSON.stringify({ code: error.code, message: error.message }));
}`;
  return spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(register)}`,
      ...TSX_IMPORT,
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: fileURLToPath(new URL('../../', import.meta.url)), env: cleanCliEnv(), encoding: 'utf8' },
  );
}

describe('list, set, rm and keygen through the API: the CLI refusals, nothing audited', () => {
  let p: SecretsProject;
  before(async () => {
    p = await productionProject();
  });
  after(() => p.cleanup());

  test('set refuses a key that is not secret() before asking for the value; list shows names, never values', async () => {
    let asked = false;
    await assert.rejects(
      setSecret({
        cwd: p.dir,
        env: ENV,
        key: 'app.name',
        value: async () => {
          asked = true;
          return 'x';
        },
      }),
      { code: 'EW_SECRET_NAME' },
    );
    assert.equal(asked, false, 'the value was not asked for');
    const apiKey = makeCanary('newapi');
    const set = await setSecret({
      cwd: p.dir,
      env: ENV,
      key: 'payments.apiKey',
      value: apiKey,
      variables: cleanCliEnv(),
    });
    assert.equal(set.changed, true);
    const listing = await listSecrets({ cwd: p.dir, env: ENV });
    assert.deepEqual(
      listing.secrets.map((row) => row.key),
      ['database.password', 'payments.apiKey'],
    );
    assert.equal(listing.secrets.find((row) => row.key === 'payments.apiKey')?.changes, 1);
    assertNoCanary(JSON.stringify(listing), [apiKey], 'the listing');
    await removeSecret({ cwd: p.dir, env: ENV, key: 'payments.apiKey' });
    await assert.rejects(removeSecret({ cwd: p.dir, env: ENV, key: 'payments.apiKey' }), { code: 'EW_SECRET_NAME' });
    await assert.rejects(keygen({ cwd: p.dir, env: ENV }), { code: 'EW_SECRET_KEY_EXISTS' });
    assert.equal(p.exists(secretFiles(ENV).pub), true);
    const audited = await auditEvents(p.dir);
    assert.deepEqual(
      audited.map((event) => event.action),
      ['db.stamp'],
      'only the stamp is in the log',
    );
  });
});
