import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertHostAllowed, buildEnvironmentCatalogue, findHostConflict } from '../../src/environment/index.ts';
import { ForceWithoutReasonError, HostMismatchError, resolveConfig } from '../../src/index.ts';
import { secretVariables, writeStandardProject } from '../support/temp-project.ts';

const catalogue = buildEnvironmentCatalogue({
  qa: { tier: 'staging' },
  development: { hosts: ['*.dev.local', 'laptop'] },
  production: { hosts: ['app-*.prod.example.com'] },
});
const env = (name: string) => catalogue.get(name, 'test');

function assertRefused(run: () => unknown, environment: string, hostname: string, reason: RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof HostMismatchError, `expected HostMismatchError, got ${String(error)}`);
    assert.equal(error.code, 'EW_HOST_MISMATCH');
    assert.equal(error.kind, 'refused');
    assert.equal(error.details.environment, environment);
    assert.equal(error.details.hostname, hostname);
    assert.match(error.message, reason);
    return true;
  });
}

describe('host mismatch', () => {
  test("an environment without hosts refuses a host that matches another environment's patterns", () => {
    assertRefused(
      () => assertHostAllowed(env('staging'), 'build-1.dev.local', catalogue),
      'staging',
      'build-1.dev.local',
      /development's host pattern \*\.dev\.local/,
    );
    // An exact host name counts as a pattern too, case-insensitively.
    assertRefused(() => assertHostAllowed(env('qa'), 'LAPTOP', catalogue), 'qa', 'LAPTOP', /development/);
  });

  test('an environment with hosts refuses a host that matches none of them', () => {
    assertRefused(
      () => assertHostAllowed(env('production'), 'app-1.staging.example.com', catalogue),
      'production',
      'app-1.staging.example.com',
      /does not match production's hosts \(app-\*\.prod\.example\.com\)/,
    );
    // Told "production" on a development laptop: its own patterns fail.
    assertRefused(
      () => assertHostAllowed(env('production'), 'laptop', catalogue),
      'production',
      'laptop',
      /production/,
    );
  });

  test('an environment on one of its own hosts passes, whatever the case', () => {
    assert.equal(assertHostAllowed(env('production'), 'APP-7.prod.example.com', catalogue), undefined);
    assert.equal(assertHostAllowed(env('development'), 'build-2.dev.local', catalogue), undefined);
    assert.equal(findHostConflict(env('production'), 'app-7.prod.example.com', catalogue), undefined);
  });

  test('an environment without hosts passes on a host no environment claims', () => {
    assert.equal(assertHostAllowed(env('staging'), 'ci-runner-4', catalogue), undefined);
    assert.equal(assertHostAllowed(env('test'), 'ci-runner-4', catalogue), undefined);
  });

  test('findHostConflict explains the conflict without throwing', () => {
    assert.match(findHostConflict(env('test'), 'x.dev.local', catalogue) ?? '', /development's host pattern/);
    assert.match(findHostConflict(env('production'), 'x.dev.local', catalogue) ?? '', /does not match/);
  });

  test('with no host patterns anywhere, no host is refused', () => {
    const plain = buildEnvironmentCatalogue();
    for (const name of plain.names) {
      assert.equal(assertHostAllowed(plain.get(name, 'test'), 'anything.prod.example.com', plain), undefined);
    }
  });
});

describe('force', () => {
  test('force without a reason is EW_FORCE_REASON (kind usage)', () => {
    for (const reason of ['', '   ', '\n']) {
      assert.throws(
        () => assertHostAllowed(env('staging'), 'build-1.dev.local', catalogue, { reason }),
        (error: unknown) => {
          assert.ok(error instanceof ForceWithoutReasonError);
          assert.equal(error.code, 'EW_FORCE_REASON');
          assert.equal(error.kind, 'usage');
          return true;
        },
      );
    }
  });

  test('force with a reason passes and returns the override for auditing', () => {
    const reason = 'restoring a production backup on the dev box, ticket OPS-12';
    const override = assertHostAllowed(env('production'), 'laptop', catalogue, { reason });
    assert.ok(override);
    assert.equal(override.guard, 'EW_HOST_MISMATCH');
    assert.equal(override.reason, reason);
    assert.match(override.message, /Refusing to run as "production" on host "laptop"/);
  });

  test('force when nothing is refused returns no override', () => {
    assert.equal(
      assertHostAllowed(env('production'), 'app-1.prod.example.com', catalogue, { reason: 'just in case' }),
      undefined,
    );
  });

  test('force without a reason is EW_FORCE_REASON even when the host check passes (docs/errors.md: "API `force` without a reason")', {}, () => {
    assert.throws(() => assertHostAllowed(env('production'), 'app-1.prod.example.com', catalogue, { reason: '' }), {
      code: 'EW_FORCE_REASON',
    });
  });
});

describe('host check in resolveConfig', () => {
  test('resolveConfig refuses, lets force through with the override, and skips the check when asked', async (t) => {
    const project = writeStandardProject({
      environments: "qa: { tier: 'staging' }, development: { hosts: ['*.dev.local'] },",
    });
    t.after(() => project.cleanup());
    const base = {
      cwd: project.dir,
      env: 'production',
      hostname: 'me.dev.local',
      variables: secretVariables('production'),
    };

    await assert.rejects(resolveConfig(base), { code: 'EW_HOST_MISMATCH', kind: 'refused' });
    await assert.rejects(resolveConfig({ ...base, force: { reason: ' ' } }), { code: 'EW_FORCE_REASON' });

    const forced = await resolveConfig({ ...base, force: { reason: 'incident 42' } });
    assert.equal(forced.environment.name, 'production');
    assert.equal(forced.override?.guard, 'EW_HOST_MISMATCH');
    assert.equal(forced.override?.reason, 'incident 42');

    const inspected = await resolveConfig({ ...base, checkHost: false });
    assert.equal(inspected.override, undefined);
    assert.equal(inspected.environment.name, 'production');

    const onOwnHost = await resolveConfig({ ...base, env: 'development' });
    assert.equal(onOwnHost.override, undefined);
  });
});
