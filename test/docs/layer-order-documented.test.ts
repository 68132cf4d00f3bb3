import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LAYER_DESCRIPTIONS, LAYER_ORDER } from '../../src/config/index.ts';

test('the layer table in docs/configuration.md matches LAYER_ORDER row for row', () => {
  const text = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const table = text.split('<!-- layer-order:start -->')[1]?.split('<!-- layer-order:end -->')[0] ?? '';
  const rows = [...table.matchAll(/^\|\s*(\d+)\s*\|\s*`([a-z-]+)`\s*\|\s*(.+?)\s*\|$/gm)].map((m) => [
    Number(m[1]),
    m[2],
    m[3],
  ]);
  const expected = LAYER_ORDER.map((name, index) => [index + 1, name, LAYER_DESCRIPTIONS[name]]);
  assert.deepEqual(rows, expected);
});
