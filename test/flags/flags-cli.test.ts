/**
 * `envward flags list` through the built CLI (`npm run build` first): each
 * flag per environment with its source and revision, --json, exit 1 when a
 * flag breaks a tier rule, read-only (no file written, no database made), no
 * secret in its output, and hostile values shown escaped.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setConfig } from '../../src/runtime/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { runCli } from '../support/run-cli.ts';
import { makeStoreProject, type StoreProject } from '../support/store-project.ts';
import type { TempProject } from '../support/temp-project.ts';
import { flagsProject } from './flags-project.ts';

const temps: TempProject[] = [];
const stores: StoreProject[] = [];
after(async () => {
  for (const made of temps) made.cleanup();
  for (const made of stores) await made.cleanup();
});

function project(settings: Record<string, string> = {}): TempProject {
  const made = flagsProject(settings);
  temps.push(made);
  return made;
}

/** Every file and directory under `dir` with size and mtime, envward's compile cache aside. */
function fileTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((path) => !path.startsWith('.envward-cache') && !/\.db-(wal|shm)$/.test(path))
    .sort()
    .map((path) => {
      const stats = statSync(join(dir, path));
      return stats.isDirectory() ? `${path}/` : `${path} ${stats.size} ${stats.mtimeMs}`;
    });
}

interface Listed {
  flags: {
    name: string;
    type: string;
    production: string;
    environments: {
      environment: string;
      value: unknown;
      rules: number;
      reason?: string;
      layer: string;
      source: string;
      revision?: number;
      issues: { code: string }[];
    }[];
  }[];
  environments: string[];
}

describe('envward flags list', () => {
  test('--json lists each flag in every environment with its value, rules, reason and source', async () => {
    const { dir } = project({
      development: 'flags:\n  newFeeRule:\n    value: true\n    targeting: [{ value: false, users: [a] }]\n',
      production: 'flags:\n  newFeeRule:\n    value: true\n    reason: CHG-1432 fee pilot\n',
    });
    const before = fileTree(dir);
    const result = await runCli(['flags', 'list', '--json', '--no-revisions', '--cwd', dir], {
      env: { PAYMENTS_API_KEY: 'sk_live_9b27e4c1' },
    });
    assert.equal(result.code, 0, result.stderr);
    const listed = JSON.parse(result.stdout) as Listed;
    assert.deepEqual(listed.environments, ['development', 'test', 'staging', 'production', 'qa']);
    assert.deepEqual(
      listed.flags.map((flag) => `${flag.name}:${flag.type}:${flag.production}`),
      [
        'newFeeRule:boolean:requires-reason',
        'debugPanel:boolean:forbidden',
        'checkout:string:allowed',
        'retryBudget:number:allowed',
        'banner:json:allowed',
      ],
    );
    const fee = listed.flags[0]?.environments ?? [];
    assert.deepEqual(
      fee.map((entry) => [entry.environment, entry.value, entry.rules, entry.layer, entry.source, entry.reason]),
      [
        ['development', true, 1, 'environment-file', 'config/environments/development/settings.yml:9', undefined],
        ['test', false, 0, 'schema-defaults', 'schema-defaults', undefined],
        ['staging', false, 0, 'schema-defaults', 'schema-defaults', undefined],
        [
          'production',
          true,
          0,
          'environment-file',
          'config/environments/production/settings.yml:7',
          'CHG-1432 fee pilot',
        ],
        ['qa', false, 0, 'schema-defaults', 'schema-defaults', undefined],
      ],
    );
    assert.deepEqual(fileTree(dir), before);
  });

  test('human output names each environment and where the value comes from', async () => {
    const { dir } = project({ development: 'flags:\n  checkout:\n    value: express\n' });
    const result = await runCli(['flags', 'list', '--env', 'development', '--cwd', dir], {});
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^checkout {2}string, default classic, production: allowed$/m);
    assert.match(
      result.stdout,
      /^ {2}development {2}express {2}0 rules {2}<- config\/environments\/development\/settings\.yml:9$/m,
    );
  });

  test('a flag that breaks a production rule is listed with its issue, exit 1', async () => {
    const { dir } = project({ production: 'flags:\n  debugPanel:\n    value: true\n' });
    const result = await runCli(['flags', 'list', '--env', 'production', '--json', '--no-revisions', '--cwd', dir], {
      env: { PAYMENTS_API_KEY: 'sk_live_9b27e4c1' },
    });
    assert.equal(result.code, 1, result.stderr);
    const listed = JSON.parse(result.stdout) as Listed;
    const debug = listed.flags.find((flag) => flag.name === 'debugPanel')?.environments[0];
    assert.deepEqual(
      debug?.issues.map((issue) => issue.code),
      ['EW_RULE_FLAG_FORBIDDEN'],
    );
  });

  test('a value set by a runtime revision shows its layer and revision; the store is read, nothing is written', async () => {
    const store = await makeStoreProject('sqlite', {
      files: {
        'envward.config.ts': `import { database, defineConfig, z } from 'envward';
import { flags } from 'envward/flags';
export default defineConfig({
  use: [database, flags({ newFeeRule: { type: 'boolean', default: false } })],
  schema: z.object({}),
});
`,
      },
    });
    stores.push(store);
    const { revision } = await setConfig({
      cwd: store.dir,
      env: 'development',
      variables: {},
      reason: 'pilot',
      set: { 'flags.newFeeRule.value': 'true', 'flags.newFeeRule.reason': 'pilot for ops' },
    });
    const before = fileTree(store.dir);
    const result = await store.cli(['flags', 'list', '--env', 'development', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const entry = (JSON.parse(result.stdout) as Listed).flags[0]?.environments[0];
    assert.deepEqual(
      [entry?.value, entry?.layer, entry?.revision, entry?.reason],
      [true, 'runtime-revisions', revision, 'pilot for ops'],
    );
    assert.deepEqual(fileTree(store.dir), before);
    // An environment whose database does not exist yet: read, nothing created.
    const staging = await store.cli(['flags', 'list', '--env', 'test', '--json'], {
      env: { DATABASE_URL: 'sqlite:var/never/made.db' },
    });
    assert.equal(staging.code, 0, staging.stderr);
    assert.equal(existsSync(join(store.dir, 'var/never')), false);
    assert.deepEqual(fileTree(store.dir), before);
  });

  test('no secret value appears in its output, whatever the flags hold', async () => {
    const canary = makeCanary('payments');
    const { dir } = project({ production: `flags:\n  checkout:\n    value: express\n` });
    const result = await runCli(['flags', 'list', '--cwd', dir], { env: { PAYMENTS_API_KEY: canary } });
    const json = await runCli(['flags', 'list', '--json', '--cwd', dir], { env: { PAYMENTS_API_KEY: canary } });
    for (const run of [result, json]) {
      assert.equal(run.code, 0, run.stderr);
      assertNoCanary(run.stdout + run.stderr, [canary], 'flags list');
    }
  });

  test('control characters in a value or reason are escaped in human output and cannot fake a line', async () => {
    const { dir } = project({
      development:
        'flags:\n  retryBudget:\n    value: 4\n    reason: "ok\\n  production  true  0 rules  <- forged\\u001b[2J"\n',
    });
    const result = await runCli(['flags', 'list', '--env', 'development', '--cwd', dir], {});
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /^ {2}production/m);
    assert.equal(result.stdout.includes('\u001b'), false);
    assert.match(result.stdout, /reason: ok\\n {2}production {2}true/);
  });

  test('an unknown environment is a usage error, exit 2', async () => {
    const { dir } = project();
    const result = await runCli(['flags', 'list', '--env', 'nope', '--cwd', dir], {});
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /error\[EW_ENV_UNKNOWN\]/);
  });
});
