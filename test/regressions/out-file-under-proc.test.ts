/**
 * `envward observe dashboard --out /proc/nope/x.json` spun at full CPU for
 * ever: Node's recursive mkdir retries without end where a parent answers
 * ENOENT to every new entry (/proc). writeFileAtomically now makes the
 * missing directories one by one and fails with EW_FILE_WRITE.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileWriteError } from '../../src/errors.ts';
import { writeFileAtomically } from '../../src/project/atomic-write.ts';

test('a file under /proc fails with EW_FILE_WRITE instead of hanging', { timeout: 5_000 }, async () => {
  assert.ok(existsSync('/proc/self'), 'this regression needs Linux /proc');
  await assert.rejects(writeFileAtomically('/proc/envward-nope/deeper/x.json', '{}'), (error) => {
    assert.ok(error instanceof FileWriteError);
    assert.equal(error.code, 'EW_FILE_WRITE');
    assert.match(error.message, /cannot be written \(ENOENT\); nothing was written there/);
    return true;
  });
});

test('a file under a file says which parent is not a directory', async () => {
  await assert.rejects(writeFileAtomically('/dev/null/x.yml', 'a: 1\n'), /\/dev\/null is not a directory/);
});

test('missing directories are still made, one by one', async () => {
  const root = mkdtempSync(join(tmpdir(), 'envward-atomic-'));
  try {
    const file = join(root, 'a', 'b', 'c', 'out.json');
    await writeFileAtomically(file, '{"ok":true}\n');
    assert.equal(readFileSync(file, 'utf8'), '{"ok":true}\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
