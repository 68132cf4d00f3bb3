/**
 * The flags fragment: per-environment values with file:line, declarations
 * checked when the project loads (EW_FLAG_DEFINITION), targeting rules
 * validated against the flag's type, and the production tier's rules
 * (forbidden, requires-reason) in validation and `config validate`.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ConfigInvalidError } from '../../src/errors.ts';
import { FlagDefinitionError, flags } from '../../src/flags/index.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { runCli } from '../support/run-cli.ts';
import type { TempProject } from '../support/temp-project.ts';
import { flagsProject, resolveFlags } from './flags-project.ts';

const resolveWith = (dir: string, variables: Record<string, string>) =>
  resolveConfig<unknown>({ cwd: dir, env: 'development', checkHost: false, variables });

const projects: TempProject[] = [];
const project = (...args: Parameters<typeof flagsProject>) => {
  const made = flagsProject(...args);
  projects.push(made);
  return made;
};
after(() => {
  for (const made of projects) made.cleanup();
});

function issueCodes(error: unknown): string[] {
  assert.ok(error instanceof ConfigInvalidError, String(error));
  return error.issues.map((issue) => `${issue.code} ${issue.key}`);
}

describe('flags settings', () => {
  test('each flag has a value per environment, at its default unless a file sets it, with file and line', async () => {
    const { dir } = project({ staging: 'flags:\n  newFeeRule:\n    value: true\n  retryBudget:\n    value: 5\n' });
    const staging = await resolveFlags(dir, 'staging');
    const values = (staging.values as { flags: Record<string, { value: unknown; targeting: unknown[] }> }).flags;
    assert.equal(values.newFeeRule?.value, true);
    assert.equal(values.retryBudget?.value, 5);
    assert.equal(values.checkout?.value, 'classic');
    assert.deepEqual(values.banner?.value, { text: 'welcome', colour: 'green' });
    assert.deepEqual(values.newFeeRule?.targeting, []);
    const winner = staging.explain('flags.newFeeRule.value').winner;
    assert.equal(winner?.source.layer, 'environment-file');
    assert.equal(winner?.source.file, 'config/environments/staging/settings.yml');
    assert.equal(winner?.source.line, 5);
    const development = await resolveFlags(dir, 'development');
    assert.equal(development.explain('flags.newFeeRule.value').winner?.source.layer, 'schema-defaults');
  });

  test('flag keys are live: a runtime revision may change them', async () => {
    const { dir } = project();
    const resolved = await resolveFlags(dir, 'development');
    for (const field of ['value', 'targeting', 'reason']) {
      assert.equal(resolved.project.schema.leaves.get(`flags.newFeeRule.${field}`)?.reload, 'live', field);
    }
    assert.equal(resolved.project.schema.leaves.get('flags.banner.value')?.kind, 'json');
    assert.equal(resolved.project.schema.leaves.get('flags.newFeeRule.targeting')?.kind, 'json');
  });

  test('values from variables are read as the flag type (a json flag from JSON text)', async () => {
    const { dir } = project();
    const resolved = await resolveWith(dir, {
      FLAGS_BANNER_VALUE: '{"text":"sale"}',
      FLAGS_NEW_FEE_RULE_VALUE: 'true',
      FLAGS_NEW_FEE_RULE_TARGETING: '[{"value":false,"users":["u1"]}]',
    });
    const values = (resolved.values as { flags: Record<string, { value: unknown; targeting: unknown }> }).flags;
    assert.deepEqual(values.banner?.value, { text: 'sale' });
    assert.equal(values.newFeeRule?.value, true);
    assert.deepEqual(values.newFeeRule?.targeting, [{ value: false, users: ['u1'] }]);
  });

  test('a value or a rule of the wrong type, a variant not declared or an unknown rule field is refused at its key', async () => {
    const { dir } = project({
      development: [
        'flags:',
        '  newFeeRule:',
        '    value: "yes please"',
        '  checkout:',
        '    value: turbo',
        '    targeting:',
        '      - { value: express, user: [u1] }',
        '  retryBudget:',
        '    targeting:',
        '      - { value: "5", percentage: 120 }',
        '  banner:',
        '    value: [1, 2]',
        '',
      ].join('\n'),
    });
    await assert.rejects(resolveFlags(dir, 'development'), (error) => {
      const codes = issueCodes(error);
      for (const key of [
        'flags.newFeeRule.value',
        'flags.checkout.value',
        'flags.checkout.targeting',
        'flags.retryBudget.targeting',
        'flags.banner.value',
      ]) {
        assert.ok(
          codes.some((code) => code.includes(` ${key}`)),
          `${key} in ${codes.join(', ')}`,
        );
      }
      return true;
    });
  });

  test('in production a forbidden flag must stay at its default and untargeted (EW_RULE_FLAG_FORBIDDEN)', async () => {
    const on = project({ production: 'flags:\n  debugPanel:\n    value: true\n' });
    await assert.rejects(resolveFlags(on.dir, 'production'), (error) => {
      assert.deepEqual(issueCodes(error), ['EW_RULE_FLAG_FORBIDDEN flags.debugPanel.value']);
      assert.match((error as ConfigInvalidError).issues[0]?.message ?? '', /production: 'forbidden'/);
      return true;
    });
    const targeted = project({ production: 'flags:\n  debugPanel:\n    targeting: [{ value: true, users: [ops] }]\n' });
    await assert.rejects(resolveFlags(targeted.dir, 'production'), (error) => {
      assert.deepEqual(issueCodes(error), ['EW_RULE_FLAG_FORBIDDEN flags.debugPanel.targeting']);
      return true;
    });
    // Staging is not production: the same value passes there.
    const staging = project({ staging: 'flags:\n  debugPanel:\n    value: true\n' });
    await resolveFlags(staging.dir, 'staging');
  });

  test('in production a requires-reason flag away from its default needs flags.<name>.reason (EW_RULE_FLAG_REASON)', async () => {
    const bare = project({ production: 'flags:\n  newFeeRule:\n    value: true\n    reason: "   "\n' });
    await assert.rejects(resolveFlags(bare.dir, 'production'), (error) => {
      assert.deepEqual(issueCodes(error), ['EW_RULE_FLAG_REASON flags.newFeeRule.value']);
      assert.match((error as ConfigInvalidError).issues[0]?.message ?? '', /set flags\.newFeeRule\.reason/);
      return true;
    });
    const reasoned = project({
      production: 'flags:\n  newFeeRule:\n    value: true\n    reason: CHG-1432 fee pilot\n',
    });
    const resolved = await resolveFlags(reasoned.dir, 'production');
    assert.equal((resolved.values as { flags: { newFeeRule: { value: boolean } } }).flags.newFeeRule.value, true);
    // At its default it needs no reason.
    await resolveFlags(project().dir, 'production');
  });

  test('config validate --all reports the production rule with its file and line, exit 1', async () => {
    const { dir } = project({ production: 'flags:\n  newFeeRule:\n    value: true\n' });
    const result = await runCli(['config', 'validate', '--all', '--cwd', dir], {
      env: { PAYMENTS_API_KEY: 'sk_live_9b27e4c1' },
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /flags\.newFeeRule\.value \[production\] at config\/environments\/production\/settings\.yml:7: .*\(EW_RULE_FLAG_REASON\)/,
    );
  });
});

describe('flag declarations', () => {
  const wrong: [string, unknown, RegExp][] = [
    ['a name that is not plain', { 'new fee': { type: 'boolean', default: false } }, /flag name is letters/],
    ['a prototype name', { constructor: { type: 'boolean', default: false } }, /flag name/],
    ['an unknown type', { a: { type: 'date', default: 1 } }, /not one of boolean, string, number, json/],
    ['a default of another type', { a: { type: 'number', default: '3' } }, /not a finite number/],
    ['an infinite default', { a: { type: 'number', default: Number.POSITIVE_INFINITY } }, /finite/],
    ['a json default that is a list', { a: { type: 'json', default: [1] } }, /not a JSON object/],
    ['a json default that is not JSON', { a: { type: 'json', default: { at: new Date(0) } } }, /JSON object/],
    ['an unknown production rule', { a: { type: 'boolean', default: false, production: 'never' } }, /`production`/],
    ['variants on a boolean', { a: { type: 'boolean', default: false, variants: ['x'] } }, /string flags only/],
    [
      'a default outside the variants',
      { a: { type: 'string', default: 'z', variants: ['x', 'y'] } },
      /not one of its variants/,
    ],
    ['an unknown field', { a: { type: 'boolean', default: false, productionRequiresReason: true } }, /not a field/],
    ['not an object', { a: true }, /must be an object/],
  ];
  for (const [what, declarations, message] of wrong) {
    test(`${what} is EW_FLAG_DEFINITION naming the flag`, () => {
      assert.throws(
        () => flags(declarations as never),
        (error) =>
          error instanceof FlagDefinitionError && error.code === 'EW_FLAG_DEFINITION' && message.test(error.message),
      );
    });
  }

  test('a wrong declaration in envward.config.ts fails loading with EW_FLAG_DEFINITION', async () => {
    const { dir } = project({}, `{ 'bad name': { type: 'boolean', default: false } }`);
    const result = await runCli(['config', 'show', '--cwd', dir, '--env', 'development'], {});
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /error\[EW_FLAG_DEFINITION\]/);
  });
});
