/**
 * The OpenFeature provider over a resolved configuration: values, variants,
 * reasons and provenance in the evaluation details, targeting rules (first
 * match wins) and the stable percentage rollout, errors for unknown and
 * mistyped flags, and the `envward_flag_evaluations_total` counter.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { OpenFeature } from '@openfeature/server-sdk';
import { Registry } from 'prom-client';
import { envwardFlags, rolloutPosition } from '../../src/flags/index.ts';
import type { TempProject } from '../support/temp-project.ts';
import { flagsProject, resolveFlags } from './flags-project.ts';

const projects: TempProject[] = [];
after(async () => {
  await OpenFeature.close();
  for (const made of projects) made.cleanup();
});

let domains = 0;
/** An OpenFeature client of its own domain over `provider` (tests share the SDK's global API). */
async function clientFor(provider: ReturnType<typeof envwardFlags>) {
  const domain = `flags-provider-test-${++domains}`;
  await OpenFeature.setProviderAndWait(domain, provider);
  return OpenFeature.getClient(domain);
}

const DEVELOPMENT = [
  'flags:',
  '  newFeeRule:',
  '    value: true',
  '  checkout:',
  '    targeting:',
  '      - { variant: staff, value: one-click, users: [carol], attributes: { plan: [gold, platinum] } }',
  '      - { value: express, tenants: [acme] }',
  '      - { variant: rollout, value: express, percentage: 25 }',
  '  retryBudget:',
  '    targeting:',
  '      - { value: 9, attributes: { region: eu, beta: true } }',
  '',
].join('\n');

async function developmentClient(options?: Parameters<typeof envwardFlags>[1]) {
  const made = flagsProject({ development: DEVELOPMENT });
  projects.push(made);
  const resolved = await resolveFlags(made.dir, 'development');
  return { client: await clientFor(envwardFlags(resolved, options)), resolved };
}

describe('envwardFlags provider', () => {
  test('a value set in a file is STATIC, with its variant and the file and line it comes from', async () => {
    const { client } = await developmentClient();
    const details = await client.getBooleanDetails('newFeeRule', false);
    assert.equal(details.value, true);
    assert.equal(details.variant, 'on');
    assert.equal(details.reason, 'STATIC');
    assert.equal(details.errorCode, undefined);
    assert.deepEqual(details.flagMetadata, {
      environment: 'development',
      key: 'flags.newFeeRule.value',
      layer: 'environment-file',
      file: 'config/environments/development/settings.yml',
      line: 9,
    });
  });

  test('a flag at its schema default is DEFAULT, its variant made from the value', async () => {
    const { client } = await developmentClient();
    const banner = await client.getObjectDetails('banner', {});
    assert.deepEqual(banner.value, { text: 'welcome', colour: 'green' });
    assert.equal(banner.reason, 'DEFAULT');
    assert.equal(banner.variant, 'default');
    assert.equal(banner.flagMetadata.layer, 'schema-defaults');
    const debug = await client.getBooleanDetails('debugPanel', true);
    assert.deepEqual([debug.value, debug.variant, debug.reason], [false, 'off', 'DEFAULT']);
    const budget = await client.getNumberDetails('retryBudget', 0);
    assert.deepEqual([budget.value, budget.variant, budget.reason], [3, '3', 'DEFAULT']);
  });

  test('the first rule that applies wins: users and attributes, then tenants, then the rollout', async () => {
    const { client } = await developmentClient();
    const carolGold = await client.getStringDetails('checkout', 'x', { targetingKey: 'carol', plan: 'gold' });
    assert.deepEqual([carolGold.value, carolGold.variant, carolGold.reason], ['one-click', 'staff', 'TARGETING_MATCH']);
    assert.equal(carolGold.flagMetadata.key, 'flags.checkout.targeting');
    assert.equal(carolGold.flagMetadata.rule, 0);
    assert.equal(carolGold.flagMetadata.line, 11);
    // `user` stands in for a missing targetingKey.
    const byUser = await client.getStringValue('checkout', 'x', { user: 'carol', plan: 'platinum' });
    assert.equal(byUser, 'one-click');
    // Carol on another plan falls through rule 0, and her rollout position for checkout (46.2) is above 25.
    const carolFree = await client.getStringDetails('checkout', 'x', { targetingKey: 'carol', plan: 'free' });
    assert.deepEqual([carolFree.value, carolFree.reason], ['classic', 'DEFAULT']);
    const tenant = await client.getStringDetails('checkout', 'x', { targetingKey: 'bob', tenant: 'acme' });
    assert.deepEqual(
      [tenant.value, tenant.variant, tenant.reason, tenant.flagMetadata.rule],
      ['express', 'express', 'TARGETING_MATCH', 1],
    );
    const eu = await client.getNumberDetails('retryBudget', 0, { region: 'eu', beta: true });
    assert.deepEqual([eu.value, eu.reason], [9, 'TARGETING_MATCH']);
    // Attributes compare strictly: "true" is not true.
    assert.equal(await client.getNumberValue('retryBudget', 0, { region: 'eu', beta: 'true' }), 3);
  });

  test('a percentage rule is SPLIT, by a stable hash of flag and targeting key: the same users every time', async () => {
    const { client } = await developmentClient();
    // rolloutPosition('checkout', user): alice 95.7, bob 33.2, grace 37.1, heidi 86.0 — none below 25;
    // with no users listed in rule 2, only the hash decides.
    const inside: string[] = [];
    for (const user of ['alice', 'bob', 'dave', 'erin', 'frank', 'grace', 'heidi']) {
      const details = await client.getStringDetails('checkout', 'x', { targetingKey: user });
      if (details.reason === 'SPLIT') {
        assert.equal(details.variant, 'rollout');
        inside.push(user);
      } else assert.equal(details.reason, 'DEFAULT');
    }
    assert.deepEqual(inside, []);
    // Fixed points of the hash (SHA-256 of "<flag>\0<key>"): a change of algorithm moves users, and this fails.
    assert.deepEqual(
      ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].filter(
        (user) => rolloutPosition('newFeeRule', user) < 25,
      ),
      ['alice', 'carol', 'dave'],
    );
    assert.equal(rolloutPosition('newFeeRule', 'alice').toFixed(3), '2.988');
    assert.equal(rolloutPosition('checkout', 'bob').toFixed(3), '33.228');
    // Without an identity a percentage rule cannot place the caller: it does not apply.
    assert.equal((await client.getStringDetails('checkout', 'x', {})).reason, 'DEFAULT');
  });

  test('over 10,000 ids a 25% rollout takes about a quarter, and raising it only adds ids', () => {
    const ids = Array.from({ length: 10_000 }, (_, index) => `user-${index}`);
    const at = (percentage: number) => new Set(ids.filter((id) => rolloutPosition('newFeeRule', id) < percentage));
    const quarter = at(25);
    assert.equal(quarter.size, 2506);
    const half = at(50);
    assert.ok(half.size > 4800 && half.size < 5200, String(half.size));
    for (const id of quarter) assert.ok(half.has(id), id);
    // Independent per flag: another flag's quarter is another set of ids.
    const other = new Set(ids.filter((id) => rolloutPosition('checkout', id) < 25));
    const both = [...quarter].filter((id) => other.has(id)).length;
    assert.ok(both > 500 && both < 750, String(both));
  });

  test('an undeclared flag is FLAG_NOT_FOUND and a flag asked for as another type TYPE_MISMATCH: the default is used', async () => {
    const { client } = await developmentClient();
    const missing = await client.getBooleanDetails('noSuchFlag', true);
    assert.deepEqual([missing.value, missing.reason, missing.errorCode], [true, 'ERROR', 'FLAG_NOT_FOUND']);
    assert.match(missing.errorMessage ?? '', /"noSuchFlag" is not declared/);
    const mistyped = await client.getStringDetails('newFeeRule', 'fallback');
    assert.deepEqual([mistyped.value, mistyped.reason, mistyped.errorCode], ['fallback', 'ERROR', 'TYPE_MISMATCH']);
    const object = await client.getObjectDetails('retryBudget', { a: 1 });
    assert.equal(object.errorCode, 'TYPE_MISMATCH');
  });

  test('a project without flags(...) answers FLAG_NOT_FOUND saying how to declare them', async () => {
    const made = flagsProject();
    projects.push(made);
    made.write(
      'envward.config.ts',
      `import { database, defineConfig, log, z } from 'envward';
export default defineConfig({
  use: [log, database],
  schema: z.object({ app: z.object({ name: z.string(), port: z.number(), debug: z.boolean().default(false) }) }),
});
`,
    );
    const resolved = await resolveFlags(made.dir, 'development');
    const details = await (await clientFor(envwardFlags(resolved))).getBooleanDetails('newFeeRule', false);
    assert.equal(details.errorCode, 'FLAG_NOT_FOUND');
    assert.match(details.errorMessage ?? '', /declares no flags: add flags\(\{\.\.\.\}\)/);
  });

  test('each evaluation counts in envward_flag_evaluations_total{flag,variant,reason}; unknown flags as (unknown)', async () => {
    const registry = new Registry();
    const { client } = await developmentClient({ registry });
    await client.getBooleanValue('newFeeRule', false);
    await client.getBooleanValue('newFeeRule', false);
    await client.getStringValue('checkout', 'x', { targetingKey: 'bob', tenant: 'acme' });
    await client.getBooleanValue('attacker-chosen-name-1', false);
    await client.getBooleanValue('attacker-chosen-name-2', false);
    const metric = await registry.getSingleMetricAsString('envward_flag_evaluations_total');
    assert.match(metric, /envward_flag_evaluations_total\{flag="newFeeRule",variant="on",reason="STATIC"\} 2/);
    assert.match(
      metric,
      /envward_flag_evaluations_total\{flag="checkout",variant="express",reason="TARGETING_MATCH"\} 1/,
    );
    assert.match(metric, /envward_flag_evaluations_total\{flag="\(unknown\)",variant="",reason="ERROR"\} 2/);
    assert.doesNotMatch(metric, /attacker/);
  });

  test('two providers on one registry share the counter', async () => {
    const registry = new Registry();
    await developmentClient({ registry });
    const { client } = await developmentClient({ registry });
    await client.getBooleanValue('newFeeRule', false);
    assert.match(await registry.getSingleMetricAsString('envward_flag_evaluations_total'), /\} 1\n?$/m);
  });

  test('envwardFlags refuses what is neither a resolved nor a live configuration (EW_USAGE)', () => {
    assert.throws(() => envwardFlags({} as never), /resolved configuration/);
    assert.throws(
      () => envwardFlags(null as never),
      (error: { code?: string }) => error.code === 'EW_USAGE',
    );
  });
});
