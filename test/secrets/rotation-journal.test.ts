/**
 * The rotation journal (`.envward/keys/<env>.rotation.json`) is read by every
 * command that touches an environment's secrets, and it names files to
 * rename. A planted or damaged one is refused before anything is renamed
 * (EW_SECRET_JOURNAL, exit 1): only the environment's own staged files may
 * move, each onto its own path (issue 11, items 11 and 15). A keys folder
 * that group or others may write is a warning. A key path that is a
 * directory is EW_SECRET_KEY_NOT_FILE, not an internal error.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { EnvwardError } from '../../src/errors.ts';
import { checkJournal, rotatedFiles } from '../../src/secrets/rotation-journal.ts';
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
  type SecretsProject,
  secretFiles,
  setSecret,
} from '../support/secrets-project.ts';

const ENV = 'production';
const FILES = secretFiles(ENV);

function isJournalError(error: unknown): boolean {
  return error instanceof EnvwardError && error.code === 'EW_SECRET_JOURNAL';
}

describe('checkJournal', () => {
  const move = (file: string) => ({ from: `${file}.rotating`, to: file });

  test("accepts the moves a rotation makes: the environment's staged files onto their own paths", () => {
    const journal = { environment: ENV, moves: rotatedFiles(ENV).map(move) };
    assert.deepEqual(checkJournal(ENV, journal), journal);
    assert.deepEqual(checkJournal(ENV, { environment: ENV, moves: [move(FILES.secrets)] }).moves.length, 1);
  });

  const refused: Record<string, unknown> = {
    'a path with ..': {
      environment: ENV,
      moves: [{ from: '.envward/keys/../../x.rotating', to: '.envward/keys/../../config/base.yml' }],
    },
    'an absolute path': { environment: ENV, moves: [{ from: '/tmp/evil.rotating', to: '/etc/passwd' }] },
    "another environment's files": { environment: ENV, moves: [move(secretFiles('staging').secrets)] },
    "another environment's journal": { environment: 'staging', moves: [move(secretFiles('staging').secrets)] },
    'a staged file moved onto another path': {
      environment: ENV,
      moves: [{ from: `${FILES.secrets}.rotating`, to: FILES.pub }],
    },
    'the same file moved twice': { environment: ENV, moves: [move(FILES.secrets), move(FILES.secrets)] },
    'an unknown field': { environment: ENV, moves: [move(FILES.secrets)], run: 'rm -rf /' },
    'no moves': { environment: ENV, moves: [] },
    'not an object': ['x'],
    null: null,
  };
  for (const [what, journal] of Object.entries(refused)) {
    test(`refuses ${what}`, () => {
      assert.throws(() => checkJournal(ENV, journal), isJournalError);
    });
  }
});

describe('a planted, damaged or exposed journal through the CLI', { concurrency: true }, () => {
  let template: SecretsProject;
  const copies: SecretsProject[] = [];
  const copy = () => {
    const q = copySecretsProject(template);
    copies.push(q);
    return q;
  };

  before(async () => {
    template = makeSecretsProject();
    await keygenAll(template.dir, [ENV]);
    for (const key of ['database.password', 'payments.apiKey'])
      await setSecret(template.dir, ENV, key, makeCanary(key));
  });
  after(() => {
    for (const q of copies) q.cleanup();
    template.cleanup();
  });

  function assertJournalRefused(result: CliResult, args: readonly string[]) {
    assert.equal(result.code, 1, describeRun(args, result));
    assert.match(result.stderr, /error\[EW_SECRET_JOURNAL\]/, describeRun(args, result));
    assert.doesNotMatch(result.stderr, /EW_INTERNAL/);
  }

  test('a planted journal with ../ paths is refused by every command and renames nothing', async () => {
    const q = copy();
    const target = 'config/base.yml';
    const original = q.read(target);
    q.write('planted.yml', 'app:\n  name: planted\n');
    q.write(
      FILES.journal,
      JSON.stringify({
        environment: ENV,
        moves: [{ from: '.envward/keys/../../planted.yml', to: `.envward/keys/../../${target}` }],
      }),
    );
    for (const args of [
      ['config', 'show', '--env', ENV],
      ['secrets', 'list', '--env', ENV],
      ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', ENV],
      ['secrets', 'rotate-key', '--env', ENV],
    ]) {
      assertJournalRefused(await cli(q.dir, args), args);
    }
    const set = ['secrets', 'set', 'payments.apiKey', '--env', ENV];
    assertJournalRefused(await cli(q.dir, set, { input: makeCanary('x') }), set);
    assert.equal(q.read(target), original, 'the target is unchanged');
    assert.ok(q.exists('planted.yml'), 'the planted file is where it was');
    assert.ok(q.exists(FILES.journal), 'the journal is left for the user to look at');
  });

  test('a journal that is not JSON is EW_SECRET_JOURNAL, not EW_INTERNAL', async () => {
    const q = copy();
    q.write(FILES.journal, '{"environment": "production", "moves": [');
    const before = q.read(FILES.secrets);
    const args = ['config', 'show', '--env', ENV];
    assertJournalRefused(await cli(q.dir, args), args);
    const listArgs = ['secrets', 'list', '--env', ENV, '--json'];
    const listed = await cli(q.dir, listArgs);
    assert.equal(listed.code, 1, describeRun(listArgs, listed));
    assert.equal((json(listed).error as { code: string }).code, 'EW_SECRET_JOURNAL', '--json carries the code');
    assert.equal(q.read(FILES.secrets), before);
  });

  test('a journal that is a directory or a named pipe is EW_SECRET_JOURNAL, read without waiting', async () => {
    const q = copy();
    mkdirSync(q.path(FILES.journal));
    const args = ['secrets', 'list', '--env', ENV];
    assertJournalRefused(await cli(q.dir, args), args);
    if (process.platform === 'win32') return;
    rmSync(q.path(FILES.journal), { recursive: true });
    execFileSync('mkfifo', [q.path(FILES.journal)]);
    assertJournalRefused(await cli(q.dir, args), args);
  });

  test('a keys folder that group or others may write is a warning, not a failure', async () => {
    const q = copy();
    chmodSync(q.path('.envward/keys'), 0o777);
    const shown = await cliExpect(q.dir, ['config', 'show', '--env', ENV], 0);
    assert.match(shown.stderr, /\.envward\/keys\/ is writable by group or others \(mode 777\)/, shown.stderr);
    chmodSync(q.path('.envward/keys'), 0o700);
    const quiet = await cliExpect(q.dir, ['config', 'show', '--env', ENV], 0);
    assert.doesNotMatch(quiet.stderr, /writable by group or others/);
  });

  test('a private key path that is a directory is EW_SECRET_KEY_NOT_FILE', async () => {
    const q = copy();
    q.remove(FILES.key);
    mkdirSync(q.path(FILES.key));
    for (const args of [
      ['config', 'show', '--env', ENV],
      ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', ENV],
      ['secrets', 'rotate-key', '--env', ENV],
    ]) {
      const result = await cli(q.dir, args);
      assert.equal(result.code, 1, describeRun(args, result));
      assert.match(result.stderr, /error\[EW_SECRET_KEY_NOT_FILE\]/, describeRun(args, result));
      assert.ok(result.stderr.includes(`${FILES.key} is a directory`), result.stderr);
    }
  });

  test('a public key path that is a directory is EW_SECRET_KEY_NOT_FILE', async () => {
    const q = copy();
    q.remove(FILES.pub);
    mkdirSync(q.path(FILES.pub));
    const args = ['secrets', 'set', 'payments.apiKey', '--env', ENV];
    const result = await cli(q.dir, args, { input: makeCanary('x') });
    assert.equal(result.code, 1, describeRun(args, result));
    assert.match(result.stderr, /error\[EW_SECRET_KEY_NOT_FILE\]/, describeRun(args, result));
  });
});
