/**
 * JSON text for a json key (a variable, a .env line, a runtime revision)
 * nested thousands deep overflowed the stack while the value was masked
 * (RangeError, reported as EW_INTERNAL) instead of being refused. Found by
 * the flags hostile pass (a json flag's value); any json key had it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ConfigInvalidError } from '../../src/errors.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { writeStandardProject } from '../support/temp-project.ts';

const project = writeStandardProject();
after(() => project.cleanup());

test('a json key set from text nested 20,000 deep is EW_CONFIG_TYPE at the key', async () => {
  const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
  await assert.rejects(
    resolveConfig({ cwd: project.dir, env: 'development', checkHost: false, variables: { DATABASE_SHARE_WITH: deep } }),
    (error) => {
      assert.ok(error instanceof ConfigInvalidError, String(error));
      assert.deepEqual(
        error.issues.map((issue) => [issue.code, issue.key, issue.message]),
        [['EW_CONFIG_TYPE', 'database.shareWith', 'expected JSON (an array or object) nested at most 64 deep']],
      );
      return true;
    },
  );
});
