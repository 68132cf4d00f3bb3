import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SchemaLeaf } from '../../src/config/schema-index.ts';
import { planLiveRevision } from '../../src/runtime/live-revision-layer.ts';

const leaf = (key: string, reload: 'live' | 'restart', secret = false) =>
  [key, { key, reload, secret } as unknown as SchemaLeaf] as const;

const schema = {
  leaves: new Map([leaf('log.level', 'live'), leaf('app.port', 'restart'), leaf('app.token', 'restart', true)]),
};

test('live keys take the new revision, restart keys keep the start revision and are pending when they differ', () => {
  const plan = planLiveRevision(
    { number: 1, state: { 'app.port': '4000', 'log.level': 'info' } },
    { number: 3, state: { 'app.port': '5000', 'log.level': 'debug' } },
    schema,
  );
  assert.deepEqual(plan.live, { number: 3, state: { 'log.level': 'debug' } });
  assert.deepEqual(plan.kept, { number: 1, state: { 'app.port': '4000' } });
  assert.deepEqual(plan.pending, ['app.port']);
});

test('a restart key the new revision removes, or adds, is pending too', () => {
  assert.deepEqual(
    planLiveRevision({ number: 1, state: { 'app.port': '4000' } }, { number: 2, state: {} }, schema).pending,
    ['app.port'],
  );
  assert.deepEqual(
    planLiveRevision({ number: 0, state: {} }, { number: 2, state: { 'app.port': '1' } }, schema).pending,
    ['app.port'],
  );
});

test('keys the schema no longer declares, or declares secret, go with the new revision to be warned of, never pending', () => {
  const plan = planLiveRevision(
    { number: 0, state: {} },
    { number: 2, state: { 'gone.key': 'x', 'app.token': 'y' } },
    schema,
  );
  assert.deepEqual(plan.live.state, { 'app.token': 'y', 'gone.key': 'x' });
  assert.deepEqual(plan.pending, []);
});
