/** Slots declared in envward.config.ts: checked when the catalogue is built, resolved as a frozen list. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildEnvironmentCatalogue } from '../../src/environment/index.ts';
import { isEnvwardError } from '../../src/errors.ts';

const refused = (slots: unknown) => () =>
  buildEnvironmentCatalogue({ production: { slots: slots as readonly string[] } });

function assertDefinitionError(run: () => unknown, pattern: RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(isEnvwardError(error));
    assert.equal(error.code, 'EW_ENV_DEFINITION');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('slots in an environment declaration', () => {
  test('declared slots resolve in order, frozen; an environment without them has none', () => {
    const catalogue = buildEnvironmentCatalogue({ production: { slots: ['blue', 'green'] } });
    assert.deepEqual(catalogue.get('production', 'test').slots, ['blue', 'green']);
    assert.ok(Object.isFrozen(catalogue.get('production', 'test').slots));
    assert.deepEqual(catalogue.get('staging', 'test').slots, []);
  });

  test('one slot, five slots, a repeated name or a non-list are EW_ENV_DEFINITION', () => {
    assertDefinitionError(refused(['blue']), /1 entry, not 2-4/);
    assertDefinitionError(refused(['a', 'b', 'c', 'd', 'e']), /5 entries/);
    assertDefinitionError(refused(['blue', 'blue']), /a name twice/);
    assertDefinitionError(refused('blue,green'), /of type string, not a list/);
    assertDefinitionError(refused(null), /of type null/);
  });

  test('names that are not slot names are refused: ../, upper case, too long, binary, not text', () => {
    for (const bad of ['../x', 'Blue', 'x'.repeat(21), 'bl\u0000ue', '1blue', '', 42]) {
      assertDefinitionError(refused(['green', bad]), /not a slot name/);
    }
  });
});

describe('deploy.slots in settings', () => {
  const config = `import { defineConfig, z } from 'envward';
import { deploy } from 'envward/runtime';
export default defineConfig({
  use: [deploy],
  schema: z.object({}),
  environments: { 'slots-qa': { tier: 'development', slots: ['blue', 'green'] } },
});
`;

  test('a slot the environment does not declare is EW_RULE_SLOT_UNDECLARED; declared ones pass', async () => {
    const { makeTempProject } = await import('../support/temp-project.ts');
    const { resolveConfig } = await import('../../src/index.ts');
    const project = makeTempProject({
      'envward.config.ts': config,
      'config/environments/slots-qa/settings.yml':
        'deploy:\n  slots:\n    blue: [http://127.0.0.1:3001]\n    purple: [http://127.0.0.1:3003]\n',
      'config/environments/development/settings.yml': 'deploy:\n  slots:\n    blue: [http://127.0.0.1:3001]\n',
    });
    try {
      for (const [env, expected] of [
        ['slots-qa', ['deploy.slots.purple']],
        ['development', ['deploy.slots.blue']],
      ] as const) {
        const resolved = await resolveConfig({ cwd: project.dir, env, collectIssues: true, checkHost: false });
        const found = resolved.issues.filter((issue) => issue.code === 'EW_RULE_SLOT_UNDECLARED');
        assert.deepEqual(
          found.map((issue) => issue.key),
          expected,
          env,
        );
      }
      project.write(
        'config/environments/slots-qa/settings.yml',
        'deploy:\n  slots:\n    green: [http://127.0.0.1:3002]\n',
      );
      const clean = await resolveConfig({ cwd: project.dir, env: 'slots-qa', collectIssues: true, checkHost: false });
      assert.deepEqual(clean.issues, []);
    } finally {
      project.cleanup();
    }
  });
});
