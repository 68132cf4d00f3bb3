/**
 * `envward secrets rotate-key` through the CLI: afterwards every value reads
 * with the new key and none with the old; the old public key is retired.
 * Crash tests kill the process (ENVWARD_FAILPOINT, SIGKILL) at each step of
 * src/secrets/rotation.ts: before the commit point the old files stay in
 * force byte for byte; from it on, the next command finishes the rotation.
 * Never a mix of keys.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildEnvironmentCatalogue } from '../../src/environment/index.ts';
import { EnvwardError } from '../../src/errors.ts';
import { importPrivateKey, publicKeyOf } from '../../src/secrets/key-format.ts';
import { findPrivateKey } from '../../src/secrets/key-source.ts';
import { readSecrets } from '../../src/secrets/secrets-file.ts';
import { decryptAll } from '../../src/secrets/vault.ts';
import { makeCanary } from '../support/canary.ts';
import {
  type CliResult,
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

const ENV = 'production';
const FILES = secretFiles(ENV);
const KEYS = ['database.password', 'payments.apiKey'] as const;

/** Every file under config/ and .envward/, relative, sorted. */
function listFiles(p: SecretsProject): string[] {
  const found: string[] = [];
  for (const top of ['config', '.envward']) {
    const root = p.path(top);
    try {
      for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) found.push(relative(p.dir, join(entry.parentPath, entry.name)).split('\\').join('/'));
      }
    } catch {
      // no such directory
    }
  }
  return found.sort();
}

function snapshot(p: SecretsProject): Map<string, Buffer> {
  return new Map(listFiles(p).map((file) => [file, p.bytes(file) as Buffer]));
}

function firstKeyLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !line.startsWith('#')) ?? ''
  );
}

/** The public keys the three files name: committed key, secrets.yml recipient, and the key file's. */
function keyState(p: SecretsProject): { pub: string; recipient: string; fromKeyFile: string | undefined } {
  const recipient = /^recipient: (\S+)$/m.exec(p.read(FILES.secrets))?.[1] ?? '';
  const keyText = p.exists(FILES.key) ? privateKeyIn(p.read(FILES.key)) : undefined;
  const key = keyText ? importPrivateKey(keyText) : undefined;
  return { pub: firstKeyLine(p.read(FILES.pub)), recipient, fromKeyFile: key ? publicKeyOf(key) : undefined };
}

function assertOneKey(p: SecretsProject, where: string): string {
  const state = keyState(p);
  assert.equal(state.recipient, state.pub, `${where}: secrets.yml is encrypted to secrets.pub`);
  if (state.fromKeyFile !== undefined) assert.equal(state.fromKeyFile, state.pub, `${where}: the key file matches`);
  return state.pub;
}

function reveal(p: SecretsProject, key: string, env: Record<string, string> = {}): Promise<CliResult> {
  return cli(p.dir, ['secrets', 'get', key, '--reveal', '--env', ENV], { env });
}

/** Fails unless every value reads (exactly) with the key given by `env` (default: the key file). */
async function assertReadsAll(
  p: SecretsProject,
  values: Readonly<Record<string, string>>,
  where: string,
  env: Record<string, string> = {},
) {
  const results = await Promise.all(KEYS.map((key) => reveal(p, key, env)));
  KEYS.forEach((key, index) => {
    const result = results[index] as CliResult;
    assert.equal(result.code, 0, `${where}: ${describeRun(['secrets', 'get', key, '--reveal'], result)}`);
    assert.equal(result.stdout, `${values[key]}\n`, `${where}: ${key}`);
  });
}

const PRODUCTION = buildEnvironmentCatalogue().get(ENV, 'test');

/** What `secrets get` does, in this process (no CLI start): every value, read with the key of `variables` or the file. */
function readHere(p: SecretsProject, variables: Record<string, string> = {}): Map<string, string> {
  const document = readSecrets(p.dir, ENV);
  assert.ok(document, 'secrets.yml exists');
  const found = findPrivateKey(p.dir, PRODUCTION, variables, document.recipient).found;
  assert.ok(found, 'a key is here');
  return decryptAll(document, found);
}

/** Like assertReadsAll, in this process: for checks after the command under test has run. */
function assertReadsAllHere(
  p: SecretsProject,
  values: Readonly<Record<string, string>>,
  where: string,
  variables: Record<string, string> = {},
) {
  assert.deepEqual(Object.fromEntries(readHere(p, variables)), values, where);
}

/** Like assertOldKeyRefused, in this process. */
function assertOldKeyRefusedHere(p: SecretsProject, oldKey: string, where: string) {
  assert.throws(
    () => readHere(p, { ENVWARD_KEY_PRODUCTION: oldKey }),
    (error: unknown) => error instanceof EnvwardError && error.code === 'EW_SECRET_KEY_WRONG',
    where,
  );
}

/** Fails unless no value reads with the old private key given as the variable. */
async function assertOldKeyRefused(p: SecretsProject, oldKey: string, where: string) {
  const results = await Promise.all(KEYS.map((key) => reveal(p, key, { ENVWARD_KEY_PRODUCTION: oldKey })));
  KEYS.forEach((key, index) => {
    const result = results[index] as CliResult;
    assert.equal(result.code, 1, `${where}: ${describeRun(['secrets', 'get', key], result)}`);
    assert.match(result.stderr, /error\[EW_SECRET_KEY_WRONG\]/, where);
    assert.ok(!result.stdout.includes(oldKey) && !result.stderr.includes(oldKey), 'the key is not printed');
  });
}

describe('rotate-key', { concurrency: true }, () => {
  let template: SecretsProject;
  const values: Record<string, string> = {};
  const copies: SecretsProject[] = [];
  // Each copy's database is stamped for production where the copy is: a protected environment's
  // reveal (how these tests read values back) is audited there, or refused.
  const copy = async () => {
    const q = copySecretsProject(template);
    copies.push(q);
    await cliExpect(q.dir, ['db', 'stamp', '--env', ENV], 0);
    return q;
  };

  before(async () => {
    template = makeSecretsProject();
    await keygenAll(template.dir, [ENV]);
    for (const key of KEYS) {
      values[key] = makeCanary(key);
      await setSecret(template.dir, ENV, key, values[key] as string);
    }
  });
  after(() => {
    for (const q of copies) q.cleanup();
    template.cleanup();
  });

  test('re-encrypts every value to a new key pair; the old key opens nothing; the old public key is retired', async () => {
    const q = await copy();
    const before = snapshot(q);
    const oldKey = privateKeyIn(q.read(FILES.key));
    const oldPub = assertOneKey(q, 'before');
    const oldRecords = q.read(FILES.secrets);
    const result = await cliExpect(q.dir, ['secrets', 'rotate-key', '--env', ENV, '--json'], 0);
    const report = json(result);
    assert.equal(report.retired, oldPub);
    assert.equal(report.secrets, 2);
    assert.equal(report.privateKey, undefined, 'the new key went to the key file, not to stdout');
    assert.ok(!result.stdout.includes('ewkey1_'), 'no private key printed');
    const newPub = assertOneKey(q, 'after');
    assert.notEqual(newPub, oldPub);
    assert.equal(report.publicKey, newPub);
    assert.notEqual(privateKeyIn(q.read(FILES.key)), oldKey);
    assert.equal(q.mode(FILES.key), 0o600, 'the new key file is private');
    assert.deepEqual(listFiles(q), [...before.keys()], 'no staged file or journal left');
    await assertReadsAll(q, values, 'after rotation');
    await assertOldKeyRefused(q, oldKey, 'after rotation');
    const text = q.read(FILES.secrets);
    assert.ok(text.includes(`retired:\n  - key: ${oldPub}\n    retired: `), text);
    const list = json(await cliExpect(q.dir, ['secrets', 'list', '--env', ENV, '--json'], 0));
    assert.deepEqual(
      (list.retiredKeys as { publicKey: string }[]).map((entry) => entry.publicKey),
      [oldPub],
    );
    // A rotation is not a change of value: dates and fingerprints stay.
    for (const field of ['fingerprint', 'updated']) {
      const pick = (t: string) => t.split('\n').filter((line) => line.trimStart().startsWith(`${field}:`));
      assert.deepEqual(pick(text), pick(oldRecords), field);
    }
    // A second rotation retires the second key too.
    await cliExpect(q.dir, ['secrets', 'rotate-key', '--env', ENV], 0);
    assertReadsAllHere(q, values, 'after a second rotation');
    assert.equal((q.read(FILES.secrets).match(/^ {2}- key: /gm) ?? []).length, 2);
  });

  test('without the private key it refuses and changes nothing', async () => {
    const q = await copy();
    q.remove(FILES.key);
    const before = snapshot(q);
    const result = await cli(q.dir, ['secrets', 'rotate-key', '--env', ENV]);
    assert.equal(result.code, 3, describeRun(['rotate-key'], result));
    assert.match(result.stderr, /error\[EW_SECRET_KEY_MISSING\]/);
    assert.deepEqual(snapshot(q), before);
  });

  test('with the key from ENVWARD_KEY_PRODUCTION it needs --print and prints the new key', async () => {
    const q = await copy();
    const oldKey = privateKeyIn(q.read(FILES.key));
    q.remove(FILES.key);
    const variable = { ENVWARD_KEY_PRODUCTION: oldKey };
    const before = snapshot(q);
    const refused = await cli(q.dir, ['secrets', 'rotate-key', '--env', ENV], { env: variable });
    assert.equal(refused.code, 2, describeRun(['rotate-key'], refused));
    assert.match(refused.stderr, /--print/);
    assert.deepEqual(snapshot(q), before, 'nothing written without --print');

    const printed = await cliExpect(q.dir, ['secrets', 'rotate-key', '--env', ENV, '--print'], 0, { env: variable });
    const newKey = printed.stdout.split('\n')[0] ?? '';
    assert.match(newKey, /^ewkey1_[A-Za-z0-9_-]{43}$/, printed.stdout);
    assert.equal(printed.stdout.match(/ewkey1_/g)?.length, 1, 'the key is printed once');
    assert.notEqual(newKey, oldKey);
    assert.equal(q.exists(FILES.key), false, 'no key file is written when the key lives in a variable');
    const pub = assertOneKey(q, 'after --print');
    const imported = importPrivateKey(newKey);
    assert.ok(imported);
    assert.equal(publicKeyOf(imported), pub, 'the printed key is the new pair');
    await assertReadsAll(q, values, 'with the printed key', { ENVWARD_KEY_PRODUCTION: newKey });
    await assertOldKeyRefused(q, oldKey, 'after --print');

    const asJson = json(
      await cliExpect(q.dir, ['secrets', 'rotate-key', '--env', ENV, '--print', '--json'], 0, {
        env: { ENVWARD_KEY_PRODUCTION: newKey },
      }),
    );
    assert.match(String(asJson.privateKey), /^ewkey1_/, '--json carries the new key in the one document');
    assertReadsAllHere(q, values, 'after the --json rotation', { ENVWARD_KEY_PRODUCTION: String(asJson.privateKey) });
  });

  for (const point of ['rotate-key:staged', 'rotate-key:verified']) {
    test(`a crash at ${point} (before the commit point) leaves the old files in force`, async () => {
      const q = await copy();
      const before = snapshot(q);
      const oldKey = privateKeyIn(q.read(FILES.key));
      const crashed = await cli(q.dir, ['secrets', 'rotate-key', '--env', ENV], {
        env: { ENVWARD_FAILPOINT: point },
      });
      assert.equal(crashed.signal, 'SIGKILL', describeRun(['rotate-key'], crashed));
      assert.equal(q.exists(FILES.journal), false, 'not committed');
      for (const [file, bytes] of before) assert.deepEqual(q.bytes(file), bytes, `${file} is untouched`);
      assert.ok(q.exists(`${FILES.secrets}.rotating`), 'the crash happened after staging');
      assertReadsAllHere(q, values, `after a crash at ${point}`);
      assertReadsAllHere(q, values, `old key by variable after ${point}`, { ENVWARD_KEY_PRODUCTION: oldKey });
      await assertReadsAll(q, values, `secrets get after a crash at ${point}`);
      for (const [file, bytes] of before) assert.deepEqual(q.bytes(file), bytes, `${file} is still untouched`);
      // The next scan removes the staged files; the old files stay.
      await cli(q.dir, ['scan'], { env: { ENVWARD_ENV: 'production' } });
      assert.deepEqual(snapshot(q), before, 'staged files removed, old files byte for byte');
      // And a rotation can run again.
      await cliExpect(q.dir, ['secrets', 'rotate-key', '--env', ENV], 0);
      assertOneKey(q, 'after the retried rotation');
      assertReadsAllHere(q, values, 'after the retried rotation');
      assertOldKeyRefusedHere(q, oldKey, 'after the retried rotation');
    });
  }

  test('a crash before the commit point: the next config resolution removes the staged files (docs/secrets.md)', {}, async () => {
    const q = await copy();
    const before = snapshot(q);
    await cli(q.dir, ['secrets', 'rotate-key', '--env', ENV], { env: { ENVWARD_FAILPOINT: 'rotate-key:staged' } });
    await cliExpect(q.dir, ['config', 'show', '--env', ENV], 0);
    assert.deepEqual([...snapshot(q).keys()], [...before.keys()]);
  });

  const committed = ['rotate-key:committed', 'rotate-key:moved-1', 'rotate-key:moved-2', 'rotate-key:moved-3'];

  /** Crashes a rotation of a fresh copy at `point`; returns the copy and the old key. */
  async function crashAt(point: string): Promise<{ q: SecretsProject; oldKey: string; oldPub: string }> {
    const q = await copy();
    const oldKey = privateKeyIn(q.read(FILES.key));
    const oldPub = assertOneKey(q, 'before');
    const crashed = await cli(q.dir, ['secrets', 'rotate-key', '--env', ENV], { env: { ENVWARD_FAILPOINT: point } });
    assert.equal(crashed.signal, 'SIGKILL', describeRun(['rotate-key'], crashed));
    assert.ok(q.exists(FILES.journal), 'the commit record exists');
    return { q, oldKey, oldPub };
  }

  function assertFinished(q: SecretsProject, oldKey: string, oldPub: string, where: string) {
    assert.equal(q.exists(FILES.journal), false, `${where}: journal removed`);
    assert.deepEqual(
      listFiles(q).filter((file) => file.endsWith('.rotating')),
      [],
      `${where}: no staged file left`,
    );
    const pub = assertOneKey(q, where);
    assert.notEqual(pub, oldPub, `${where}: the new key pair is in force`);
    assert.notEqual(privateKeyIn(q.read(FILES.key)), oldKey);
    assertReadsAllHere(q, values, where);
    assertOldKeyRefusedHere(q, oldKey, where);
  }

  for (const point of committed) {
    test(`a crash at ${point} (after the commit point) is finished by the next resolution: new key only`, async () => {
      const { q, oldKey, oldPub } = await crashAt(point);
      await cliExpect(q.dir, ['config', 'show', '--env', ENV], 0);
      assertFinished(q, oldKey, oldPub, `after ${point} and config show`);
    });
  }

  test('a crash after the commit point is finished by the next scan as well', async () => {
    const { q, oldKey, oldPub } = await crashAt('rotate-key:moved-2');
    await cli(q.dir, ['scan'], { env: { ENVWARD_ENV: 'production' } });
    assertFinished(q, oldKey, oldPub, 'after moved-2 and scan');
  });

  for (const point of committed) {
    test(`a crash at ${point} is finished by the next \`secrets get --reveal\``, {}, async () => {
      const { q, oldKey, oldPub } = await crashAt(point);
      const first = await reveal(q, 'payments.apiKey');
      assert.equal(first.code, 0, describeRun(['secrets', 'get', 'payments.apiKey', '--reveal'], first));
      assert.equal(first.stdout, `${values['payments.apiKey']}\n`);
      assertFinished(q, oldKey, oldPub, `after ${point} and secrets get`);
    });
  }

  test('a value set after a crashed rotation (past its commit point) is not lost when the rotation is finished', async () => {
    const { q } = await crashAt('rotate-key:committed');
    const newValue = makeCanary('afterCrash');
    await cliExpect(q.dir, ['secrets', 'set', 'payments.apiKey', '--env', ENV], 0, { input: newValue });
    await cliExpect(q.dir, ['config', 'show', '--env', ENV], 0);
    const result = await reveal(q, 'payments.apiKey');
    assert.equal(result.stdout, `${newValue}\n`, 'the value set last is the one in force');
  });

  test('a secret removed after a crashed rotation (past its commit point) does not come back', async () => {
    const { q } = await crashAt('rotate-key:committed');
    await cliExpect(q.dir, ['secrets', 'rm', 'database.password', '--env', ENV], 0);
    // Resolving reads (and would finish) the rotation; the removed secret now fails the tier rule.
    await cliExpect(q.dir, ['config', 'validate', '--env', ENV], 1);
    const list = json(await cliExpect(q.dir, ['secrets', 'list', '--env', ENV, '--json'], 0));
    assert.deepEqual(
      (list.secrets as { key: string }[]).map((row) => row.key),
      ['payments.apiKey'],
    );
  });

  test('with the key from a variable, a crash after the commit point: only the printed key reads', async () => {
    const q = await copy();
    const oldKey = privateKeyIn(q.read(FILES.key));
    q.remove(FILES.key);
    const crashed = await cli(q.dir, ['secrets', 'rotate-key', '--env', ENV, '--print'], {
      env: { ENVWARD_KEY_PRODUCTION: oldKey, ENVWARD_FAILPOINT: 'rotate-key:moved-1' },
    });
    assert.equal(crashed.signal, 'SIGKILL');
    const newKey = crashed.stdout.split('\n')[0] ?? '';
    assert.match(newKey, /^ewkey1_/, 'the new key was printed before the commit point, so the crash did not lose it');
    await cliExpect(q.dir, ['config', 'show', '--env', ENV], 0, { env: { ENVWARD_KEY_PRODUCTION: newKey } });
    assert.equal(q.exists(FILES.journal), false);
    assertOneKey(q, 'after finishing');
    assertReadsAllHere(q, values, 'with the printed key', { ENVWARD_KEY_PRODUCTION: newKey });
    assertOldKeyRefusedHere(q, oldKey, 'variable rotation');
  });

  /** Where a rotation leaves the new private key when the old one came from a variable. */
  const NEW_KEY_FILE = `.envward/keys/${ENV}.new.key`;

  /** Rotates a copy whose key is only in ENVWARD_KEY_PRODUCTION (`--print --json`), killed at `point`. */
  async function crashVariableJsonAt(point: string): Promise<{ q: SecretsProject; oldKey: string; oldPub: string }> {
    const q = await copy();
    const oldKey = privateKeyIn(q.read(FILES.key));
    const oldPub = assertOneKey(q, 'before');
    q.remove(FILES.key);
    const args = ['secrets', 'rotate-key', '--env', ENV, '--print', '--json'];
    const crashed = await cli(q.dir, args, { env: { ENVWARD_KEY_PRODUCTION: oldKey, ENVWARD_FAILPOINT: point } });
    assert.equal(crashed.signal, 'SIGKILL', describeRun(args, crashed));
    assert.equal(crashed.stdout, '', 'the --json document, which would carry the key, was never printed');
    return { q, oldKey, oldPub };
  }

  for (const point of ['rotate-key:staged', 'rotate-key:verified']) {
    test(`with the key from a variable and --json, a crash at ${point} leaves the old key in force and no new key file`, async () => {
      const { q, oldKey, oldPub } = await crashVariableJsonAt(point);
      assert.equal(q.exists(FILES.journal), false, 'not committed');
      await cliExpect(q.dir, ['secrets', 'list', '--env', ENV], 0);
      assert.deepEqual(
        listFiles(q).filter((file) => file.endsWith('.rotating') || file.endsWith('.new.key')),
        [],
        'the staged files, the new key among them, are removed',
      );
      assert.equal(assertOneKey(q, `after ${point}`), oldPub);
      assertReadsAllHere(q, values, `old key after ${point}`, { ENVWARD_KEY_PRODUCTION: oldKey });
    });
  }

  for (const point of committed) {
    test(`with the key from a variable and --json, a crash at ${point} leaves the new key readable in ${NEW_KEY_FILE}`, async () => {
      const { q, oldKey, oldPub } = await crashVariableJsonAt(point);
      assert.ok(q.exists(FILES.journal), 'the commit record exists');
      // The next command, still with the old key, finishes the rotation and says where the new key is.
      const shown = await cli(q.dir, ['config', 'show', '--env', ENV], { env: { ENVWARD_KEY_PRODUCTION: oldKey } });
      assert.equal(shown.code, 1, describeRun(['config', 'show'], shown));
      assert.match(shown.stderr, /error\[EW_SECRET_KEY_WRONG\]/);
      assert.ok(shown.stderr.includes(NEW_KEY_FILE), `the error points at the new key file: ${shown.stderr}`);
      assert.ok(!shown.stderr.includes('ewkey1_') && !shown.stdout.includes('ewkey1_'), 'no key printed');
      assert.equal(q.exists(FILES.journal), false, 'the rotation is finished');
      assert.equal(q.mode(NEW_KEY_FILE), 0o600, 'the new key file is private');
      const newKey = privateKeyIn(q.read(NEW_KEY_FILE));
      const pub = assertOneKey(q, `after ${point}`);
      assert.notEqual(pub, oldPub, 'the new key pair is in force');
      const imported = importPrivateKey(newKey);
      assert.ok(imported);
      assert.equal(publicKeyOf(imported), pub, 'the recovered key is the new pair');
      assertReadsAllHere(q, values, `recovered key after ${point}`, { ENVWARD_KEY_PRODUCTION: newKey });
      assertOldKeyRefusedHere(q, oldKey, `after ${point}`);
      await assertReadsAll(q, values, `secrets get with the recovered key after ${point}`, {
        ENVWARD_KEY_PRODUCTION: newKey,
      });
    });
  }

  test(`with the key from a variable, the new key is also left in ${NEW_KEY_FILE} (text and --json say so)`, async () => {
    const q = await copy();
    const oldKey = privateKeyIn(q.read(FILES.key));
    q.remove(FILES.key);
    const text = await cliExpect(q.dir, ['secrets', 'rotate-key', '--env', ENV, '--print'], 0, {
      env: { ENVWARD_KEY_PRODUCTION: oldKey },
    });
    const printed = text.stdout.split('\n')[0] ?? '';
    assert.equal(privateKeyIn(q.read(NEW_KEY_FILE)), printed, 'the file holds the printed key');
    assert.equal(q.mode(NEW_KEY_FILE), 0o600);
    assert.ok(text.stdout.includes(NEW_KEY_FILE), text.stdout);
    assert.match(text.stdout, /delete/, 'it says to delete the file once the key is stored');
    const report = json(
      await cliExpect(q.dir, ['secrets', 'rotate-key', '--env', ENV, '--print', '--json'], 0, {
        env: { ENVWARD_KEY_PRODUCTION: printed },
      }),
    );
    assert.equal(report.newKeyFile, NEW_KEY_FILE);
    assert.equal(privateKeyIn(q.read(NEW_KEY_FILE)), report.privateKey, 'a later rotation replaces the file');
    assertReadsAllHere(q, values, 'with the key of the file', {
      ENVWARD_KEY_PRODUCTION: privateKeyIn(q.read(NEW_KEY_FILE)),
    });
  });
});
