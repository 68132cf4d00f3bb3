import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ConfigLayer, defaultVariableFor } from '../../src/config/index.ts';
import {
  ConfigKeyUnknownError,
  LAYER_ORDER,
  type LayerName,
  openProject,
  type Project,
  resolveConfig,
} from '../../src/index.ts';
import { type TempProject, writeStandardProject } from '../support/temp-project.ts';

/*
 * The ladder: one key per layer above the schema defaults (`ladder.baseFile`,
 * `ladder.projectDotenv`, ...). Each key is set by its own layer and by every
 * layer below it, each to that layer's name, and by no layer above it. So the
 * value of every key must be the name of its own layer, and explain() must
 * list every lower layer, lowest first.
 */

const camel = (layer: string) => layer.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
const LADDER = LAYER_ORDER.slice(1).map((layer) => ({ layer, key: `ladder.${camel(layer)}`, name: camel(layer) }));
/** The ladder keys layer `layer` sets: its own and every one above it. */
const keysSetBy = (layer: LayerName) => LADDER.slice(LADDER.findIndex((rung) => rung.layer === layer));

type LadderValues = Record<string, string>;
interface Values {
  readonly app: { readonly name: string; readonly port: number; readonly debug: boolean; readonly logLevel: string };
  readonly log: { readonly level: string };
  readonly database: { readonly url: string };
  readonly payments: { readonly apiKey?: string };
  readonly 'feature-flags': { readonly beta: boolean };
  readonly ladder: LadderValues;
}

const yamlFor = (layer: LayerName) =>
  `ladder:\n${keysSetBy(layer)
    .map((rung) => `  ${rung.name}: ${layer}\n`)
    .join('')}`;
const dotenvFor = (layer: LayerName) =>
  keysSetBy(layer)
    .map((rung) => `${defaultVariableFor(rung.key)}=${layer}\n`)
    .join('');
const objectFor = (layer: LayerName) => Object.fromEntries(keysSetBy(layer).map((rung) => [rung.name, layer] as const));

/** A layer given through `layers`, as the secrets and runtime-control capabilities provide theirs. */
function providedLayer(name: LayerName): ConfigLayer {
  return {
    name,
    load: () => ({
      entries: keysSetBy(name).map((rung) => ({
        key: rung.key,
        value: name,
        source: name === 'runtime-revisions' ? { layer: name, revision: 'rev-7' } : { layer: name },
      })),
      issues: [],
    }),
  };
}

// The ladder is a settings fragment, as a capability's are, so the tier-defaults layer has a rung too.
const tierDefaults = JSON.stringify(objectFor('tier-defaults'));
const ladderFragment = `const ladder = defineSettings({
  key: 'ladder',
  capability: 'the precedence test',
  tierDefaults: { development: ${tierDefaults}, test: ${tierDefaults}, staging: ${tierDefaults}, production: ${tierDefaults} },
  schema: () => z.object({
${LADDER.map((rung) => `    ${rung.name}: z.string().default('schema-defaults'),`).join('\n')}
  }),
});`;
const ladderGroup = `'feature-flags': z.object({ beta: z.boolean().default(false) }),`;

let temp: TempProject;
let project: Project;

before(async () => {
  temp = writeStandardProject({
    appFields: "logLevel: z.string().default('info'),",
    schemaGroups: ladderGroup,
    prelude: ladderFragment,
    use: 'ladder',
    definition: `variables: { 'database.url': 'DB_URL' },
  overrides: { development: { ladder: ${JSON.stringify(objectFor('code-overrides'))} } },`,
    files: {
      'config/base.yml': `app:\n  name: from-base\n  port: 3000\n  logLevel: warn\nlog:\n  level: info\n${yamlFor('base-file')}`,
      '.env': dotenvFor('project-dotenv'),
      'config/environments/development/settings.yml': `database:\n  url: postgres://from-settings/app\n${yamlFor('environment-file')}`,
      'config/environments/development/.env': dotenvFor('environment-dotenv'),
    },
  });
  project = await openProject(temp.dir);
});
after(() => temp.cleanup());

const processVariables = () =>
  Object.fromEntries(keysSetBy('process-env').map((rung) => [defaultVariableFor(rung.key), 'process-env']));
const explicitSet = () => Object.fromEntries(keysSetBy('explicit').map((rung) => [rung.key, 'explicit']));

describe('layer precedence', () => {
  test('the ladder covers every layer of LAYER_ORDER above the schema defaults', () => {
    assert.equal(LAYER_ORDER[0], 'schema-defaults');
    assert.equal(LADDER.length, LAYER_ORDER.length - 1);
    assert.equal(LADDER[0]?.layer, 'tier-defaults');
    assert.equal(LADDER.at(-1)?.layer, 'explicit');
  });

  test('every layer beats each layer below it (all ten layers present)', async () => {
    const resolved = await resolveConfig<Values>({
      project,
      env: 'development',
      hostname: 'h',
      variables: processVariables(),
      set: explicitSet(),
      layers: [providedLayer('secrets'), providedLayer('runtime-revisions')],
    });
    for (const [index, rung] of LADDER.entries()) {
      assert.equal(resolved.values.ladder[rung.name], rung.layer, `${rung.key} is won by ${rung.layer}`);
      const explanation = resolved.explain(rung.key);
      assert.equal(explanation.winner?.source.layer, rung.layer);
      assert.deepEqual(
        explanation.overridden.map((entry) => entry.source.layer),
        LAYER_ORDER.slice(0, index + 1),
        `${rung.key} overrode every lower layer, lowest first`,
      );
      assert.deepEqual(
        explanation.overridden.map((entry) => entry.value),
        LAYER_ORDER.slice(0, index + 1),
      );
    }
  });

  test('a layer without a provider is skipped: the layer below wins its rung', async () => {
    const resolved = await resolveConfig<Values>({
      project,
      env: 'development',
      hostname: 'h',
      variables: processVariables(),
      set: explicitSet(),
    });
    assert.equal(resolved.values.ladder.secrets, 'code-overrides');
    assert.equal(resolved.values.ladder.runtimeRevisions, 'process-env');
    assert.equal(resolved.values.ladder.processEnv, 'process-env');
    assert.equal(resolved.values.ladder.explicit, 'explicit');
  });

  test('without variables and set, the file layers and code overrides decide', async () => {
    const resolved = await resolveConfig<Values>({ project, env: 'development', hostname: 'h', variables: {} });
    assert.deepEqual(resolved.values.ladder, {
      tierDefaults: 'tier-defaults',
      baseFile: 'base-file',
      projectDotenv: 'project-dotenv',
      environmentFile: 'environment-file',
      environmentDotenv: 'environment-dotenv',
      codeOverrides: 'code-overrides',
      secrets: 'code-overrides',
      processEnv: 'code-overrides',
      runtimeRevisions: 'code-overrides',
      explicit: 'code-overrides',
    });
  });

  test("another environment's files and overrides are not read", async () => {
    const resolved = await resolveConfig<Values>({ project, env: 'test', hostname: 'h', variables: {} });
    assert.equal(resolved.values.ladder.environmentFile, 'project-dotenv');
    assert.equal(resolved.values.ladder.codeOverrides, 'project-dotenv');
    assert.equal(resolved.values.database.url, 'sqlite:var/test/app.db');
  });
});

describe('process variables', () => {
  test('the default variable of a key is its upper snake case: app.logLevel <- APP_LOG_LEVEL', async () => {
    assert.equal(defaultVariableFor('app.logLevel'), 'APP_LOG_LEVEL');
    assert.equal(defaultVariableFor('database.url'), 'DATABASE_URL');
    assert.equal(defaultVariableFor('feature-flags.beta'), 'FEATURE_FLAGS_BETA');
    const resolved = await resolveConfig<Values>({
      project,
      env: 'development',
      hostname: 'h',
      variables: { APP_LOG_LEVEL: 'error', APP_LOGLEVEL: 'ignored', FEATURE_FLAGS_BETA: 'yes' },
    });
    assert.equal(resolved.values.app.logLevel, 'error');
    assert.deepEqual(resolved.explain('app.logLevel').winner?.source, {
      layer: 'process-env',
      variable: 'APP_LOG_LEVEL',
    });
    assert.deepEqual(
      resolved.explain('app.logLevel').overridden.map((entry) => [entry.source.layer, entry.value]),
      [
        ['schema-defaults', 'info'],
        ['base-file', 'warn'],
      ],
    );
    assert.equal(resolved.values['feature-flags'].beta, true);
  });

  test('an explicitly mapped variable sets its key, and the default name is then not read', async () => {
    const resolved = await resolveConfig<Values>({
      project,
      env: 'development',
      hostname: 'h',
      variables: { DATABASE_URL: 'postgres://default-name/ignored', DB_URL: 'postgres://mapped/app' },
    });
    assert.equal(resolved.values.database.url, 'postgres://mapped/app');
    assert.deepEqual(resolved.explain('database.url').winner?.source, { layer: 'process-env', variable: 'DB_URL' });

    const withoutMapped = await resolveConfig<Values>({
      project,
      env: 'development',
      hostname: 'h',
      variables: { DATABASE_URL: 'postgres://default-name/ignored' },
    });
    assert.equal(withoutMapped.values.database.url, 'postgres://from-settings/app');
  });

  test('the mapped variable also names the key in .env files', async (t) => {
    temp.write('.env', `${dotenvFor('project-dotenv')}DB_URL=postgres://dotenv-mapped/app\n`);
    temp.write('config/environments/test/.env', 'DATABASE_URL=postgres://default-name/ignored\n');
    t.after(() => {
      temp.write('.env', dotenvFor('project-dotenv'));
      temp.write('config/environments/test/.env', '');
    });
    const resolved = await resolveConfig<Values>({ project, env: 'test', hostname: 'h', variables: {} });
    const entries = [resolved.explain('database.url').winner, ...resolved.explain('database.url').overridden];
    assert.ok(
      entries.some((entry) => entry?.source.layer === 'project-dotenv' && entry.source.variable === 'DB_URL'),
      'the project .env set database.url through DB_URL',
    );
    assert.ok(
      !entries.some((entry) => entry?.source.layer === 'environment-dotenv'),
      'DATABASE_URL in a .env file is not database.url once it is mapped',
    );
  });

  test('text from variables is converted to the key type', async () => {
    const resolved = await resolveConfig<Values>({
      project,
      env: 'development',
      hostname: 'h',
      variables: { APP_PORT: '8080', APP_DEBUG: 'off' },
    });
    assert.equal(resolved.values.app.port, 8080);
    assert.equal(resolved.values.app.debug, false);
  });

  test('a variable set to the empty string sets "", it is not skipped', async () => {
    const resolved = await resolveConfig<Values>({
      project,
      env: 'development',
      hostname: 'h',
      variables: { APP_NAME: '' },
    });
    assert.equal(resolved.values.app.name, '');
    assert.equal(resolved.explain('app.name').winner?.source.layer, 'process-env');
  });

  test('.env values are never copied into process.env', async () => {
    await resolveConfig<Values>({ project, env: 'development', hostname: 'h', variables: {} });
    for (const layer of ['project-dotenv', 'environment-dotenv'] as const) {
      for (const rung of keysSetBy(layer)) assert.equal(process.env[defaultVariableFor(rung.key)], undefined);
    }
  });

  test('variables default to process.env, read at resolve time', async (t) => {
    const previous = process.env.APP_PORT;
    process.env.APP_PORT = '4567';
    t.after(() => {
      if (previous === undefined) delete process.env.APP_PORT;
      else process.env.APP_PORT = previous;
    });
    const resolved = await resolveConfig<Values>({ project, env: 'development', hostname: 'h' });
    assert.equal(resolved.values.app.port, 4567);
  });
});

describe('explicit values (set)', () => {
  test('set beats the process environment and is converted to the key type', async () => {
    const resolved = await resolveConfig<Values>({
      project,
      env: 'development',
      hostname: 'h',
      variables: { APP_PORT: '8080' },
      set: { 'app.port': '9090', 'log.level': 'warn' },
    });
    assert.equal(resolved.values.app.port, 9090);
    assert.equal(resolved.values.log.level, 'warn');
    assert.deepEqual(resolved.explain('app.port').winner?.source, { layer: 'explicit' });
    assert.equal(resolved.explain('app.port').overridden.at(-1)?.source.variable, 'APP_PORT');
  });

  test('set naming a key the schema does not declare is EW_CONFIG_KEY', async () => {
    await assert.rejects(
      resolveConfig({ project, env: 'development', hostname: 'h', variables: {}, set: { 'app.prot': '1' } }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigKeyUnknownError);
        assert.equal(error.code, 'EW_CONFIG_KEY');
        assert.equal(error.details.key, 'app.prot');
        return true;
      },
    );
  });
});

describe('the result', () => {
  test('values are deeply frozen: assignment throws in strict mode', async () => {
    const resolved = await resolveConfig<Values>({ project, env: 'development', hostname: 'h', variables: {} });
    assert.ok(Object.isFrozen(resolved.values));
    assert.ok(Object.isFrozen(resolved.values.app));
    assert.ok(Object.isFrozen(resolved));
    assert.throws(() => {
      // @ts-expect-error values are deeply readonly in the type too
      resolved.values.app.port = 1;
    }, TypeError);
    assert.throws(() => {
      // @ts-expect-error values are deeply readonly in the type too
      resolved.values.ladder = {};
    }, TypeError);
    assert.throws(() => {
      (resolved.values.ladder as Record<string, string>).added = 'x';
    }, TypeError);
    assert.equal(resolved.values.app.port, 3000);
  });

  test('values have the types of the schema, not the text they came from', async () => {
    const resolved = await resolveConfig<Values>({
      project,
      env: 'development',
      hostname: 'h',
      variables: { APP_PORT: '8081' },
    });
    const port: number = resolved.values.app.port;
    const debug: boolean = resolved.values.app.debug;
    assert.equal(typeof port, 'number');
    assert.equal(typeof debug, 'boolean');
    assert.equal(typeof resolved.values.database.url, 'string');
    assert.deepEqual(resolved.keys.slice(0, 4), ['app.name', 'app.port', 'app.debug', 'app.logLevel']);
  });
});
