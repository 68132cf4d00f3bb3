/**
 * A flag toggled by a runtime revision changes an OpenFeature evaluation in
 * the same process: `setConfig` (what `envward config set` calls) writes a
 * revision, the live config applies it, the provider emits
 * PROVIDER_CONFIGURATION_CHANGED naming the flag, and the next evaluation
 * gives the new value with the revision in its provenance. On SQLite
 * (polled) and PostgreSQL (LISTEN/NOTIFY).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type EventDetails, OpenFeature, ProviderEvents } from '@openfeature/server-sdk';
import { envwardFlags } from '../../src/flags/index.ts';
import { openLiveConfig, setConfig } from '../../src/runtime/index.ts';
import { openStore } from '../../src/store/index.ts';
import { DIALECTS, makeStoreProject, type StoreProject } from '../support/store-project.ts';

const FLAGS_CONFIG = `import { database, defineConfig, z } from 'envward';
import { flags } from 'envward/flags';

export default defineConfig({
  project: 'flags-live-test',
  use: [database, flags({
    newFeeRule: { type: 'boolean', default: false, production: 'requires-reason' },
    checkout: { type: 'string', default: 'classic', variants: ['classic', 'express'] },
  })],
  schema: z.object({ app: z.object({ port: z.number().int().default(3000) }) }),
});
`;

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  await OpenFeature.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let domains = 0;

for (const dialect of DIALECTS) {
  describe(`flags toggled by a runtime revision (${dialect})`, () => {
    test('setConfig changes the OpenFeature evaluation in a running process, with the revision as provenance', async () => {
      const project: StoreProject = await makeStoreProject(dialect, { files: { 'envward.config.ts': FLAGS_CONFIG } });
      cleanups.push(() => project.cleanup());
      const resolved = await project.resolve('development');
      const store = await openStore(resolved);
      cleanups.push(() => store.close());
      const live = await openLiveConfig(resolved, store, { pollMs: 20 });
      cleanups.push(() => live.close());

      const domain = `flags-live-${dialect}-${++domains}`;
      await OpenFeature.setProviderAndWait(domain, envwardFlags(live));
      const client = OpenFeature.getClient(domain);
      const before = await client.getBooleanDetails('newFeeRule', false, { targetingKey: 'u1' });
      assert.deepEqual([before.value, before.reason], [false, 'DEFAULT']);

      const changed = new Promise<EventDetails | undefined>((resolve) => {
        client.addHandler(ProviderEvents.ConfigurationChanged, resolve);
      });
      const target = { cwd: project.dir, env: 'development', variables: {}, reason: 'fee pilot' };
      const { revision } = await setConfig({ ...target, set: { 'flags.newFeeRule.value': 'true' } });
      // What a poll or a notification does, now: SQLite's poll timer does not keep the test's event loop alive.
      await live.refresh();
      const event = await changed;
      assert.deepEqual(event?.flagsChanged, ['newFeeRule']);

      const after = await client.getBooleanDetails('newFeeRule', false, { targetingKey: 'u1' });
      assert.deepEqual([after.value, after.variant, after.reason], [true, 'on', 'STATIC']);
      assert.equal(after.flagMetadata.layer, 'runtime-revisions');
      assert.equal(after.flagMetadata.revision, revision);

      // Targeting by revision too: JSON text, validated before it is written.
      await setConfig({
        ...target,
        set: { 'flags.checkout.targeting': '[{"value":"express","users":["u1"]}]' },
      });
      await live.refresh();
      assert.equal(await client.getStringValue('checkout', 'x', { targetingKey: 'u1' }), 'express');
      assert.equal(await client.getStringValue('checkout', 'x', { targetingKey: 'u2' }), 'classic');
      await assert.rejects(
        setConfig({ ...target, set: { 'flags.checkout.targeting': '[{"value":"turbo"}]' } }),
        /flags\.checkout\.targeting/,
      );
    });

    test('closing the provider stops following the live configuration', async () => {
      const project: StoreProject = await makeStoreProject(dialect, { files: { 'envward.config.ts': FLAGS_CONFIG } });
      cleanups.push(() => project.cleanup());
      const resolved = await project.resolve('development');
      const store = await openStore(resolved);
      cleanups.push(() => store.close());
      const live = await openLiveConfig(resolved, store, { pollMs: 20 });
      cleanups.push(() => live.close());
      const provider = envwardFlags(live);
      let events = 0;
      provider.events.addHandler(ProviderEvents.ConfigurationChanged, () => {
        events += 1;
      });
      const target = { cwd: project.dir, env: 'development', variables: {}, reason: 'test' };
      await setConfig({ ...target, set: { 'flags.newFeeRule.value': 'true' } });
      await live.refresh();
      assert.equal(events, 1);
      await provider.onClose();
      await setConfig({ ...target, set: { 'flags.newFeeRule.value': 'false' } });
      await live.refresh();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(events, 1);
      // Evaluations still read the current snapshot.
      assert.equal((await provider.resolveBooleanEvaluation('newFeeRule', true, {})).value, false);
    });
  });
}
