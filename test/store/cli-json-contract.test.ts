/**
 * The CLI contract of `envward db status|stamp` and `envward audit
 * list|verify` with --json: stdout is exactly one JSON document (data, or
 * `{ error }` on failure) and nothing else, warnings and errors go to stderr,
 * and the exit code says what happened: 0 done, 1 a check found a problem
 * (a foreign stamp in status, a broken chain), 2 a usage error, 3 refused
 * by a guard.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { RunResult } from '../support/run-cli.ts';
import { DIALECTS, makeStoreProject, type StoreProject } from '../support/store-project.ts';

const OK = 0;
const PROBLEM = 1;
const USAGE = 2;
const REFUSED = 3;

/** The one JSON document on stdout, after checking the run's exit code. */
function jsonOf(result: RunResult, code: number, label: string): Record<string, unknown> {
  const context = `${label}: exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  assert.equal(result.code, code, context);
  assert.ok(result.stdout.endsWith('}\n'), `${context}\nstdout ends with the document`);
  assert.ok(!result.stdout.includes('\u001b['), `${context}\nno colour codes on stdout`);
  const value: unknown = JSON.parse(result.stdout); // throws on anything more than one document
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), context);
  return value as Record<string, unknown>;
}

function errorOf(result: RunResult, code: number, errorCode: string, label: string): Record<string, unknown> {
  const { error } = jsonOf(result, code, label) as { error: Record<string, unknown> };
  assert.equal(error.code, errorCode, label);
  assert.equal(typeof error.message, 'string');
  assert.equal(typeof error.hint, 'string');
  assert.match(result.stderr, new RegExp(`^error\\[${errorCode}\\]: `), `${label}: the error is on stderr too`);
  return error;
}

for (const dialect of DIALECTS) {
  describe(`db and audit commands with --json on ${dialect}`, () => {
    let project: StoreProject;
    after(() => project?.cleanup());

    test('every run prints one JSON document and exits 0, 1, 2 or 3 as the contract says', async () => {
      project = await makeStoreProject(dialect);
      const run = (...args: string[]) => project.cli([...args, '--json']);

      if (dialect === 'sqlite') {
        // Reading never creates the file: a missing one is EW_DB_MISSING; an empty one is unstamped.
        errorOf(await run('db', 'status', '--env', 'production'), PROBLEM, 'EW_DB_MISSING', 'status, missing');
        project.write('var/.keep', '');
        await project.sql('select 1');
      }
      const unstamped = jsonOf(await run('db', 'status', '--env', 'production'), OK, 'status, unstamped');
      assert.deepEqual([unstamped.environment, unstamped.dialect, unstamped.stamp], ['production', dialect, null]);

      const refusedUnstamped = errorOf(
        await run('audit', 'list', '--env', 'production'),
        REFUSED,
        'EW_DB_UNSTAMPED',
        'list, unstamped',
      );
      assert.equal((refusedUnstamped.details as { environment: string }).environment, 'production');

      const stamped = jsonOf(await run('db', 'stamp', '--env', 'production'), OK, 'stamp');
      assert.equal((stamped.stamp as { environment: string }).environment, 'production');

      const [status, list, verify, foreignStatus, mismatch, noReason] = await Promise.all([
        run('db', 'status', '--env', 'production'),
        run('audit', 'list', '--env', 'production'),
        run('audit', 'verify', '--env', 'production'),
        run('db', 'status', '--env', 'development'),
        run('audit', 'verify', '--env', 'development'),
        run('audit', 'list', '--env', 'development', '--force'),
      ]);
      assert.equal(jsonOf(status, OK, 'status').matches, true);
      const events = jsonOf(list, OK, 'list').events as { action: string; seq: number }[];
      assert.deepEqual(
        events.map((event) => [event.seq, event.action]),
        [[1, 'db.stamp']],
      );
      assert.equal(jsonOf(verify, OK, 'verify').ok, true);
      assert.equal(jsonOf(foreignStatus, PROBLEM, 'status of a foreign database').matches, false);
      const error = errorOf(mismatch, REFUSED, 'EW_ENV_MISMATCH', 'verify as development');
      assert.deepEqual(
        [(error.details as Record<string, string>).environment, (error.details as Record<string, string>).owner],
        ['development', 'production'],
      );
      errorOf(noReason, USAGE, 'EW_FORCE_REASON', 'force without reason');

      // An override keeps stdout one document: the loud warning is on stderr.
      const forced = await run('audit', 'list', '--env', 'development', '--force', '--reason', 'json contract');
      const forcedEvents = jsonOf(forced, OK, 'forced list').events as { action: string }[];
      assert.deepEqual(
        forcedEvents.map((event) => event.action),
        ['db.stamp', 'guard.override'],
      );
      assert.match(forced.stderr, /OVERRIDE of EW_ENV_MISMATCH/);

      await project.sql("update envward_audit set target = 'elsewhere' where seq = $1", [1]);
      const broken = jsonOf(await run('audit', 'verify', '--env', 'production'), PROBLEM, 'verify, tampered');
      assert.equal(broken.ok, false);
      assert.deepEqual(broken.broken, { seq: 1, reason: 'changed', message: 'row 1 was changed after it was written' });

      errorOf(await run('audit', 'list', '--env', 'production', '--limit', 'lots'), USAGE, 'EW_USAGE', 'bad --limit');
    });
  });
}
