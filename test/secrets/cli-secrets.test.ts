/**
 * The `envward secrets` commands as a user runs them: keygen (key files,
 * modes, .gitignore, refusals), set (stdin only), get (--reveal and the key),
 * list (never values) and rm, with their exit codes.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importPrivateKey, publicKeyOf } from '../../src/secrets/key-format.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import {
  cli,
  cliExpect,
  copySecretsProject,
  describeRun,
  json,
  keygenAll,
  makeSecretsProject,
  privateKeyIn,
  type SecretsProject,
  secretFiles,
  setSecret,
} from '../support/secrets-project.ts';

const OK = 0;
const PROBLEM = 1;
const USAGE = 2;
const REFUSED = 3;

/** Every file of the project (not .git) with its bytes. */
function snapshot(p: SecretsProject): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(p.dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const name = relative(p.dir, path);
    if (name === '.git' || name.startsWith(`.git/`) || !entry.isFile()) continue;
    files.set(name, p.read(name));
  }
  return new Map([...files].sort());
}

function firstKeyLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !line.startsWith('#')) ?? ''
  );
}

describe('secrets keygen', { concurrency: true }, () => {
  const projects: SecretsProject[] = [];
  const fresh = (options: Parameters<typeof makeSecretsProject>[0] = {}) => {
    const p = makeSecretsProject(options);
    projects.push(p);
    return p;
  };
  after(() => {
    for (const p of projects) p.cleanup();
  });

  test('writes secrets.pub and .envward/keys/E.key (0600), and makes git ignore the key directory', async () => {
    const p = fresh();
    assert.equal(p.exists('.gitignore'), false);
    const files = secretFiles('production');
    const result = await cliExpect(p.dir, ['secrets', 'keygen', '--env', 'production', '--json'], OK);
    const report = json(result);
    assert.equal(report.privateKey, undefined, 'the private key is not printed');
    assert.ok(!result.stdout.includes('ewkey1_'));
    assert.deepEqual([...(report.files as string[])].sort(), [files.key, files.pub].sort());
    const pub = firstKeyLine(p.read(files.pub));
    assert.match(pub, /^ewpub1_[A-Za-z0-9_-]{43}$/);
    assert.equal(report.publicKey, pub);
    const key = importPrivateKey(privateKeyIn(p.read(files.key)));
    assert.ok(key);
    assert.equal(publicKeyOf(key), pub, 'the key file holds the private half of secrets.pub');
    assert.equal(p.mode(files.key), 0o600);
    assert.equal(statSync(p.path('.envward/keys')).mode & 0o077, 0, 'the key directory is private too');
    assert.equal(p.read('.gitignore'), '.envward/keys/\n');
    p.git('check-ignore', '-q', files.key); // throws when not ignored
    assert.equal(p.git('status', '--porcelain', '--untracked-files=all').includes('.envward'), false);
    assert.ok(p.exists('config/secrets.salt'), 'the fingerprint salt is made with the first key pair');
  });

  test('appends to an existing .gitignore, and leaves one that already ignores the keys alone', async () => {
    const p = fresh({ files: { '.gitignore': 'node_modules' } });
    await cliExpect(p.dir, ['secrets', 'keygen', '--env', 'staging'], OK);
    assert.equal(p.read('.gitignore'), 'node_modules\n.envward/keys/\n');
    await cliExpect(p.dir, ['secrets', 'keygen', '--env', 'production'], OK);
    assert.equal(p.read('.gitignore'), 'node_modules\n.envward/keys/\n', 'not added twice');
    const q = fresh({ files: { '.gitignore': '.envward/\n' } });
    await cliExpect(q.dir, ['secrets', 'keygen', '--env', 'staging'], OK);
    assert.equal(q.read('.gitignore'), '.envward/\n');
  });

  test('outside a git repository no .gitignore is written', async () => {
    const p = fresh({ git: false });
    await cliExpect(p.dir, ['secrets', 'keygen', '--env', 'staging'], OK);
    assert.equal(p.exists('.gitignore'), false);
    assert.equal(p.mode(secretFiles('staging').key), 0o600);
  });

  test('twice is EW_SECRET_KEY_EXISTS, exit 3, nothing changed', async () => {
    const p = fresh();
    await cliExpect(p.dir, ['secrets', 'keygen', '--env', 'staging'], OK);
    const before = snapshot(p);
    for (const args of [
      ['secrets', 'keygen', '--env', 'staging'],
      ['secrets', 'keygen', '--env', 'staging', '--print'],
      ['secrets', 'keygen', '--env', 'staging', '--json'],
    ]) {
      const result = await cli(p.dir, args);
      assert.equal(result.code, REFUSED, describeRun(args, result));
      if (args.includes('--json')) assert.equal((json(result).error as { code: string }).code, 'EW_SECRET_KEY_EXISTS');
      else assert.match(result.stderr, /^error\[EW_SECRET_KEY_EXISTS\]: .*\nhint: .*rotate-key/m);
      assert.ok(!result.stdout.includes('ewkey1_'));
    }
    assert.deepEqual(snapshot(p), before);
    // Only the private key left (secrets.pub deleted): still refused, the key would be orphaned.
    p.remove(secretFiles('staging').pub);
    const orphan = await cli(p.dir, ['secrets', 'keygen', '--env', 'staging']);
    assert.equal(orphan.code, REFUSED, describeRun(['keygen'], orphan));
  });

  test('--print prints only the key on stdout and writes no key file', async () => {
    const p = fresh();
    const result = await cliExpect(p.dir, ['secrets', 'keygen', '--env', 'production', '--print'], OK);
    assert.match(result.stdout, /^ewkey1_[A-Za-z0-9_-]{43}\n$/, 'stdout is the key and nothing else');
    assert.match(result.stderr, /ENVWARD_KEY_PRODUCTION/, 'stderr says where to put it');
    assert.ok(!result.stderr.includes('ewkey1_'));
    assert.equal(p.exists(secretFiles('production').key), false);
    assert.equal(p.exists('.envward'), false, 'no key directory either');
    const key = importPrivateKey(result.stdout.trim());
    assert.ok(key);
    assert.equal(publicKeyOf(key), firstKeyLine(p.read(secretFiles('production').pub)));
  });

  test('refused (EW_SECRET_KEYS_TRACKED, exit 3) when git tracks a file in .envward/keys', async () => {
    const p = fresh();
    p.write('.envward/keys/old.key', '# an old key someone committed\n');
    p.git('add', '-f', '.envward/keys/old.key');
    const before = snapshot(p);
    const result = await cli(p.dir, ['secrets', 'keygen', '--env', 'staging']);
    assert.equal(result.code, REFUSED, describeRun(['keygen'], result));
    assert.match(result.stderr, /error\[EW_SECRET_KEYS_TRACKED\].*\.envward\/keys\/old\.key/);
    assert.deepEqual(snapshot(p), before, 'no key, no public key, no .gitignore change');
  });

  test('a bad environment name is a usage error and writes nothing', async () => {
    const p = fresh();
    const before = snapshot(p);
    for (const env of ['../production', 'Production', 'nope']) {
      const result = await cli(p.dir, ['secrets', 'keygen', '--env', env]);
      assert.equal(result.code, USAGE, describeRun(['keygen', env], result));
    }
    assert.deepEqual(snapshot(p), before);
  });
});

/**
 * A production reveal is shown only when audited in a database stamped for
 * production (EW_REVEAL_UNAUDITED otherwise): its configuration must resolve
 * (database.password set) and its database be stamped.
 */
async function stampProduction(dir: string, setPassword = true): Promise<void> {
  if (setPassword) await setSecret(dir, 'production', 'database.password', makeCanary('dbpassword'));
  await cliExpect(dir, ['db', 'stamp', '--env', 'production'], OK);
}

describe('secrets set, get, list, rm', { concurrency: true }, () => {
  let template: SecretsProject;
  const copies: SecretsProject[] = [];
  const copy = () => {
    const q = copySecretsProject(template);
    copies.push(q);
    return q;
  };
  const devValue = makeCanary('devapi');
  const prodValue = makeCanary('prodapi');

  before(async () => {
    template = makeSecretsProject();
    await keygenAll(template.dir, ['development', 'production']);
    await Promise.all([
      setSecret(template.dir, 'development', 'payments.apiKey', devValue),
      setSecret(template.dir, 'production', 'payments.apiKey', prodValue),
    ]);
  });
  after(() => {
    for (const q of copies) q.cleanup();
    template.cleanup();
  });

  test('set reads the value from stdin and stores it encrypted; one trailing newline is dropped', async () => {
    const q = copy();
    const value = makeCanary('stdin');
    const result = await cliExpect(q.dir, ['secrets', 'set', 'database.password', '--env', 'production'], OK, {
      input: `${value}\n`,
    });
    assertNoCanary(result.stdout + result.stderr, [value], 'set output');
    assert.match(result.stdout, /set database\.password in production/);
    assertNoCanary(q.read(secretFiles('production').secrets), [value], 'secrets.yml');
    await stampProduction(q.dir, false);
    const got = await cliExpect(q.dir, ['secrets', 'get', 'database.password', '--reveal', '--env', 'production'], OK);
    assert.equal(got.stdout, `${value}\n`);
    // Inner newlines and a CRLF ending.
    const multi = `${makeCanary('line1')}\n${makeCanary('line2')}`;
    await cliExpect(q.dir, ['secrets', 'set', 'database.password', '--env', 'development'], OK, {
      input: `${multi}\r\n`,
    });
    const back = await cliExpect(
      q.dir,
      ['secrets', 'get', 'database.password', '--reveal', '--env', 'development', '--json'],
      OK,
    );
    assert.equal(json(back).value, multi);
  });

  test('set never takes the value from an argument', async () => {
    const q = copy();
    const before = snapshot(q);
    const value = makeCanary('argv');
    const result = await cli(q.dir, ['secrets', 'set', 'payments.apiKey', value, '--env', 'production'], {
      input: makeCanary('stdin'),
    });
    assert.equal(result.code, USAGE, describeRun(['secrets', 'set'], result));
    assertNoCanary(result.stdout + result.stderr, [value], 'the refused argument is not echoed');
    assert.deepEqual(snapshot(q), before);
  });

  test('empty stdin is EW_SECRET_INPUT, exit 2, nothing written', async () => {
    const q = copy();
    const before = snapshot(q);
    for (const input of ['', '\n']) {
      const result = await cli(q.dir, ['secrets', 'set', 'payments.apiKey', '--env', 'development'], { input });
      assert.equal(result.code, USAGE, describeRun(['secrets', 'set'], result));
      assert.match(result.stderr, /error\[EW_SECRET_INPUT\]/);
    }
    assert.deepEqual(snapshot(q), before);
  });

  test('a key that is not a secret() key, or unknown, is EW_SECRET_NAME (exit 2); nothing written', async () => {
    const q = copy();
    const before = snapshot(q);
    for (const key of ['app.name', 'database.url', 'payments.nope', 'payments']) {
      const result = await cli(q.dir, ['secrets', 'set', key, '--env', 'development'], { input: makeCanary() });
      assert.equal(result.code, USAGE, describeRun(['secrets', 'set', key], result));
      assert.match(result.stderr, /error\[EW_SECRET_NAME\]/, key);
    }
    assert.deepEqual(snapshot(q), before);
  });

  test('set for an environment without a key pair is EW_SECRET_NO_KEY_PAIR (exit 2)', async () => {
    const q = copy();
    const result = await cli(q.dir, ['secrets', 'set', 'payments.apiKey', '--env', 'staging'], { input: makeCanary() });
    assert.equal(result.code, USAGE, describeRun(['secrets', 'set'], result));
    assert.match(result.stderr, /error\[EW_SECRET_NO_KEY_PAIR\][^\n]*\nhint: .*keygen --env staging/);
    assert.equal(q.exists(secretFiles('staging').secrets), false);
  });

  test('a weak value in production is EW_SECRET_WEAK, exit 1, nothing written', async () => {
    const q = copy();
    const before = snapshot(q);
    for (const weak of ['hunter2', 'Password123Password123', 'abababababababababababab']) {
      const result = await cli(q.dir, ['secrets', 'set', 'payments.apiKey', '--env', 'production'], { input: weak });
      assert.equal(result.code, PROBLEM, describeRun(['secrets', 'set', weak], result));
      assert.match(result.stderr, /error\[EW_SECRET_WEAK\]/);
      assert.ok(!result.stderr.includes(weak) && !result.stdout.includes(weak), 'the weak value is not echoed');
    }
    assert.deepEqual(snapshot(q), before);
    // The development tier has no strength rule: the same value is accepted there.
    const dev = await cliExpect(q.dir, ['secrets', 'set', 'payments.apiKey', '--env', 'development'], OK, {
      input: 'hunter2',
    });
    assert.ok(!dev.stderr.includes('hunter2') && !dev.stdout.includes('hunter2'));
  });

  test('set with the value already stored writes nothing', async () => {
    const q = copy();
    const file = q.path(secretFiles('production').secrets);
    const before = statSync(file);
    const bytes = q.read(secretFiles('production').secrets);
    const result = await cliExpect(q.dir, ['secrets', 'set', 'payments.apiKey', '--env', 'production', '--json'], OK, {
      input: prodValue,
    });
    assert.equal(json(result).changed, false);
    assert.equal(q.read(secretFiles('production').secrets), bytes);
    assert.equal(statSync(file).mtimeMs, before.mtimeMs);
  });

  test('get: exit 2 without --reveal, the value with it and the key, exit 3 without the key', async () => {
    const q = copy();
    await stampProduction(q.dir);
    const args = ['secrets', 'get', 'payments.apiKey', '--env', 'production'];
    const [masked, shown, asJson] = await Promise.all([
      cli(q.dir, args),
      cli(q.dir, [...args, '--reveal']),
      cli(q.dir, [...args, '--reveal', '--json']),
    ]);
    assert.equal(masked.code, USAGE, describeRun(args, masked));
    assert.match(masked.stderr, /--reveal/);
    assertNoCanary(masked.stdout + masked.stderr, [prodValue, devValue], 'get without --reveal');
    assert.equal(shown.code, OK, describeRun(args, shown));
    assert.equal(shown.stdout, `${prodValue}\n`);
    assertNoCanary(shown.stderr, [prodValue], 'get --reveal stderr');
    assert.deepEqual(json(asJson), { environment: 'production', key: 'payments.apiKey', value: prodValue });

    q.remove(secretFiles('production').key);
    q.remove(secretFiles('development').key);
    for (const env of ['production', 'development']) {
      const missing = await cli(q.dir, ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', env]);
      assert.equal(missing.code, REFUSED, describeRun(['get', env], missing));
      assert.match(missing.stderr, new RegExp(`error\\[EW_SECRET_KEY_MISSING\\].*ENVWARD_KEY_${env.toUpperCase()}`));
      assertNoCanary(missing.stdout + missing.stderr, [prodValue, devValue], `get without key (${env})`);
    }
    // database.password is stored in q (for the stamp); a fresh copy has none.
    const unknown = await cli(copy().dir, ['secrets', 'get', 'database.password', '--reveal', '--env', 'production']);
    assert.equal(unknown.code, USAGE, describeRun(['get', 'database.password'], unknown));
    assert.match(unknown.stderr, /error\[EW_SECRET_NAME\]/);
  });

  test('list shows names and dates (and changes), never values', async () => {
    const q = copy();
    const second = makeCanary('second');
    await setSecret(q.dir, 'production', 'payments.apiKey', second);
    const [human, machine] = await Promise.all([
      cliExpect(q.dir, ['secrets', 'list', '--env', 'production'], OK),
      cliExpect(q.dir, ['secrets', 'list', '--env', 'production', '--json'], OK),
    ]);
    for (const result of [human, machine]) {
      assertNoCanary(result.stdout + result.stderr, [prodValue, devValue, second], 'secrets list');
      assert.ok(!result.stdout.includes('ew1:'), 'no ciphertext either');
    }
    assert.match(human.stdout, /payments\.apiKey\s+set \d{4}-\d\d-\d\dT[\d:.]+Z, value changed 1 time\(s\) before/);
    assert.match(human.stdout, /not set: database\.password/);
    const report = json(machine);
    const rows = report.secrets as { key: string; updated: string; changes: number; history: string[] }[];
    assert.deepEqual(
      rows.map((row) => [row.key, row.changes, row.history.length]),
      [['payments.apiKey', 1, 1]],
    );
    assert.ok(Date.parse(rows[0]?.updated ?? '') > Date.parse(rows[0]?.history[0] ?? ''));
    assert.deepEqual(report.missing, ['database.password']);
    assert.equal(report.publicKey, firstKeyLine(q.read(secretFiles('production').pub)));
    // list needs no private key.
    q.remove(secretFiles('production').key);
    await cliExpect(q.dir, ['secrets', 'list', '--env', 'production'], OK);
  });

  test('rm removes one secret; removing it again is EW_SECRET_NAME', async () => {
    const q = copy();
    const result = await cliExpect(q.dir, ['secrets', 'rm', 'payments.apiKey', '--env', 'development', '--json'], OK);
    assert.deepEqual(json(result), { environment: 'development', key: 'payments.apiKey', removed: true });
    assert.ok(!q.read(secretFiles('development').secrets).includes('payments.apiKey'));
    const list = json(await cliExpect(q.dir, ['secrets', 'list', '--env', 'development', '--json'], OK));
    assert.deepEqual(list.secrets, []);
    const again = await cli(q.dir, ['secrets', 'rm', 'payments.apiKey', '--env', 'development']);
    assert.equal(again.code, USAGE, describeRun(['rm'], again));
    assert.match(again.stderr, /error\[EW_SECRET_NAME\]/);
    // production is untouched.
    await stampProduction(q.dir);
    const prod = await cliExpect(q.dir, ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', 'production'], OK);
    assert.equal(prod.stdout, `${prodValue}\n`);
  });
});
