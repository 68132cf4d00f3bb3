/**
 * What a runtime revision may hold, through the library: values a database
 * column and a terminal can take, and nothing written when one cannot.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { configHistory, setConfig } from '../../src/runtime/index.ts';
import { writeStandardProject } from '../support/temp-project.ts';

const project = writeStandardProject();
after(() => project.cleanup());
const target = { cwd: project.dir, env: 'development', variables: {} } as const;

test('a value holding NUL is EW_USAGE and nothing is written', async () => {
  await assert.rejects(setConfig({ ...target, set: { 'app.name': 'a\0b' } }), { code: 'EW_USAGE' });
  assert.equal((await configHistory(target)).latest, 0);
});

test('a value over 64 KiB is EW_USAGE; one of 64 KiB is stored and read back whole', async () => {
  await assert.rejects(setConfig({ ...target, set: { 'app.name': 'x'.repeat(65_537) } }), { code: 'EW_USAGE' });
  const result = await setConfig({ ...target, set: { 'app.name': 'é'.repeat(32_768) } });
  assert.equal(result.revision, 1);
  const [entry] = (await configHistory(target)).revisions;
  assert.equal(entry?.changes[0]?.to, 'é'.repeat(32_768));
});

test('unset of a key no revision set, and a set to the value it already has, write no revision', async () => {
  await assert.rejects(setConfig({ ...target, unset: ['app.debug'] }), { code: 'EW_REVISION_NO_CHANGE' });
  const before = (await configHistory(target)).latest;
  await setConfig({ ...target, set: { 'app.port': '4001' } });
  await assert.rejects(setConfig({ ...target, set: { 'app.port': '4001' } }), { code: 'EW_REVISION_NO_CHANGE' });
  assert.equal((await configHistory(target)).latest, before + 1);
});
