import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;

function codesInSource(): Set<string> {
  const codes = new Set<string>();
  for (const file of readdirSync(join(root, 'src'), { recursive: true }).map(String)) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(join(root, 'src', file), 'utf8');
    for (const match of text.matchAll(/'(EW_[A-Z_]*[A-Z])'/g)) codes.add(match[1] as string);
  }
  return codes;
}

function codesInDocs(): Set<string> {
  const text = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  return new Set([...text.matchAll(/^\|\s*`(EW_[A-Z_]+)`\s*\|/gm)].map((match) => match[1] as string));
}

test('every error code used in the source is documented in docs/errors.md', () => {
  const undocumented = [...codesInSource()].filter((code) => !codesInDocs().has(code));
  assert.deepEqual(undocumented, []);
});

test('docs/errors.md documents no code the source does not use', () => {
  const source = codesInSource();
  const stale = [...codesInDocs()].filter((code) => !source.has(code));
  assert.deepEqual(stale, []);
});
