/**
 * Masking everywhere (issue 3, item 6): every secret of several environments
 * holds a unique canary; every CLI command is run, with and without --json,
 * and on purpose into failures; no canary (in any common encoding) may appear
 * on stdout or stderr. The one exception is `secrets get --reveal`, which
 * must show exactly its own canary and no other.
 */
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import {
  CACHE_HOME,
  type CliResult,
  cli,
  cliExpect,
  copySecretsProject,
  corruptFirstSealedValue,
  describeRun,
  keygenAll,
  makeSecretsProject,
  privateKeyIn,
  type SecretsProject,
  secretFiles,
  secretsConfigSource,
  setSecret,
} from '../support/secrets-project.ts';

const ENVIRONMENTS = `qa: { tier: 'staging' },
    'eu-production': { tier: 'production', code: 'EUP' },`;
const ENVS = ['development', 'staging', 'production', 'qa', 'eu-production'] as const;
const KEYS = ['database.password', 'payments.apiKey'] as const;
const PRIVATE_KEY = /ewkey1_[A-Za-z0-9_-]{43}/;

interface Run {
  readonly args: readonly string[];
  /** Expected exit code. */
  readonly code: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
}

/** Every run twice: as given and with --json. */
function withJson(runs: readonly Run[]): Run[] {
  return runs.flatMap((run) => [run, { ...run, args: [...run.args, '--json'] }]);
}

let template: SecretsProject;
/** canaries[env][key] */
const canaries: Record<string, Record<string, string>> = {};
/** Every value that must never be printed, including ones given to single runs. */
const all: string[] = [];
let euKey = '';
const copies: SecretsProject[] = [];
const copy = () => {
  const q = copySecretsProject(template);
  copies.push(q);
  return q;
};
const baseEnv = () => ({ ENVWARD_KEY_EU_PRODUCTION: euKey });
const canary = (label: string) => {
  const value = makeCanary(label);
  all.push(value);
  return value;
};

describe('no command prints a secret unless asked to reveal it', { concurrency: true }, () => {
  before(async () => {
    template = makeSecretsProject({ environments: ENVIRONMENTS });
    await keygenAll(template.dir, ['development', 'staging', 'production', 'qa']);
    // eu-production's key lives only in a variable, as on a deployment.
    const printed = await cliExpect(template.dir, ['secrets', 'keygen', '--env', 'eu-production', '--print'], 0);
    euKey = printed.stdout.trim();
    await Promise.all(
      ENVS.map(async (env) => {
        canaries[env] = {};
        for (const key of KEYS) {
          const value = canary(`${env}${key}`);
          (canaries[env] as Record<string, string>)[key] = value;
          await setSecret(template.dir, env, key, value);
        }
      }),
    );
  });
  /** Runs each command in `dir` concurrently; checks exit codes and that no canary or private key is printed. */
  async function runAll(dir: string, runs: readonly Run[], extra: readonly string[] = []): Promise<CliResult[]> {
    const results = await Promise.all(
      runs.map((run) =>
        cli(dir, run.args, {
          env: { ...baseEnv(), ...run.env },
          ...(run.input !== undefined ? { input: run.input } : {}),
        }),
      ),
    );
    runs.forEach((run, index) => {
      const result = results[index] as CliResult;
      const label = `envward ${run.args.join(' ')}`;
      assertNoCanary(result.stdout, [...all, ...extra], `${label} (stdout)`);
      assertNoCanary(result.stderr, [...all, ...extra], `${label} (stderr)`);
      assert.ok(!PRIVATE_KEY.test(result.stdout + result.stderr), `${label} printed a private key`);
      assert.equal(result.code, run.code, describeRun(run.args, result));
      if (run.args.includes('--json')) {
        assert.doesNotThrow(() => JSON.parse(result.stdout), `${label}: stdout is one JSON document`);
      }
    });
    return results;
  }

  test('inspection commands, every environment, with and without --json', async () => {
    const runs: Run[] = [
      { args: ['env'], code: 0 },
      { args: ['config', 'show'], code: 0 },
      { args: ['config', 'validate', '--all'], code: 0 },
      { args: ['config', 'diff', 'staging', 'production'], code: 0 },
      { args: ['config', 'diff', 'production', 'eu-production'], code: 0 },
      { args: ['config', 'explain', 'database.password', '--env', 'production'], code: 0 },
      { args: ['secrets', 'get', 'payments.apiKey', '--env', 'production'], code: 2 }, // no --reveal
      { args: ['scan'], code: 1 }, // protected keys on a development host
      { args: ['scan'], code: 0, env: { ENVWARD_ENV: 'production' } },
      { args: ['env', '--env', 'production'], code: 0 },
      { args: ['config', 'explain', 'payments.apiKey', '--env', 'eu-production'], code: 0 },
      { args: ['config', 'explain', 'payments.apiKey', '--env', 'development'], code: 0 },
      ...ENVS.flatMap((env): Run[] => [
        { args: ['config', 'show', '--env', env], code: 0 },
        { args: ['secrets', 'list', '--env', env], code: 0 },
      ]),
    ];
    const results = await runAll(template.dir, withJson(runs));
    // The runs did their job: show printed the masked secrets.
    const show = results[withJson(runs).findIndex((run) => run.args.join(' ') === 'config show --env production')];
    assert.match(
      show?.stdout ?? '',
      /payments\.apiKey\s+••••••\s+<- config\/environments\/production\/secrets\.yml:\d+/,
    );
  });

  test('secrets get --reveal shows exactly its own canary', async () => {
    // One key per environment, alternating, keeps the number of runs down.
    const runs = ENVS.map((env, index) => {
      const key = KEYS[index % KEYS.length] as string;
      return { env, key, args: ['secrets', 'get', key, '--reveal', '--env', env] };
    });
    // A protected environment's reveal is audited in a database stamped for it, or refused: each
    // environment gets its own, stamped first.
    const database = (env: string) => ({ ...baseEnv(), DATABASE_URL: `sqlite:var/reveal-${env}.db` });
    for (const env of ENVS) await cliExpect(template.dir, ['db', 'stamp', '--env', env], 0, { env: database(env) });
    const results = await Promise.all(runs.map((run) => cli(template.dir, run.args, { env: database(run.env) })));
    runs.forEach((run, index) => {
      const result = results[index] as CliResult;
      const own = canaries[run.env]?.[run.key] as string;
      assert.equal(result.code, 0, describeRun(run.args, result));
      assert.equal(result.stdout, `${own}\n`, `${run.env} ${run.key}`);
      assertNoCanary(result.stderr, all, `${run.args.join(' ')} (stderr)`);
      assertNoCanary(result.stdout.replace(own, ''), all, `${run.args.join(' ')} (other canaries)`);
    });
    const asJson = await cliExpect(
      template.dir,
      ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', 'staging', '--json'],
      0,
      { env: database('staging') },
    );
    assert.equal(JSON.parse(asJson.stdout).value, canaries.staging?.['payments.apiKey']);
  });

  test('values given by variable, by --set and by stdin are masked too', async () => {
    const byVariable = canary('byvariable');
    const bySet = canary('byset');
    const runs: Run[] = withJson([
      { args: ['config', 'show', '--env', 'production'], code: 0, env: { PAYMENTS_API_KEY: byVariable } },
      {
        args: ['config', 'explain', 'payments.apiKey', '--env', 'production'],
        code: 0,
        env: { PAYMENTS_API_KEY: byVariable },
      },
      { args: ['config', 'show', '--env', 'staging', '--set', `payments.apiKey=${bySet}`], code: 0 },
      {
        args: ['config', 'explain', 'payments.apiKey', '--env', 'staging', '--set', `payments.apiKey=${bySet}`],
        code: 0,
      },
      { args: ['config', 'diff', 'staging', 'qa', '--set', `database.password=${bySet}`], code: 0 },
    ]);
    await runAll(template.dir, runs);
    // stdin values refused for a key that is not secret, or weak, are not echoed.
    const byStdin = canary('bystdin');
    await runAll(
      template.dir,
      withJson([
        { args: ['secrets', 'set', 'app.name', '--env', 'production'], code: 2, input: byStdin },
        { args: ['secrets', 'set', 'payments.apiKey', '--env', 'test'], code: 2, input: byStdin }, // no key pair
        { args: ['secrets', 'set', 'payments.apiKey', byStdin, '--env', 'production'], code: 2 }, // value in argv
      ]),
    );
  });

  test('commands that write: set, rm, rotate-key, keygen', async () => {
    const q = copy();
    const newValue = canary('newvalue');
    await runAll(q.dir, [
      { args: ['secrets', 'set', 'payments.apiKey', '--env', 'development'], code: 0, input: newValue },
      { args: ['secrets', 'set', 'payments.apiKey', '--env', 'staging', '--json'], code: 0, input: canary('newjson') },
      { args: ['secrets', 'set', 'payments.apiKey', '--env', 'production'], code: 1, input: 'weak' },
      { args: ['secrets', 'keygen', '--env', 'test'], code: 0 },
      { args: ['secrets', 'keygen', '--env', 'production'], code: 3 },
      { args: ['secrets', 'keygen', '--env', 'production', '--json'], code: 3 },
    ]);
    await runAll(q.dir, [
      { args: ['secrets', 'set', 'payments.apiKey', '--env', 'development'], code: 0, input: newValue }, // unchanged
      { args: ['secrets', 'rm', 'database.password', '--env', 'development'], code: 0 },
      { args: ['secrets', 'rm', 'database.password', '--env', 'qa', '--json'], code: 0 },
      { args: ['secrets', 'rotate-key', '--env', 'staging'], code: 0 },
      { args: ['secrets', 'rotate-key', '--env', 'production', '--json'], code: 0 },
      { args: ['secrets', 'rotate-key', '--env', 'eu-production'], code: 2 }, // key in a variable: needs --print
      { args: ['secrets', 'keygen', '--env', 'test', '--json'], code: 3 },
    ]);
    // Removed above (one after the other: writes to one environment are serialised by its lock).
    await runAll(q.dir, [{ args: ['secrets', 'rm', 'database.password', '--env', 'qa'], code: 2 }]);
    // After the writes, everything still reads and still masks.
    await runAll(q.dir, [
      { args: ['config', 'show', '--env', 'staging', '--json'], code: 0 },
      { args: ['config', 'show', '--env', 'production'], code: 0 },
      { args: ['secrets', 'list', '--env', 'qa', '--json'], code: 0 },
      { args: ['scan'], code: 0, env: { ENVWARD_ENV: 'production' } },
    ]);
  });

  test('failures on purpose: invalid values, broken files, wrong and missing keys', async () => {
    // An invalid non-secret value and a secret in a plain file of production.
    const invalid = copy();
    const plain = canary('plain');
    invalid.write(
      'config/environments/production/settings.yml',
      `app:\n  name: [1, 2]\npayments:\n  apiKey: ${plain}\n`,
    );
    // A corrupted value (staging), and a YAML syntax error next to a plain secret (development).
    const broken = copy();
    const stagingFile = broken.read(secretFiles('staging').secrets);
    broken.write(secretFiles('staging').secrets, corruptFirstSealedValue(stagingFile));
    broken.write(
      'config/environments/development/settings.yml',
      `payments:\n  apiKey: ${canary('nearsyntax')}\n  x: [\n`,
    );
    broken.write(secretFiles('qa').secrets, broken.read(secretFiles('qa').secrets).replace('format: 1', 'format: 9'));
    // A missing key (production) and a wrong key (staging's key in qa's file).
    const keys = copy();
    keys.remove(secretFiles('production').key);
    keys.write(secretFiles('qa').key, keys.read(secretFiles('staging').key));
    const loose = copy();
    chmodSync(loose.path(secretFiles('production').key), 0o644);
    chmodSync(loose.path(secretFiles('development').key), 0o644);
    // A secret that breaks its schema rule.
    const schema = copy();
    schema.write(
      'envward.config.ts',
      secretsConfigSource({
        environments: ENVIRONMENTS,
        appFields: 'token: secret(z.string().regex(/^tok_/)).optional(),',
      }),
    );
    await setSecret(schema.dir, 'development', 'app.token', canary('token'));

    const stagingKey = privateKeyIn(template.read(secretFiles('staging').key));
    await Promise.all([
      runAll(
        invalid.dir,
        withJson([
          { args: ['config', 'show', '--env', 'production'], code: 1 },
          { args: ['config', 'validate', '--all'], code: 1 },
          { args: ['config', 'diff', 'production', 'staging'], code: 1 },
          { args: ['scan'], code: 1, env: { ENVWARD_ENV: 'production' } },
        ]),
      ),
      runAll(invalid.dir, [
        { args: ['config', 'show', '--env', 'production', '--debug'], code: 1 },
        { args: ['config', 'explain', 'payments.apiKey', '--env', 'production'], code: 1 },
      ]),
      runAll(
        broken.dir,
        withJson([
          { args: ['config', 'show', '--env', 'staging'], code: 1 },
          { args: ['config', 'validate', '--all'], code: 1 },
          { args: ['secrets', 'get', 'database.password', '--reveal', '--env', 'staging'], code: 1 },
          { args: ['config', 'show'], code: 1 },
          { args: ['scan'], code: 1 },
        ]),
      ),
      runAll(broken.dir, [
        { args: ['config', 'show', '--env', 'staging', '--debug'], code: 1 },
        { args: ['secrets', 'get', 'database.password', '--reveal', '--env', 'qa'], code: 1 },
        { args: ['secrets', 'list', '--env', 'qa'], code: 1 },
        { args: ['secrets', 'rotate-key', '--env', 'staging'], code: 1 },
      ]),
      runAll(
        keys.dir,
        withJson([
          { args: ['config', 'show', '--env', 'production'], code: 3 },
          { args: ['config', 'validate', '--all'], code: 1 },
          { args: ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', 'production'], code: 3 },
          {
            args: ['config', 'show', '--env', 'eu-production'],
            code: 1,
            env: { ENVWARD_KEY_EU_PRODUCTION: stagingKey },
          },
        ]),
      ),
      runAll(keys.dir, [
        { args: ['config', 'diff', 'staging', 'production'], code: 3 },
        { args: ['config', 'show', '--env', 'qa'], code: 1 },
        { args: ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', 'qa'], code: 1 },
        { args: ['secrets', 'rotate-key', '--env', 'qa'], code: 1 },
        { args: ['config', 'show', '--env', 'eu-production'], code: 1, env: { ENVWARD_KEY_EU_PRODUCTION: 'garbage' } },
        { args: ['config', 'show', '--env', 'eu-production'], code: 3, env: { ENVWARD_KEY_EU_PRODUCTION: '' } },
      ]),
      runAll(
        loose.dir,
        withJson([
          { args: ['config', 'show', '--env', 'production'], code: 3 },
          { args: ['secrets', 'get', 'payments.apiKey', '--reveal', '--env', 'production'], code: 3 },
        ]),
      ),
      runAll(loose.dir, [{ args: ['config', 'show', '--env', 'development'], code: 0 }]),
      runAll(
        schema.dir,
        withJson([
          { args: ['config', 'show'], code: 1 },
          { args: ['config', 'explain', 'app.token'], code: 1 },
        ]),
      ),
    ]);
  });
});

describe('after every command', () => {
  after(() => {
    for (const q of copies) q.cleanup();
    template.cleanup();
  });

  test('no decrypted value is written to envward caches', () => {
    const files = readdirSync(CACHE_HOME, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    assert.ok(files.length > 0, 'the runs used the cache');
    for (const entry of files) {
      const path = join(entry.parentPath, entry.name);
      assertNoCanary(readFileSync(path).toString('latin1'), Object.values(canaries).flatMap(Object.values), path);
    }
  });
});
