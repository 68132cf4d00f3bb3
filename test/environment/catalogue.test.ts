import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildEnvironmentCatalogue } from '../../src/environment/index.ts';
import {
  EnvDefinitionError,
  type EnvironmentDeclaration,
  EnvNameError,
  isProtectedTier,
  openProject,
  TIERS,
} from '../../src/index.ts';
import { writeStandardProject } from '../support/temp-project.ts';

function assertDefinitionError(declarations: Record<string, EnvironmentDeclaration>, message: RegExp) {
  assert.throws(
    () => buildEnvironmentCatalogue(declarations, 'my/envward.config.ts'),
    (error: unknown) => {
      assert.ok(error instanceof EnvDefinitionError, `expected EnvDefinitionError, got ${String(error)}`);
      assert.equal(error.code, 'EW_ENV_DEFINITION');
      assert.equal(error.kind, 'problem');
      assert.equal(error.details.file, 'my/envward.config.ts');
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('built-in environments', () => {
  test('the four built-ins, in tier order, with their tier, code, colour and protection', () => {
    const catalogue = buildEnvironmentCatalogue();
    assert.deepEqual(catalogue.names, ['development', 'test', 'staging', 'production']);
    const summary = catalogue.all.map((e) => [e.name, e.tier, e.code, e.colour, e.protected, e.hosts]);
    assert.deepEqual(summary, [
      ['development', 'development', 'DEV', 'green', false, []],
      ['test', 'test', 'TST', 'blue', false, []],
      ['staging', 'staging', 'STG', 'amber', true, []],
      ['production', 'production', 'PRD', 'red', true, []],
    ]);
    assert.deepEqual(
      TIERS.map((tier) => isProtectedTier(tier)),
      [false, false, true, true, false],
    );
  });

  test('environments are frozen', () => {
    const production = buildEnvironmentCatalogue().get('production', 'test');
    assert.ok(Object.isFrozen(production));
    assert.ok(Object.isFrozen(production.hosts));
    assert.throws(() => {
      (production as { protected: boolean }).protected = false;
    }, TypeError);
  });

  test('a built-in can be changed (hosts, protection) and keeps its tier and code', () => {
    const catalogue = buildEnvironmentCatalogue({
      production: { hosts: ['app-*.prod.example.com'] },
      staging: { protected: false },
    });
    const production = catalogue.get('production', 'test');
    assert.equal(production.tier, 'production');
    assert.equal(production.code, 'PRD');
    assert.deepEqual(production.hosts, ['app-*.prod.example.com']);
    assert.equal(catalogue.get('staging', 'test').protected, false);
    assert.equal(catalogue.names.length, 4);
  });
});

describe('custom environments', () => {
  test('a custom environment maps to its tier: protection follows the tier, colour is purple, code from the name', () => {
    const catalogue = buildEnvironmentCatalogue({
      qa: { tier: 'staging' },
      'pr-42': { tier: 'development' },
      'load-test': { tier: 'test' },
    });
    assert.deepEqual(catalogue.names, ['development', 'test', 'staging', 'production', 'qa', 'pr-42', 'load-test']);
    const qa = catalogue.get('qa', 'test');
    assert.deepEqual(
      {
        ...qa,
        hosts: [...qa.hosts],
        approvals: { ...qa.approvals, for: [...qa.approvals.for] },
        slots: [...qa.slots],
      },
      {
        name: 'qa',
        tier: 'staging',
        colour: 'purple',
        code: 'QA',
        protected: true,
        hosts: [],
        approvals: { required: 0, for: ['config', 'secrets', 'migrations'] },
        slots: [],
      },
    );
    const preview = catalogue.get('pr-42', 'test');
    assert.equal(preview.tier, 'development');
    assert.equal(preview.protected, false);
    assert.equal(preview.colour, 'purple');
    assert.equal(preview.code, 'PR4');
    assert.equal(catalogue.get('load-test', 'test').code, 'LOA');
  });

  test('a production-tier custom environment is red by default; explicit fields win', () => {
    const catalogue = buildEnvironmentCatalogue({
      'eu-production': { tier: 'production', code: 'EUP', hosts: ['*.eu.prod.example.com'] },
      demo: { tier: 'staging', colour: 'blue', protected: false, code: 'DM1' },
    });
    const eu = catalogue.get('eu-production', 'test');
    assert.equal(eu.colour, 'red');
    assert.equal(eu.protected, true);
    assert.equal(eu.code, 'EUP');
    assert.deepEqual(eu.hosts, ['*.eu.prod.example.com']);
    const demo = catalogue.get('demo', 'test');
    assert.deepEqual([demo.colour, demo.protected, demo.code], ['blue', false, 'DM1']);
  });

  test('a custom environment without a tier is EW_ENV_DEFINITION', () => {
    assertDefinitionError({ qa: {} }, /"qa" needs a tier/);
  });

  test('an unknown tier is EW_ENV_DEFINITION', () => {
    assertDefinitionError({ qa: { tier: 'prod' as never } }, /unknown tier "prod"/);
  });

  test('a short code another environment already has is EW_ENV_DEFINITION', () => {
    // Explicitly the same as a built-in's code.
    assertDefinitionError({ qa: { tier: 'staging', code: 'STG' } }, /"staging" and "qa" share the code "STG"/);
    // Two custom environments whose default codes (first three letters) collide.
    assertDefinitionError(
      { 'preview-1': { tier: 'development' }, 'preview-2': { tier: 'development' } },
      /"preview-1" and "preview-2" share the code "PRE"/,
    );
  });

  test('a malformed short code is EW_ENV_DEFINITION', () => {
    for (const code of ['qa', 'Q', 'QUALI', 'Q-A']) {
      assertDefinitionError({ qa: { tier: 'staging', code } }, /code/);
    }
  });

  test('a bad environment name in the declarations is EW_ENV_NAME', () => {
    assert.throws(() => buildEnvironmentCatalogue({ QA: { tier: 'staging' } }), EnvNameError);
    assert.throws(() => buildEnvironmentCatalogue({ 'eu/prod': { tier: 'production' } }), { code: 'EW_ENV_NAME' });
  });

  test('a name starting with a digit gets a valid default code (docs: codes are "2 to 4 upper-case letters or digits")', {}, () => {
    const catalogue = buildEnvironmentCatalogue({ '1st': { tier: 'development' }, '42': { tier: 'test' } });
    assert.equal(catalogue.get('1st', 'test').code, '1ST');
    assert.equal(catalogue.get('42', 'test').code, '42');
  });
});

describe('catalogue from a project', () => {
  test("openProject builds the catalogue from envward.config.ts's environments", async (t) => {
    const project = writeStandardProject();
    t.after(() => project.cleanup());
    const opened = await openProject(project.dir);
    assert.deepEqual(opened.environments.names, ['development', 'test', 'staging', 'production', 'qa']);
    assert.equal(opened.environments.get('qa', 'test').tier, 'staging');
    assert.equal(opened.environments.get('qa', 'test').protected, true);
  });

  test('a custom environment without a tier in envward.config.ts fails openProject with EW_ENV_DEFINITION', async (t) => {
    const project = writeStandardProject({ environments: 'qa: {},' });
    t.after(() => project.cleanup());
    await assert.rejects(openProject(project.dir), (error: unknown) => {
      assert.ok(error instanceof EnvDefinitionError);
      assert.match(error.message, /envward\.config\.ts/);
      return true;
    });
  });
});
