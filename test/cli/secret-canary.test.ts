/**
 * Secret values never reach the CLI's output. Random canaries are fed in as
 * secret() values through every way in (process variables by the default and
 * the explicit mapping, --set, a plain file and .env file in development,
 * the encrypted secrets store), every command runs with and without --json,
 * succeeding and failing, and no canary may appear in stdout or stderr, nor
 * in envward's caches or (for values that were never in a file) anywhere in
 * the project. The scaffold declares no secret() key, so the project here
 * writes its own envward.config.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir, parseJson, type RunOptions, type RunResult, runCli } from '../support/run-cli.ts';

const MASK = '••••••';

const CONFIG = `import { database, defineConfig, log, secret, z } from 'envward';

export default defineConfig({
  use: [log, database],
  schema: z.object({
    app: z.object({ port: z.number().int().min(0).max(65535).default(3000) }),
    api: z.object({ token: secret(z.string().startsWith('sk_')) }),
    database: z.object({
      password: secret(z.string().min(8)).optional(),
    }),
  }),
  variables: { 'database.password': 'DB_SECRET_PASSWORD' },
});
`;

const hex = () => randomBytes(16).toString('hex');

/** Every file under `dir` that contains one of `needles` (as text), relative to `dir`. */
async function filesContaining(dir: string, needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'latin1');
    if (needles.some((needle) => text.includes(needle))) hits.push(path.slice(dir.length + 1));
  }
  return hits;
}

interface Labelled {
  readonly label: string;
  readonly result: RunResult;
}

function assertNoCanary(runs: readonly Labelled[], canaries: readonly string[]): void {
  for (const { label, result } of runs) {
    for (const canary of canaries) {
      assert.ok(!result.stdout.includes(canary), `${label}: a secret value is on stdout:\n${result.stdout}`);
      assert.ok(!result.stderr.includes(canary), `${label}: a secret value is on stderr:\n${result.stderr}`);
    }
  }
}

describe('secret canaries never reach the output', { concurrency: true }, () => {
  // The tests run at once: one that scans a cache for canaries has its own, so no other test is writing to it then.
  const caches: { dir: string; cleanup(): Promise<void> }[] = [];
  const newCache = async () => {
    const made = await makeTempDir('envward-canary-cache-');
    caches.push(made);
    return made.dir;
  };
  let shared = '';
  before(async () => {
    shared = await newCache();
  });
  after(() => Promise.all(caches.map((made) => made.cleanup())));

  /** A project with the secret schema; development's plain files hold their own canaries. */
  async function secretProject(devFile: string, devDotenv: string) {
    const project = await makeTempDir('envward-canary-');
    await mkdir(join(project.dir, 'config/environments/development'), { recursive: true });
    await writeFile(join(project.dir, 'envward.config.ts'), CONFIG);
    await writeFile(join(project.dir, 'config/base.yml'), 'app:\n  port: 3000\ndatabase:\n  url: sqlite:memory\n');
    await writeFile(join(project.dir, 'config/environments/development/settings.yml'), `api:\n  token: ${devFile}\n`);
    await writeFile(join(project.dir, 'config/environments/development/.env'), `DB_SECRET_PASSWORD=${devDotenv}\n`);
    return project;
  }

  function runner(cwd: string, baseEnv: Record<string, string>, cache = shared) {
    return async (label: string, args: string[], options: RunOptions = {}): Promise<Labelled> => {
      const env = { XDG_CACHE_HOME: cache, ...baseEnv, ...options.env };
      return { label, result: await runCli(args, { ...options, cwd, env }) };
    };
  }

  test('through process variables, --set and development files: env, show, explain, validate, diff, failures', async () => {
    const canary = {
      devFile: `sk_${hex()}`,
      devDotenv: hex(),
      env: `sk_${hex()}`, // API_TOKEN, the default mapping of api.token
      password: hex(), // DB_SECRET_PASSWORD, the explicit mapping of database.password
      set: `sk_${hex()}`,
      invalid: hex(), // fails startsWith('sk_'): the secret's own validation error
      unknownKey: `sk_${hex()}`,
    };
    const all = Object.values(canary);
    const cache = await newCache();
    const project = await secretProject(canary.devFile, canary.devDotenv);
    try {
      const run = runner(project.dir, { API_TOKEN: canary.env, DB_SECRET_PASSWORD: canary.password }, cache);
      const set = ['--set', `api.token=${canary.set}`];
      const specs: [string, string[], RunOptions?][] = [
        ['env', ['env', '--env', 'production']],
        ['show production', ['config', 'show', '--env', 'production']],
        ['show development', ['config', 'show']],
        ['show --set', ['config', 'show', '--env', 'staging', ...set]],
        ['explain token', ['config', 'explain', 'api.token', '--env', 'production']],
        ['explain token development', ['config', 'explain', 'api.token']],
        ['explain token --set', ['config', 'explain', 'api.token', '--env', 'production', ...set]],
        ['explain password development', ['config', 'explain', 'database.password']],
        ['validate --all', ['config', 'validate', '--all']],
        ['validate --set', ['config', 'validate', '--env', 'production', ...set]],
        ['diff', ['config', 'diff', 'development', 'production']],
        ['diff --set', ['config', 'diff', 'staging', 'production', ...set]],
        ['fail: other value', ['config', 'show', '--env', 'production', '--set', 'app.port=not-a-port']],
        ['fail: explain other value', ['config', 'explain', 'api.token', '--set', 'app.port=70000']],
        ['fail: validate rule', ['config', 'validate', '--env', 'production', '--set', 'log.level=debug']],
        ['fail: diff', ['config', 'diff', 'staging', 'production', '--set', 'app.port=x']],
        ['fail: secret invalid', ['config', 'show', '--env', 'staging'], { env: { API_TOKEN: canary.invalid } }],
        ['fail: validate secret invalid', ['config', 'validate', '--all'], { env: { API_TOKEN: canary.invalid } }],
        ['fail: --set unknown key', ['config', 'show', '--set', `api.tokn=${canary.unknownKey}`]],
        ['fail: debug', ['config', 'show', '--env', 'staging', '--debug'], { env: { API_TOKEN: canary.invalid } }],
      ];
      const runs = await Promise.all(
        specs.flatMap(([label, args, options]) => [
          run(label, args, options),
          run(`${label} --json`, [...args, '--json'], options),
        ]),
      );
      assertNoCanary(runs, all);

      const byLabel = new Map(runs.map((r) => [r.label, r.result]));
      const get = (label: string) => byLabel.get(label) as RunResult;
      // The values did flow in (the absence above is not for want of input).
      for (const [label, code] of specs.map(([label]) => [label, label.startsWith('fail') ? 'fail' : 'ok'] as const)) {
        const result = get(label);
        if (code === 'ok') assert.equal(result.code, 0, `${label}: ${result.stderr}`);
        else assert.notEqual(result.code, 0, `${label} fails`);
      }
      const shown = parseJson(get('show production --json').stdout).keys as {
        key: string;
        value: unknown;
        source: string;
      }[];
      assert.deepEqual(
        shown.filter((row) => row.key === 'api.token' || row.key === 'database.password'),
        [
          { key: 'api.token', value: MASK, secret: true, source: '$API_TOKEN', layer: 'process-env' },
          { key: 'database.password', value: MASK, secret: true, source: '$DB_SECRET_PASSWORD', layer: 'process-env' },
        ],
      );
      assert.match(get('show production').stdout, new RegExp(`^ {2}api\\.token +${MASK} {2}<- \\$API_TOKEN$`, 'm'));

      const explained = parseJson(get('explain token --set --json').stdout);
      assert.equal(explained.value, MASK);
      assert.equal((explained.winner as { source: { layer: string } }).source.layer, 'explicit');
      assert.deepEqual(
        (explained.overridden as { value: unknown; source: { layer: string } }[]).map((e) => [e.source.layer, e.value]),
        [['process-env', MASK]],
      );
      const devExplained = parseJson(get('explain token development --json').stdout);
      assert.deepEqual(
        (devExplained.overridden as { value: unknown; source: { layer: string } }[]).map((e) => [
          e.source.layer,
          e.value,
        ]),
        [['environment-file', MASK]],
      );
      const password = parseJson(get('explain password development --json').stdout);
      assert.deepEqual(
        (password.overridden as { value: unknown; source: { layer: string } }[]).map((e) => [e.source.layer, e.value]),
        [['environment-dotenv', MASK]],
      );

      const diff = parseJson(get('diff --json').stdout).differences as { key: string; kind: string; secret: boolean }[];
      assert.deepEqual(
        diff.filter((d) => d.secret).map((d) => [d.key, d.kind]),
        [
          ['api.token', 'same'],
          ['database.password', 'same'],
        ],
      );
      assert.match(get('diff').stdout, /^ {2}api\.token: secret, same$/m);

      const invalid = parseJson(get('fail: validate secret invalid --json').stdout);
      const issues = (invalid.environments as { issues: { key: string; source?: string }[] }[]).flatMap(
        (e) => e.issues,
      );
      assert.ok(issues.some((issue) => issue.key === 'api.token' && issue.source === '$API_TOKEN'));
      assert.match(get('fail: debug').stderr, /^\s+at /m, '--debug printed a stack trace');
    } finally {
      await project.cleanup();
    }
    // Values that came from variables or arguments are written nowhere: not to the caches.
    assert.deepEqual(await filesContaining(cache, all), []);
  });

  test('through the encrypted secrets store: set, list, show, explain, validate, diff, scan', async () => {
    const canary = {
      devFile: `sk_${hex()}`,
      devDotenv: hex(),
      staging: `sk_${hex()}`,
      production: `sk_${hex()}`,
      password: hex(), // the same in both: diff says "same", scan may call it shared
      weak: `sk_${randomBytes(3).toString('hex')}`, // too short for a protected tier
      unset: `sk_${hex()}`, // written to stdin of a refused `set`
    };
    const all = Object.values(canary);
    const cache = await newCache();
    const project = await secretProject(canary.devFile, canary.devDotenv);
    try {
      const run = runner(project.dir, {}, cache);
      const keygen = await Promise.all([
        run('keygen staging', ['secrets', 'keygen', '--env', 'staging']),
        run('keygen production', ['secrets', 'keygen', '--env', 'production', '--json']),
      ]);
      for (const { label, result } of keygen) assert.equal(result.code, 0, `${label}: ${result.stderr}`);

      // One environment's sets one after the other.
      const setBoth = async (environment: 'staging' | 'production', json: string[]) => [
        await run(`set ${environment}`, ['secrets', 'set', 'api.token', '--env', environment, ...json], {
          input: `${canary[environment]}\n`,
        }),
        await run(`set ${environment} password`, ['secrets', 'set', 'database.password', '--env', environment], {
          input: canary.password,
        }),
      ];
      const sets = (await Promise.all([setBoth('staging', []), setBoth('production', ['--json'])])).flat();
      for (const { label, result } of sets) assert.equal(result.code, 0, `${label}: ${result.stderr}`);

      const specs: [string, string[], RunOptions?][] = [
        ['set again', ['secrets', 'set', 'api.token', '--env', 'staging'], { input: canary.staging }],
        ['fail: set weak', ['secrets', 'set', 'api.token', '--env', 'production'], { input: canary.weak }],
        ['fail: set non-secret key', ['secrets', 'set', 'app.port', '--env', 'staging'], { input: canary.unset }],
        ['fail: get without --reveal', ['secrets', 'get', 'api.token', '--env', 'staging']],
        ['list', ['secrets', 'list', '--env', 'staging']],
        ['show', ['config', 'show', '--env', 'staging']],
        ['explain', ['config', 'explain', 'api.token', '--env', 'production']],
        ['validate', ['config', 'validate', '--env', 'production']],
        ['diff', ['config', 'diff', 'staging', 'production']],
        ['env', ['env', '--env', 'staging']],
        ['scan', ['scan']],
        ['fail: other value', ['config', 'show', '--env', 'production', '--set', 'app.port=-1']],
      ];
      const runs = await Promise.all(
        specs.flatMap(([label, args, options]) => [
          run(label, args, options),
          run(`${label} --json`, [...args, '--json'], options),
        ]),
      );
      assertNoCanary([...keygen, ...sets, ...runs], all);

      const get = (label: string) => runs.find((r) => r.label === label)?.result as RunResult;
      for (const [label] of specs) {
        const result = get(label);
        if (label.startsWith('fail')) assert.notEqual(result.code, 0, `${label} fails`);
        else if (label !== 'scan') assert.equal(result.code, 0, `${label}: ${result.stderr}`);
      }
      const explained = parseJson(get('explain --json').stdout);
      assert.equal(explained.value, MASK);
      assert.equal((explained.winner as { source: { layer: string } }).source.layer, 'secrets');
      const diff = parseJson(get('diff --json').stdout).differences as { key: string; kind: string; secret: boolean }[];
      assert.deepEqual(
        diff.filter((d) => d.secret).map((d) => [d.key, d.kind]),
        [
          ['api.token', 'changed'],
          ['database.password', 'same'],
        ],
      );
      assert.match(get('diff').stdout, /^ {2}api\.token: secret, differs$/m);
      const listed = parseJson(get('list --json').stdout);
      assert.deepEqual((listed.secrets as { key: string }[]).map((s) => s.key).sort(), [
        'api.token',
        'database.password',
      ]);

      // The store holds ciphertext only: no value set through it is in any file of the project.
      const stored = [canary.staging, canary.production, canary.password, canary.weak, canary.unset];
      assert.deepEqual(await filesContaining(project.dir, stored), []);
    } finally {
      await project.cleanup();
    }
    assert.deepEqual(await filesContaining(cache, all), []);
  });

  test('two `secrets set` at once in one environment both land', {}, async () => {
    const project = await secretProject(`sk_${hex()}`, hex());
    try {
      const run = runner(project.dir, {});
      assert.equal((await run('keygen', ['secrets', 'keygen', '--env', 'staging'])).result.code, 0);
      const sets = await Promise.all([
        // Processes of their own, to contend for the secrets file.
        run('token', ['secrets', 'set', 'api.token', '--env', 'staging'], { input: `sk_${hex()}`, spawn: true }),
        run('password', ['secrets', 'set', 'database.password', '--env', 'staging'], { input: hex(), spawn: true }),
      ]);
      for (const { label, result } of sets) assert.equal(result.code, 0, `${label}: ${result.stderr}`);
      const listed = await run('list', ['secrets', 'list', '--env', 'staging', '--json']);
      const keys = (parseJson(listed.result.stdout).secrets as { key: string }[]).map((s) => s.key).sort();
      assert.deepEqual(keys, ['api.token', 'database.password']);
    } finally {
      await project.cleanup();
    }
  });

  /** A project whose secrets fail validation with text made from their values, and a DATABASE_URL with a password. */
  const HOSTILE_MESSAGES_CONFIG = `import { database, defineConfig, secret, z } from 'envward';

export default defineConfig({
  use: [database],
  schema: z.object({
    api: z.object({
      token: secret(z.string().refine((v) => v.startsWith('sk_'), { error: (iss) => \`bad token \${String(iss.input)}\` })),
      headers: secret(z.record(z.string(), z.string().min(40))).optional(),
    }),
  }),
  rules: [{ name: 'token-shape', check: (v) => [{ key: 'api.token', message: \`\${v.api.token} looks wrong\` }] }],
});
`;

  test('validation errors of secret keys and URL passwords: show, explain, validate, diff, preflight', async () => {
    const canary = {
      token: hex(), // fails the refine(), whose message quotes the input
      header: `X-${hex()}`, // a key of the secret record, whose value fails min(40)
      password: hex(), // the password of DATABASE_URL
      validToken: `sk_${hex()}`, // passes the schema; the project rule quotes it
    };
    const project = await makeTempDir('envward-canary-messages-');
    try {
      await mkdir(join(project.dir, 'config/environments/staging'), { recursive: true });
      await writeFile(join(project.dir, 'envward.config.ts'), HOSTILE_MESSAGES_CONFIG);
      await writeFile(join(project.dir, 'config/environments/staging/settings.yml'), 'database:\n  url: sqlite:x.db\n');
      const databaseUrl = `postgres://app:${canary.password}@127.0.0.1:5432/envward_canary_absent`;
      const invalid = {
        API_TOKEN: canary.token,
        API_HEADERS: JSON.stringify({ [canary.header]: 'short' }),
        DATABASE_URL: databaseUrl,
      };
      const valid = { API_TOKEN: canary.validToken, DATABASE_URL: databaseUrl };
      const run = runner(project.dir, {});
      const specs: [string, string[], RunOptions][] = [
        ['fail: show', ['config', 'show', '--env', 'staging'], { env: invalid }],
        ['fail: explain', ['config', 'explain', 'database.url', '--env', 'staging'], { env: invalid }],
        ['fail: validate', ['config', 'validate', '--env', 'staging'], { env: invalid }],
        ['fail: validate --all', ['config', 'validate', '--all'], { env: invalid }],
        ['fail: diff', ['config', 'diff', 'staging', 'production'], { env: invalid }],
        ['fail: preflight', ['preflight', 'staging'], { env: invalid }],
        ['fail: rule show', ['config', 'show', '--env', 'staging'], { env: valid }],
        ['fail: rule preflight', ['preflight', 'staging'], { env: valid }],
      ];
      const runs = await Promise.all(
        specs.flatMap(([label, args, options]) => [
          run(label, args, options),
          run(`${label} --json`, [...args, '--json'], options),
        ]),
      );
      assertNoCanary(runs, Object.values(canary));
      const get = (label: string) => runs.find((r) => r.label === label)?.result as RunResult;
      for (const [label] of specs) assert.notEqual(get(label).code, 0, `${label} fails`);
      // The problems are reported, at the secret key, with the message withheld.
      const report = parseJson(get('fail: validate --json').stdout);
      const issues = (report.environments as { issues: { key: string; message: string }[] }[]).flatMap((e) => e.issues);
      assert.deepEqual(issues.map((issue) => issue.key).sort(), ['api.headers', 'api.token']);
      for (const issue of issues) assert.match(issue.message, /secret; message withheld/);
      assert.match(get('fail: show').stderr, /api\.headers .*message withheld/);
      assert.match(get('fail: rule show').stderr, /api\.token .*message withheld.*rule token-shape/);
    } finally {
      await project.cleanup();
    }
  });

  test('a password in a database URL is masked by show, explain, validate, diff and preflight', async () => {
    const password = hex();
    const project = await makeTempDir('envward-canary-url-');
    try {
      await writeFile(
        join(project.dir, 'envward.config.ts'),
        `import { database, defineConfig, z } from 'envward';\nexport default defineConfig({ use: [database], schema: z.object({ database: z.object({ replicas: z.array(z.string()).default([]) }) }) });\n`,
      );
      // In settings files (database.url is not secret()) and in a variable.
      for (const [environment, database] of [
        ['staging', 'envward_canary_absent'],
        ['production', 'envward_canary_other'],
      ]) {
        await mkdir(join(project.dir, `config/environments/${environment}`), { recursive: true });
        await writeFile(
          join(project.dir, `config/environments/${environment}/settings.yml`),
          `database:\n  url: postgres://app:${password}@127.0.0.1:5432/${database}\n`,
        );
      }
      const env = {
        DATABASE_REPLICAS: JSON.stringify([`postgres://reader:${password}@127.0.0.1:5432/replica`]),
      };
      const run = runner(project.dir, env);
      const specs: [string, string[]][] = [
        ['show', ['config', 'show', '--env', 'staging']],
        ['explain', ['config', 'explain', 'database.url', '--env', 'staging']],
        ['explain replicas', ['config', 'explain', 'database.replicas', '--env', 'staging']],
        ['validate', ['config', 'validate', '--all']],
        ['diff', ['config', 'diff', 'staging', 'production']],
        ['preflight', ['preflight', 'staging']],
      ];
      const runs = await Promise.all(
        specs.flatMap(([label, args]) => [run(label, args), run(`${label} --json`, [...args, '--json'])]),
      );
      assertNoCanary(runs, [password]);
      const get = (label: string) => runs.find((r) => r.label === label)?.result as RunResult;
      assert.equal(get('show').code, 0, get('show').stderr);
      assert.match(
        get('show').stdout,
        /database\.url +postgres:\/\/app:\*\*\*@127\.0\.0\.1:5432\/envward_canary_absent/,
      );
      assert.equal(
        parseJson(get('explain --json').stdout).value,
        'postgres://app:***@127.0.0.1:5432/envward_canary_absent',
      );
      assert.deepEqual(parseJson(get('explain replicas --json').stdout).value, [
        'postgres://reader:***@127.0.0.1:5432/replica',
      ]);
      assert.match(get('diff').stdout, /app:\*\*\*@/);
    } finally {
      await project.cleanup();
    }
  });

  test('a malformed --set does not echo a secret value', {}, async () => {
    const canary = `sk_${hex()}`;
    // The --set argument is checked before the project is read: no project needed.
    const empty = await makeTempDir('envward-canary-set-');
    try {
      const run = runner(empty.dir, {});
      const runs = await Promise.all([
        run('--set with ":"', ['config', 'show', '--set', `api.token:${canary}`]),
        run('--set with ":" --json', ['config', 'show', '--set', `api.token:${canary}`, '--json']),
      ]);
      for (const { result } of runs) {
        assert.equal(result.code, 2);
        assert.match(result.stderr, /^error\[EW_USAGE\]: --set expects key=value/);
      }
      assertNoCanary(runs, [canary]);
    } finally {
      await empty.cleanup();
    }
  });
});
