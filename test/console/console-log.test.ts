/**
 * `envward console` logs its requests with envward's logger when the
 * project uses the `log` settings; a secret set through the console, and
 * the environment's other secrets, appear in no log line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { keygen, setSecret } from '../../src/secrets/index.ts';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import { type ConsoleProject, makeConsoleProject, PASSWORD } from '../support/console-project.ts';
import { CLI } from '../support/run-cli.ts';

let project: ConsoleProject;
const canaries = [makeCanary('file'), makeCanary('form')];

before(async () => {
  project = makeConsoleProject(
    {},
    {
      imports: "import { log } from 'envward';",
      use: 'log',
      schema: 'payments: z.object({ apiKey: secret(z.string()).optional() }),',
    },
  );
  await keygen({ cwd: project.dir, variables: {}, env: 'development' });
  await setSecret({
    cwd: project.dir,
    variables: {},
    env: 'development',
    key: 'payments.apiKey',
    value: canaries[0] as string,
  });
  await project.addUser('ada', 'development:admin');
});
after(() => project?.cleanup());

/** A browser's cookie jar and form token, over real HTTP. */
function browser(base: string) {
  const cookies = new Map<string, string>();
  let csrf = '';
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const headers = () => ({ cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') });
  return {
    async get(path: string) {
      const response = await fetch(new URL(path, base), { headers: headers(), redirect: 'manual' });
      keep(response);
      const body = await response.text();
      csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? csrf;
      return { status: response.status, body };
    },
    async post(path: string, fields: Record<string, string>) {
      const response = await fetch(new URL(path, base), {
        method: 'POST',
        headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
        redirect: 'manual',
      });
      keep(response);
      return { status: response.status };
    },
  };
}

test('the console logs its requests, and no secret value reaches the log', async () => {
  const child = spawn(process.execPath, [CLI, 'console', '--env', 'development', '--port', '0', '--json'], {
    cwd: project.dir,
    env: { PATH: process.env.PATH, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    const started = Date.now();
    while (!/"url": "http/.test(output)) {
      if (Date.now() - started > 20_000 || child.exitCode !== null) assert.fail(`console did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const base = /"url": "([^"]+)"/.exec(output)?.[1] as string;
    const client = browser(base);
    await client.get('/login');
    assert.equal((await client.post('/login', { name: 'ada', password: PASSWORD })).status, 303);
    await client.get('/env/development/secrets');
    const set = await client.post('/env/development/secrets/set', {
      key: 'payments.apiKey',
      value: canaries[1] as string,
      reason: 'log canary',
    });
    assert.equal(set.status, 303);
    for (const path of ['/', '/env/development/config', '/env/development/audit', '/env/nowhere/config']) {
      await client.get(path);
    }
  } finally {
    child.kill('SIGINT');
    await once(child, 'exit');
  }
  assert.match(output, /\/env\/development\/secrets\/set/, 'requests are logged');
  assertNoCanary(output, canaries, 'the console process output');
});
