/**
 * reportStartupError: an application's start-up failure reported as the CLI
 * reports its own (the same text for the same error, the exit code by kind,
 * no stack for envward errors), secrets scrubbed, never throwing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ConfigKeyUnknownError,
  EnvwardError,
  HostMismatchError,
  MASK,
  reportStartupError,
  resolveConfig,
  UsageError,
} from '../../src/index.ts';
import { runCli } from '../support/run-cli.ts';
import { STANDARD_SECRETS, secretVariables, type TempProject, writeStandardProject } from '../support/temp-project.ts';

function report(error: unknown, options: Parameters<typeof reportStartupError>[1] = {}) {
  let text = '';
  const code = reportStartupError(error, { ...options, stream: { write: (chunk: string) => (text += chunk) } });
  return { code, text };
}

describe('reportStartupError', () => {
  let temp: TempProject;
  before(() => {
    temp = writeStandardProject();
  });
  after(() => temp.cleanup());

  test('prints what the CLI prints for the same error, and exits as it does', async () => {
    const cli = await runCli(['config', 'explain', 'app.nmae', '--env', 'development'], { cwd: temp.dir });
    const resolved = await resolveConfig({ cwd: temp.dir, env: 'development', variables: {}, checkHost: false });
    let thrown: unknown;
    try {
      resolved.explain('app.nmae');
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof ConfigKeyUnknownError);
    const own = report(thrown);
    assert.equal(own.text, cli.stderr);
    assert.equal(own.code, cli.code);
    assert.equal(own.code, 2);
    assert.match(own.text, /^error\[EW_CONFIG_KEY\]: .*\nhint: /);
  });

  test('exit code by kind, and no stack for an envward error', () => {
    assert.equal(report(new UsageError('bad')).code, 2);
    assert.equal(report(new EnvwardError('EW_CONFIG_INVALID', 'problem', 'bad', 'fix it')).code, 1);
    const refused = report(new HostMismatchError('production', 'laptop', 'not a production host'));
    assert.equal(refused.code, 3);
    assert.doesNotMatch(refused.text, /\n\s+at /, 'no stack');
  });

  test("an application's own error is reported with its stack, exit 1", () => {
    const { code, text } = report(new TypeError('cannot read the thing'));
    assert.equal(code, 1);
    assert.match(text, /^error: TypeError: cannot read the thing\n\s+at /);
  });

  test("the config's secret values are scrubbed, from the message and the stack", async () => {
    const resolved = await resolveConfig({
      cwd: temp.dir,
      env: 'production',
      variables: secretVariables('production'),
      checkHost: false,
    });
    const secret = STANDARD_SECRETS.production as string;
    const { text } = report(new Error(`gateway refused key ${secret}`), { config: resolved });
    assert.ok(!text.includes(secret), text);
    assert.ok(text.includes(MASK));
  });

  test('never throws, whatever was thrown', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    const { code, text } = report(hostile);
    assert.equal(code, 1);
    assert.match(text, /^error: /);
    assert.equal(report(undefined).code, 1);
  });
});
