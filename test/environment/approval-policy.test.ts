/** The change-approval policy declared on an environment (docs/environments.md, docs/requests.md). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildEnvironmentCatalogue } from '../../src/environment/index.ts';

test('approvals default to none, and a declared policy resolves frozen with its kinds', () => {
  const catalogue = buildEnvironmentCatalogue({
    production: { approvals: { required: 2 } },
    staging: { approvals: { required: 1, for: ['secrets', 'secrets'] } },
  });
  assert.equal(catalogue.get('development', 'test').approvals.required, 0);
  const production = catalogue.get('production', 'test').approvals;
  assert.deepEqual([production.required, [...production.for]], [2, ['config', 'secrets', 'migrations']]);
  assert.ok(Object.isFrozen(production) && Object.isFrozen(production.for));
  assert.deepEqual([...catalogue.get('staging', 'test').approvals.for], ['secrets']);
});

test('a bad policy is EW_ENV_DEFINITION naming what is wrong', () => {
  const bad: unknown[] = [
    { required: 6 },
    { required: -1 },
    { required: 1.5 },
    { required: '1' },
    { required: 1, for: [] },
    { required: 1, for: ['flags'] },
    { required: 1, for: 'config' },
    { required: 1, approvers: ['ada'] },
    'yes',
    null,
    [1],
  ];
  for (const approvals of bad) {
    assert.throws(
      () => buildEnvironmentCatalogue({ production: { approvals } as never }),
      (error: { code?: string; message?: string }) =>
        error.code === 'EW_ENV_DEFINITION' && (error.message ?? '').includes('approvals'),
      JSON.stringify(approvals),
    );
  }
});
