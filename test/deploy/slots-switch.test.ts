/**
 * Blue-green slots as an operator meets them: two ledger instances of the
 * `slots-demo` environment (blue and green, two ports, one store), then
 * `envward deploy switch` moving readiness from blue to green and back,
 * each switch audited; refusals write nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { activeSlot } from '../../src/runtime/index.ts';
import {
  type ExitedServer,
  type RunningServer,
  startLedgerServer,
  stopLedgerServer,
} from '../examples/ledger/ledger-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { cleanEnv, runCli } from '../support/run-cli.ts';
import { DIALECTS } from '../support/store-project.ts';

const LEDGER = fileURLToPath(new URL('../../examples/ledger/', import.meta.url));
const ENV = 'slots-demo';

const start = (slot: string | undefined, url: string) =>
  startLedgerServer(['--env', ENV], cleanEnv({ NO_COLOR: '1', PORT: '0', DATABASE_URL: url, ENVWARD_SLOT: slot }));

async function readiness(base: string) {
  const response = await fetch(`${base}/health/ready`);
  return { status: response.status, slot: response.headers.get('x-envward-slot'), body: await response.text() };
}

/** Waits until `base` answers readiness `status` (an instance sees a switch within about a second). */
async function readinessBecomes(base: string, status: number): Promise<void> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const now = await readiness(base);
    if (now.status === status) return;
    if (Date.now() > deadline) assert.fail(`${base} still answers ${now.status}: ${now.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (const dialect of DIALECTS) {
  describe(`deploy switch between two ledger instances on ${dialect}`, () => {
    let dir: string;
    let database: TestDatabase | undefined;
    let url: string;
    let blue: RunningServer;
    let green: RunningServer;
    /** `deploy switch`; `apart` runs it as its own process, for the runs a test starts at once. */
    const cli = (args: readonly string[], apart = false) =>
      runCli(['deploy', 'switch', '--env', ENV, '--cwd', LEDGER, ...args], {
        env: { NO_COLOR: '1', DATABASE_URL: url, ...(apart ? { ENVWARD_TEST_SPAWN: '1' } : {}) },
      });
    const switches = async () => {
      const listed = await runCli(
        ['audit', 'list', '--env', ENV, '--cwd', LEDGER, '--action', 'deploy.switch', '--json'],
        { env: { DATABASE_URL: url } },
      );
      assert.equal(listed.code, 0, listed.stderr);
      return (JSON.parse(listed.stdout) as { events: { target: string; reason: string }[] }).events;
    };
    const active = () => activeSlot({ cwd: LEDGER, env: ENV, variables: { DATABASE_URL: url } });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'envward-slots-'));
      database = dialect === 'postgres' ? await createTestDatabase('slots_switch') : undefined;
      url = database?.url ?? `sqlite:${join(dir, 'ledger.db')}`;
      // One after the other: the first migrates and seeds the store.
      const first = await start('blue', url);
      assert.ok('child' in first, `blue did not start:\n${(first as ExitedServer).output}`);
      blue = first;
      const second = await start('green', url);
      assert.ok('child' in second, `green did not start:\n${(second as ExitedServer).output}`);
      green = second;
    });
    after(async () => {
      if (blue) await stopLedgerServer(blue);
      if (green) await stopLedgerServer(green);
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('an instance started without ENVWARD_SLOT, or with an undeclared one, refuses to start', async () => {
      const without = await start(undefined, url);
      assert.ok(!('child' in without));
      assert.match(without.output, /error\[EW_SLOT_REQUIRED\].*slots-demo runs in slots \(blue, green\)/);
      const purple = await start('purple', url);
      assert.ok(!('child' in purple));
      assert.match(purple.output, /error\[EW_SLOT_UNKNOWN\].*"purple" is not a slot of slots-demo/);
    });

    test('before any switch the first slot is active: blue ready, green 503 "inactive slot"', async () => {
      await readinessBecomes(blue.url, 200);
      await readinessBecomes(green.url, 503);
      const idle = await readiness(green.url);
      assert.match(idle.body, /inactive slot: this instance is in slot green, and blue is active/);
      assert.equal(idle.slot, 'green');
      assert.equal((await fetch(`${green.url}/health/live`)).status, 200);
      assert.deepEqual(await active(), { environment: ENV, slot: 'blue', recorded: false });
    });

    test('hostile input is a usage error and writes nothing', async () => {
      const cases: [readonly string[], RegExp][] = [
        [['--to', '../green', '--reason', 'x'], /EW_SLOT_UNKNOWN/],
        [['--to', 'purple', '--reason', 'x'], /EW_SLOT_UNKNOWN.*its slots: blue, green/],
        [['--to', `green${'x'.repeat(5000)}`, '--reason', 'x'], /EW_SLOT_UNKNOWN/],
        [['--to', 'green'], /EW_USAGE.*needs a reason/],
        [['--to', 'green', '--reason', 'r'.repeat(10_000)], /EW_USAGE.*at most 500/],
        [['--to', 'green', '--reason', 'bin\u0001ary'], /EW_USAGE.*printable/],
        [['--to', 'green', '--reason', 'x', '--instance', 'file:///etc/passwd'], /EW_USAGE.*not an instance/],
        [['--to', 'green', '--reason', 'x', '--instance', 'http://user:pw-9x@127.0.0.1:1'], /EW_USAGE/],
      ];
      for (const [args, pattern] of cases) {
        const result = await cli(args);
        assert.equal(result.code, 2, `${args.join(' ').slice(0, 80)}: ${result.stderr}`);
        assert.match(result.stderr, pattern);
        assert.ok(result.stderr.length < 2_000, 'the message does not echo a huge argument');
        assert.doesNotMatch(result.stderr, /pw-9x/);
      }
      assert.deepEqual(await switches(), []);
      assert.equal((await active()).recorded, false);
    });

    test('an unreachable instance, an instance of the other slot, or none listed refuses with exit 3', async () => {
      const unreachable = await cli(['--to', 'green', '--reason', 'x', '--instance', 'http://127.0.0.1:1']);
      assert.equal(unreachable.code, 3, unreachable.stderr);
      assert.match(unreachable.stderr, /EW_SLOT_NOT_READY.*http:\/\/127\.0\.0\.1:1: unreachable/);
      const wrongSlot = await cli(['--to', 'green', '--reason', 'x', '--instance', blue.url]);
      assert.equal(wrongSlot.code, 3);
      assert.match(wrongSlot.stderr, /is in slot blue, not green/);
      // The settings list 127.0.0.1:3001/3002 for the demo; an address with nothing listening is never "ready".
      const stray = await cli([
        '--to',
        'green',
        '--reason',
        'x',
        '--timeout',
        '500',
        '--instance',
        'http://127.0.0.1:9',
      ]);
      assert.equal(stray.code, 3);
      assert.deepEqual(await switches(), []);
      assert.equal((await active()).recorded, false);
    });

    test('switch moves readiness blue -> green and back, each switch audited with its reason', async () => {
      const forward = await cli(['--to', 'green', '--reason', 'release 2', '--instance', green.url]);
      assert.equal(forward.code, 0, forward.stderr);
      assert.match(forward.stdout, /active slot blue -> green/);
      await readinessBecomes(green.url, 200);
      await readinessBecomes(blue.url, 503);
      assert.match((await readiness(blue.url)).body, /inactive slot/);

      const again = await cli(['--to', 'green', '--reason', 'twice', '--instance', green.url, '--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).switched, false);

      const back = await cli(['--to', 'blue', '--reason', 'roll back', '--instance', blue.url, '--json']);
      assert.equal(back.code, 0, back.stderr);
      assert.deepEqual(
        { from: JSON.parse(back.stdout).from, to: JSON.parse(back.stdout).to },
        { from: 'green', to: 'blue' },
      );
      await readinessBecomes(blue.url, 200);
      await readinessBecomes(green.url, 503);
      const events = await switches();
      assert.deepEqual(
        events.map((event) => [event.target, event.reason]),
        [
          ['slot blue -> green', 'release 2'],
          ['slot green -> blue', 'roll back'],
        ],
      );
      const now = await active();
      assert.equal(now.slot, 'blue');
      assert.equal(now.reason, 'roll back');
    });

    test('two switches to the same slot at once: one switches and is audited, the other finds it active', async () => {
      const before = (await switches()).length;
      const [a, b] = await Promise.all([
        cli(['--to', 'green', '--reason', 'race a', '--instance', green.url, '--json'], true),
        cli(['--to', 'green', '--reason', 'race b', '--instance', green.url, '--json'], true),
      ]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      const switched = [JSON.parse(a.stdout).switched, JSON.parse(b.stdout).switched].filter(Boolean);
      assert.equal(switched.length, 1);
      const events = await switches();
      assert.equal(events.length, before + 1);
      assert.equal(events.at(-1)?.target, 'slot blue -> green');
      assert.equal((await active()).slot, 'green');
      await readinessBecomes(blue.url, 503);
    });
  });
}
