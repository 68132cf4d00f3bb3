/**
 * Hostile values on every surface flags add: targeting and json values as
 * text (variables, runtime revisions) that are huge, binary, nested
 * thousands deep or aimed at prototypes; flag names and evaluation contexts
 * a caller controls. Each is a clear EW_ issue at its key, or an ordinary
 * evaluation: never a crash, a polluted prototype or a revision written.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ConfigInvalidError } from '../../src/errors.ts';
import { envwardFlags } from '../../src/flags/index.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { configHistory, setConfig } from '../../src/runtime/index.ts';
import { makeStoreProject, type StoreProject } from '../support/store-project.ts';
import type { TempProject } from '../support/temp-project.ts';
import { flagsProject } from './flags-project.ts';

const temps: TempProject[] = [];
const stores: StoreProject[] = [];
after(async () => {
  for (const made of temps) made.cleanup();
  for (const made of stores) await made.cleanup();
});

function project(): TempProject {
  const made = flagsProject();
  temps.push(made);
  return made;
}

const resolveWith = (dir: string, variables: Record<string, string>) =>
  resolveConfig<unknown>({ cwd: dir, env: 'development', checkHost: false, variables });

/** The issues (code and key) resolving with `variables` reports. */
async function issuesWith(dir: string, variables: Record<string, string>): Promise<string[]> {
  try {
    await resolveWith(dir, variables);
  } catch (error) {
    assert.ok(error instanceof ConfigInvalidError, String(error));
    return error.issues.map((issue) => `${issue.code} ${issue.key}: ${issue.message}`);
  }
  return [];
}

const DEEP = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('hostile flag values', () => {
  test('JSON text nested 20,000 deep is refused at its key, not a stack overflow', async () => {
    const { dir } = project();
    const banner = await issuesWith(dir, { FLAGS_BANNER_VALUE: `{"a":${DEEP(20_000)}}` });
    assert.deepEqual(banner, [
      'EW_CONFIG_TYPE flags.banner.value: expected JSON (an array or object) nested at most 64 deep',
    ]);
    const targeting = await issuesWith(dir, { FLAGS_CHECKOUT_TARGETING: DEEP(20_000) });
    assert.equal(targeting.length, 1);
    assert.match(targeting[0] ?? '', /^EW_CONFIG_TYPE flags\.checkout\.targeting: .*nested at most 64 deep/);
  });

  test('JSON nested 63 deep, within the limit, is accepted', async () => {
    const { dir } = project();
    let value = '1';
    for (let depth = 0; depth < 63; depth += 1) value = `{"a":${value}}`;
    assert.deepEqual(await issuesWith(dir, { FLAGS_BANNER_VALUE: value }), []);
  });

  test('too many rules, users or characters are refused at the rule, in bounded time', async () => {
    const { dir } = project();
    const rules = JSON.stringify(Array.from({ length: 101 }, () => ({ value: 'express' })));
    assert.match(
      (await issuesWith(dir, { FLAGS_CHECKOUT_TARGETING: rules }))[0] ?? '',
      /flags\.checkout\.targeting: .*<=100/,
    );
    const users = JSON.stringify([{ value: 'express', users: Array.from({ length: 10_001 }, (_, i) => `u${i}`) }]);
    assert.match(
      (await issuesWith(dir, { FLAGS_CHECKOUT_TARGETING: users }))[0] ?? '',
      /flags\.checkout\.targeting\.0\.users: .*<=10000/,
    );
    const long = JSON.stringify([{ value: 'express', tenants: ['t'.repeat(257)] }]);
    assert.match((await issuesWith(dir, { FLAGS_CHECKOUT_TARGETING: long }))[0] ?? '', /targeting\.0\.tenants\.0/);
    const reason = await issuesWith(dir, { FLAGS_NEW_FEE_RULE_REASON: 'r'.repeat(1001) });
    assert.match(reason[0] ?? '', /flags\.newFeeRule\.reason/);
  });

  test('binary text, wrong types and unknown rule fields are refused at their key', async () => {
    const { dir } = project();
    const cases: [Record<string, string>, RegExp][] = [
      [{ FLAGS_CHECKOUT_TARGETING: '\u0000\u0001\u00ff{[' }, /flags\.checkout\.targeting: expected JSON/],
      [{ FLAGS_NEW_FEE_RULE_VALUE: '\u0000' }, /flags\.newFeeRule\.value: expected a boolean/],
      [{ FLAGS_RETRY_BUDGET_VALUE: '0x10' }, /flags\.retryBudget\.value: expected a decimal number/],
      [{ FLAGS_BANNER_VALUE: '"just text"' }, /flags\.banner\.value/],
      [{ FLAGS_BANNER_VALUE: '[1,2]' }, /flags\.banner\.value/],
      [{ FLAGS_CHECKOUT_TARGETING: '{"value":"express"}' }, /flags\.checkout\.targeting/],
      [{ FLAGS_CHECKOUT_TARGETING: '[{"value":"express","percentage":"50"}]' }, /targeting\.0\.percentage/],
      [{ FLAGS_CHECKOUT_TARGETING: '[{"value":"express","eval":"x"}]' }, /flags\.checkout\.targeting\.0/],
      [{ FLAGS_CHECKOUT_TARGETING: '[{"value":"express","variant":"a\\nb"}]' }, /targeting\.0\.variant/],
    ];
    for (const [variables, expected] of cases) {
      const issues = await issuesWith(dir, variables);
      assert.equal(issues.length, 1, `${JSON.stringify(variables)}: ${issues.join('; ')}`);
      assert.match(issues[0] ?? '', expected);
    }
  });

  test('__proto__ and constructor in rules and json values pollute nothing and match nothing', async () => {
    const { dir } = project();
    const resolved = await resolveWith(dir, {
      FLAGS_BANNER_VALUE: '{"__proto__":{"polluted":true},"text":"x"}',
      FLAGS_CHECKOUT_TARGETING:
        '[{"value":"express","attributes":{"constructor":"x"}},{"value":"one-click","attributes":{"toString":"y"}}]',
    });
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    const provider = envwardFlags(resolved);
    const details = await provider.resolveStringEvaluation('checkout', 'fallback', {});
    assert.deepEqual([details.value, details.reason], ['classic', 'DEFAULT']);
    const banner = await provider.resolveObjectEvaluation('banner', {}, {});
    assert.equal((banner.value as { polluted?: unknown }).polluted, undefined);
  });

  test('a revision with a deep or mistyped flag value is refused and writes no revision', async () => {
    const store = await makeStoreProject('sqlite', {
      files: {
        'envward.config.ts': `import { database, defineConfig, z } from 'envward';
import { flags } from 'envward/flags';
export default defineConfig({
  use: [database, flags({ banner: { type: 'json', default: {} }, on: { type: 'boolean', default: false } })],
  schema: z.object({}),
});
`,
      },
    });
    stores.push(store);
    const target = { cwd: store.dir, env: 'development', variables: {}, reason: 'hostile' };
    await setConfig({ ...target, set: { 'flags.on.value': 'true' } });
    for (const set of [
      { 'flags.banner.value': `{"a":${DEEP(20_000)}}` },
      { 'flags.on.value': 'maybe' },
      { 'flags.on.targeting': '[{"value":"yes"}]' },
    ]) {
      await assert.rejects(
        setConfig({ ...target, set }),
        (error: { code?: string }) => error.code === 'EW_CONFIG_INVALID',
      );
    }
    const { revisions } = await configHistory({ cwd: store.dir, env: 'development', variables: {} });
    assert.equal(revisions.length, 1);
  });
});

describe('hostile evaluations', () => {
  test('a flag name that is huge or holds control characters is FLAG_NOT_FOUND with a short, one-line message', async () => {
    const resolved = await resolveWith(project().dir, {});
    const provider = envwardFlags(resolved);
    const details = await provider.resolveBooleanEvaluation(`${'x'.repeat(1_000_000)}\n\u001b[2J`, true, {});
    assert.deepEqual([details.value, details.errorCode], [true, 'FLAG_NOT_FOUND']);
    assert.ok((details.errorMessage ?? '').length < 200);
    assert.equal(/[\n\r]/.test(details.errorMessage ?? ''), false);
    assert.equal((details.errorMessage ?? '').includes('\u001b'), false);
    for (const name of ['__proto__', 'constructor', 'toString', '']) {
      assert.equal((await provider.resolveBooleanEvaluation(name, true, {})).errorCode, 'FLAG_NOT_FOUND', name);
    }
  });

  test('odd contexts evaluate: no context, a numeric targeting key, a 1 MB key, objects as attributes', async () => {
    const resolved = await resolveWith(project().dir, {
      FLAGS_CHECKOUT_TARGETING: '[{"value":"express","users":["1"]},{"value":"one-click","percentage":100}]',
    });
    const provider = envwardFlags(resolved);
    const evaluate = (context: unknown) => provider.resolveStringEvaluation('checkout', 'x', context as never);
    assert.equal((await evaluate(undefined)).value, 'classic');
    assert.equal((await evaluate({ targetingKey: 1 })).value, 'classic');
    assert.equal((await evaluate({ targetingKey: '1' })).value, 'express');
    assert.equal((await evaluate({ targetingKey: 'k'.repeat(1_000_000) })).value, 'one-click');
    assert.equal((await evaluate({ user: { toString: () => '1' } })).value, 'classic');
    assert.equal((await evaluate({ targetingKey: '', user: '1' })).value, 'express');
  });
});
