/**
 * The secrets file (config/environments/<env>/secrets.yml): unchanged values
 * keep their bytes when another one changes (no git churn), setting the same
 * value writes nothing, a changed value keeps the time of the one it
 * replaced, and a file that is not what envward writes is EW_SECRET_FILE
 * with its line.
 */
import assert from 'node:assert/strict';
import { copyFileSync, renameSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { openProject, type Project } from '../../src/config/index.ts';
import type { Environment } from '../../src/environment/index.ts';
import { EnvwardError } from '../../src/errors.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { parseSealedValue } from '../../src/secrets/envelope.ts';
import { findPrivateKey } from '../../src/secrets/key-source.ts';
import { parseSecrets, readSecrets, renderSecrets } from '../../src/secrets/secrets-file.ts';
import { decryptAll, deleteStoredSecret, makeKeyPair, storeSecrets } from '../../src/secrets/vault.ts';
import { makeCanary } from '../support/canary.ts';
import { makeSecretsProject, type SecretsProject, secretFiles } from '../support/secrets-project.ts';

const T1 = new Date('2026-01-01T00:00:00.000Z');
const T2 = new Date('2026-02-01T00:00:00.000Z');
const T3 = new Date('2026-03-01T00:00:00.000Z');
const T4 = new Date('2026-04-01T00:00:00.000Z');

/** The lines of the record of `key` under `secrets:` (its name line and everything indented below it). */
function recordLines(text: string, key: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`  ${key}:`);
  assert.ok(start >= 0, `no record for ${key} in:\n${text}`);
  let end = start + 1;
  while (end < lines.length && (lines[end] as string).startsWith('    ')) end++;
  return lines.slice(start, end);
}

/** The file's lines without the record of `key`. */
function linesWithout(text: string, key: string): string[] {
  const record = recordLines(text, key);
  const lines = text.split('\n');
  const start = lines.indexOf(record[0] as string);
  lines.splice(start, record.length);
  return lines;
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `no line contains ${needle}`);
  return index + 1;
}

function expectCode(code: string, check?: (error: EnvwardError) => void) {
  return (error: unknown) => {
    assert.ok(error instanceof EnvwardError, `expected an EnvwardError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    check?.(error);
    return true;
  };
}

const NO_VARIABLES = {};

describe('secrets.yml', () => {
  let p: SecretsProject;
  let project: Project;
  let production: Environment;
  let staging: Environment;
  const files = secretFiles('production');

  before(async () => {
    p = makeSecretsProject();
    project = await openProject(p.dir);
    production = project.environments.get('production', 'test');
    staging = project.environments.get('staging', 'test');
    await makeKeyPair(p.dir, 'production');
    await makeKeyPair(p.dir, 'staging');
  });
  after(() => p.cleanup());

  function decryptProduction(): Map<string, string> {
    const document = readSecrets(p.dir, 'production');
    assert.ok(document);
    const found = findPrivateKey(p.dir, production, NO_VARIABLES, document.recipient).found;
    assert.ok(found, 'production key file present');
    return decryptAll(document, found);
  }

  test('changing one secret leaves every line of the other byte for byte', async () => {
    const password = makeCanary('password');
    await storeSecrets(
      p.dir,
      production,
      new Map([
        ['database.password', password],
        ['payments.apiKey', makeCanary('apikey')],
      ]),
      { variables: NO_VARIABLES, now: T1 },
    );
    const before = p.read(files.secrets);
    const newKey = makeCanary('apikey2');
    const result = await storeSecrets(p.dir, production, new Map([['payments.apiKey', newKey]]), {
      variables: NO_VARIABLES,
      now: T2,
    });
    assert.deepEqual(result.changed, ['payments.apiKey']);
    const afterText = p.read(files.secrets);
    assert.notEqual(afterText, before);
    assert.deepEqual(
      recordLines(afterText, 'database.password'),
      recordLines(before, 'database.password'),
      "the other secret's record is unchanged",
    );
    // With the private key at hand the writer reuses the envelope: nothing outside the changed record moves.
    assert.deepEqual(linesWithout(afterText, 'payments.apiKey'), linesWithout(before, 'payments.apiKey'));
    const changedLines = recordLines(afterText, 'payments.apiKey');
    const oldLines = recordLines(before, 'payments.apiKey');
    const valueLine = (lines: string[]) => lines.find((line) => line.trimStart().startsWith('value:'));
    const printLine = (lines: string[]) => lines.find((line) => line.trimStart().startsWith('fingerprint:'));
    assert.notEqual(valueLine(changedLines), valueLine(oldLines));
    assert.notEqual(printLine(changedLines), printLine(oldLines));
    assert.ok(!afterText.includes(newKey) && !afterText.includes(password), 'values are not in clear');
    const values = decryptProduction();
    assert.equal(values.get('payments.apiKey'), newKey);
    assert.equal(values.get('database.password'), password);
  });

  test('a writer with only the public key adds an envelope and still leaves the other record alone', async () => {
    const before = p.read(files.secrets);
    const password = decryptProduction().get('database.password');
    renameSync(p.path(files.key), p.path(`${files.key}.away`));
    try {
      const value = makeCanary('apikey3');
      const result = await storeSecrets(p.dir, production, new Map([['payments.apiKey', value]]), {
        variables: NO_VARIABLES,
        now: T3,
      });
      assert.deepEqual(result.changed, ['payments.apiKey']);
      const afterText = p.read(files.secrets);
      assert.deepEqual(recordLines(afterText, 'database.password'), recordLines(before, 'database.password'));
      const document = readSecrets(p.dir, 'production');
      assert.ok(document);
      assert.equal(document.envelopes.size, 2, 'a second key agreement, made with the public key alone');
      const used = new Set([...document.secrets.values()].map((record) => parseSealedValue(record.value)?.envelope));
      assert.deepEqual(new Set(document.envelopes.keys()), used, 'every envelope is used by a value');
    } finally {
      renameSync(p.path(`${files.key}.away`), p.path(files.key));
    }
    const values = decryptProduction();
    assert.equal(values.get('database.password'), password);
  });

  test('setting the same value again writes nothing', async () => {
    const values = decryptProduction();
    const before = statSync(p.path(files.secrets));
    const bytes = p.bytes(files.secrets);
    const result = await storeSecrets(p.dir, production, values, { variables: NO_VARIABLES, now: T4 });
    assert.deepEqual(result.changed, []);
    assert.deepEqual([...result.unchanged].sort(), ['database.password', 'payments.apiKey']);
    const afterStat = statSync(p.path(files.secrets));
    assert.deepEqual(p.bytes(files.secrets), bytes);
    assert.equal(afterStat.mtimeMs, before.mtimeMs, 'not rewritten (mtime)');
    assert.equal(afterStat.ino, before.ino, 'not replaced (inode)');
  });

  test('a changed value records when the previous one was set; an unchanged one does not', async () => {
    await storeSecrets(p.dir, staging, new Map([['payments.apiKey', makeCanary('s1')]]), {
      variables: NO_VARIABLES,
      now: T1,
    });
    await storeSecrets(p.dir, staging, new Map([['payments.apiKey', makeCanary('s2')]]), {
      variables: NO_VARIABLES,
      now: T2,
    });
    let record = readSecrets(p.dir, 'staging')?.secrets.get('payments.apiKey');
    assert.equal(record?.updated, T2.toISOString());
    assert.deepEqual(record?.history, [T1.toISOString()]);
    const third = makeCanary('s3');
    await storeSecrets(p.dir, staging, new Map([['payments.apiKey', third]]), { variables: NO_VARIABLES, now: T3 });
    await storeSecrets(p.dir, staging, new Map([['payments.apiKey', third]]), { variables: NO_VARIABLES, now: T4 });
    await storeSecrets(p.dir, staging, new Map([['database.password', makeCanary('s4')]]), {
      variables: NO_VARIABLES,
      now: T4,
    });
    const document = readSecrets(p.dir, 'staging');
    record = document?.secrets.get('payments.apiKey');
    assert.equal(record?.updated, T3.toISOString(), 'the same value again keeps its date');
    assert.deepEqual(record?.history, [T1.toISOString(), T2.toISOString()], 'oldest first');
    assert.deepEqual(document?.secrets.get('database.password')?.history, [], 'a new key has no history');
    const text = p.read(secretFiles('staging').secrets);
    assert.deepEqual(
      recordLines(text, 'payments.apiKey').filter((line) => line.trimStart().startsWith('- ')),
      [`      - ${T1.toISOString()}`, `      - ${T2.toISOString()}`],
    );
  });

  test('a weak value is refused in a protected environment and nothing is written', async () => {
    const bytes = p.bytes(files.secrets);
    await assert.rejects(
      storeSecrets(p.dir, production, new Map([['payments.apiKey', 'hunter2']]), { variables: NO_VARIABLES }),
      expectCode('EW_SECRET_WEAK', (error) => {
        assert.ok(!JSON.stringify(error.toJSON()).includes('hunter2'), error.message);
        assert.equal(error.details.key, 'payments.apiKey');
      }),
    );
    await assert.rejects(
      storeSecrets(p.dir, production, new Map([['payments.apiKey', 'password'.repeat(4)]]), {
        variables: NO_VARIABLES,
      }),
      expectCode('EW_SECRET_WEAK'),
    );
    assert.deepEqual(p.bytes(files.secrets), bytes);
  });

  test('deleteStoredSecret drops the record and the envelopes no value uses', async () => {
    const q = makeSecretsProject();
    try {
      const env = (await openProject(q.dir)).environments.get('development', 'test');
      await makeKeyPair(q.dir, 'development');
      await storeSecrets(q.dir, env, new Map([['database.password', 'a']]), { variables: NO_VARIABLES });
      const key = q.path(secretFiles('development').key);
      renameSync(key, `${key}.away`);
      await storeSecrets(q.dir, env, new Map([['payments.apiKey', 'b']]), { variables: NO_VARIABLES });
      renameSync(`${key}.away`, key);
      assert.equal(readSecrets(q.dir, 'development')?.envelopes.size, 2);
      assert.equal(await deleteStoredSecret(q.dir, 'development', 'payments.apiKey'), true);
      assert.equal(await deleteStoredSecret(q.dir, 'development', 'payments.apiKey'), false, 'already gone');
      const document = readSecrets(q.dir, 'development');
      assert.deepEqual([...(document?.secrets.keys() ?? [])], ['database.password']);
      assert.equal(document?.envelopes.size, 1);
      assert.ok(!q.read(secretFiles('development').secrets).includes('payments.apiKey'));
    } finally {
      q.cleanup();
    }
  });
});

describe('a secrets file that is not what envward writes', () => {
  let p: SecretsProject;
  let project: Project;
  let valid: string;
  let stagingText: string;
  const files = secretFiles('production');

  before(async () => {
    p = makeSecretsProject();
    project = await openProject(p.dir);
    await makeKeyPair(p.dir, 'production');
    await makeKeyPair(p.dir, 'staging');
    const values = new Map([
      ['database.password', makeCanary('pw')],
      ['payments.apiKey', makeCanary('api')],
    ]);
    await storeSecrets(p.dir, project.environments.get('production', 'test'), values, { variables: NO_VARIABLES });
    await storeSecrets(p.dir, project.environments.get('staging', 'test'), values, { variables: NO_VARIABLES });
    valid = p.read(files.secrets);
    stagingText = p.read(secretFiles('staging').secrets);
  });
  after(() => p.cleanup());

  function readWith(text: string): () => unknown {
    return () => {
      p.write(files.secrets, text);
      return readSecrets(p.dir, 'production');
    };
  }

  const cases: { name: string; edit: (text: string) => string; line: (text: string) => number | undefined }[] = [
    {
      name: 'an unknown format',
      edit: (text) => text.replace('format: 1', 'format: 2'),
      line: (text) => lineOf(text, 'format: 2'),
    },
    {
      name: 'a recipient that is not a public key',
      edit: (text) => text.replace(/^recipient: .*$/m, 'recipient: ewkey1_not-a-public-key'),
      line: (text) => lineOf(text, 'recipient:'),
    },
    {
      name: 'an entry without its fingerprint',
      edit: (text) => {
        const lines = text.split('\n');
        const start = lines.indexOf('  payments.apiKey:');
        const at = lines.findIndex((line, index) => index > start && line.trimStart().startsWith('fingerprint:'));
        lines.splice(at, 1);
        return lines.join('\n');
      },
      line: (text) => lineOf(text, '  payments.apiKey:'),
    },
    {
      name: 'a value that is not sealed (a secret pasted in clear)',
      edit: (text) => {
        const lines = text.split('\n');
        const start = lines.indexOf('  payments.apiKey:');
        const at = lines.findIndex((line, index) => index > start && line.trimStart().startsWith('value:'));
        lines[at] = '    value: sk_live_pasted_in_clear_0123456789';
        return lines.join('\n');
      },
      line: (text) => lineOf(text, '  payments.apiKey:'),
    },
    {
      name: 'history that is not a list of dates',
      edit: (text) => text.replace(/( {2}payments\.apiKey:\n(?: {4}.*\n)*)/, '$1    history: yesterday\n'),
      line: (text) => lineOf(text, '  payments.apiKey:'),
    },
    {
      name: 'envelopes as a list',
      edit: (text) => text.replace(/^envelopes:\n {2}"?[a-z0-9]+"?: /m, 'envelopes:\n  - '),
      line: (text) => lineOf(text, 'envelopes:'),
    },
    {
      name: 'secrets as a scalar',
      edit: (text) => text.replace(/^secrets:\n(?: {2}.*\n)*/m, 'secrets: all of them\n'),
      line: (text) => lineOf(text, 'secrets:'),
    },
    {
      name: 'retired keys as a scalar',
      edit: (text) => `${text}retired: never\n`,
      line: (text) => lineOf(text, 'retired:'),
    },
  ];

  for (const { name, edit, line } of cases) {
    test(`${name} is EW_SECRET_FILE with its line`, () => {
      const text = edit(valid);
      assert.notEqual(text, valid, 'the edit applies');
      assert.throws(
        readWith(text),
        expectCode('EW_SECRET_FILE', (error) => {
          assert.equal(error.details.file, files.secrets);
          assert.equal(error.details.line, line(text), error.message);
          if (error.details.line !== undefined) assert.ok(error.message.includes(`${files.secrets}:${line(text)}`));
        }),
      );
    });
  }

  // Envelope ids are random hex, so some (2e533136) read as numbers in YAML:
  // the writer must quote them and the reader must take them back as text.
  test('an envelope id that YAML would read as a number is written quoted and reads back', () => {
    const document = parseSecrets(valid, files.secrets, 'production');
    const [[id, record]] = [...document.envelopes] as [[string, { id: string; ephemeral: string }]];
    const numeric = '2e533136';
    const secrets = new Map(
      [...document.secrets].map(([key, secret]) => [
        key,
        { ...secret, value: secret.value.replace(`ew1:${id}:`, `ew1:${numeric}:`) },
      ]),
    );
    const text = renderSecrets({ ...document, envelopes: new Map([[numeric, { ...record, id: numeric }]]), secrets });
    assert.ok(text.includes(`"${numeric}": `), text);
    const back = parseSecrets(text, files.secrets, 'production');
    assert.deepEqual([...back.envelopes.keys()], [numeric]);
    assert.equal(parseSealedValue(back.secrets.get('payments.apiKey')?.value ?? '')?.envelope, numeric);
  });

  test('a list instead of a mapping is refused with file:line (EW_CONFIG_PARSE, as any YAML file)', () => {
    assert.throws(
      readWith('- format: 1\n'),
      expectCode('EW_CONFIG_PARSE', (error) => assert.ok(error.message.includes(`${files.secrets}:1`), error.message)),
    );
  });

  test('a YAML syntax error is EW_CONFIG_PARSE with file:line', () => {
    const text = valid.replace(/^environment: production$/m, 'environment: [production');
    assert.throws(
      readWith(text),
      expectCode('EW_CONFIG_PARSE', (error) => assert.match(error.message, /secrets\.yml:\d+/)),
    );
  });

  test('a malformed file stops resolution: nothing is resolved', async () => {
    p.write(files.secrets, valid.replace('format: 1', 'format: 7'));
    await assert.rejects(
      resolveConfig({ project, env: 'production', variables: {}, checkHost: false }),
      expectCode('EW_SECRET_FILE'),
    );
  });

  test("another environment's file copied in is EW_SECRET_FILE naming the environment line", async () => {
    copyFileSync(p.path(secretFiles('staging').secrets), p.path(files.secrets));
    assert.throws(
      () => readSecrets(p.dir, 'production'),
      expectCode('EW_SECRET_FILE', (error) => {
        assert.equal(error.details.line, lineOf(stagingText, 'environment: staging'));
        assert.match(error.message, /staging/);
      }),
    );
    await assert.rejects(
      resolveConfig({ project, env: 'production', variables: {}, checkHost: false }),
      expectCode('EW_SECRET_FILE'),
    );
    await assert.rejects(
      storeSecrets(
        p.dir,
        project.environments.get('production', 'test'),
        new Map([['payments.apiKey', makeCanary()]]),
        {
          variables: NO_VARIABLES,
        },
      ),
      expectCode('EW_SECRET_FILE'),
    );
    assert.equal(p.read(files.secrets), stagingText, 'nothing written over it');
  });

  test("another environment's file relabelled as this one is refused as that file, not blamed on the key", async () => {
    // Someone copies staging's file and edits `environment:`; production's own key is present and right.
    p.write(files.secrets, stagingText.replace('environment: staging', 'environment: production'));
    await assert.rejects(
      storeSecrets(
        p.dir,
        project.environments.get('production', 'test'),
        new Map([['payments.apiKey', makeCanary()]]),
        {
          variables: NO_VARIABLES,
        },
      ),
      expectCode('EW_SECRET_FILE'),
    );
  });

  test("another environment's file relabelled as this one: resolution blames the file, not production's right key", {}, async () => {
    p.write(files.secrets, stagingText.replace('environment: staging', 'environment: production'));
    await assert.rejects(
      resolveConfig({ project, env: 'production', variables: {}, checkHost: false }),
      expectCode('EW_SECRET_FILE'),
    );
  });

  test('restoring the valid file makes it readable again', async () => {
    p.write(files.secrets, valid);
    const resolved = await resolveConfig<Record<string, unknown>>({
      project,
      env: 'production',
      variables: {},
      checkHost: false,
    });
    assert.equal(typeof resolved.values.payments, 'object');
  });
});
