/**
 * examples/fastify-hello/app.mjs, the five-line service of docs/http.md, run
 * as a user runs it (`node app.mjs` in its directory, against the built
 * dist/; run `npm run build` first) on a fresh SQLite file, then the requests
 * the docs show.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from '../support/run-cli.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/fastify-hello/', import.meta.url));

describe('the five-line Fastify example', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envward-fastify-hello-'));
  let child: ChildProcess;
  let url = '';
  let output = '';
  before(async () => {
    child = spawn(process.execPath, ['app.mjs'], {
      cwd: EXAMPLE,
      env: cleanEnv({ NO_COLOR: '1', PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'hello.db')}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) resolve(match[1] as string);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`app.mjs exited (${code}) before listening:\n${output}`)));
    });
  });
  after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('is five lines of code', () => {
    const code = readFileSync(join(EXAMPLE, 'app.mjs'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('//') && !line.startsWith('import '));
    assert.equal(code.length, 5, code.join('\n'));
  });

  test('answers its route with the environment header', async () => {
    const response = await fetch(`${url}/hello`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { hello: 'world' });
    assert.equal(response.headers.get('x-environment'), 'development; tier=development');
    assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('serves /environment, /health/ready and /metrics', async () => {
    const info = (await (await fetch(`${url}/environment`)).json()) as { name: string; detection: { source: string } };
    assert.equal(info.name, 'development');
    assert.equal(info.detection.source, 'default');
    let ready = await fetch(`${url}/health/ready`);
    for (let i = 0; i < 50 && ready.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      ready = await fetch(`${url}/health/ready`);
    }
    assert.equal(ready.status, 200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(
      metrics,
      /http_requests_total\{route="\/hello",method="GET",status_code="200",environment="development"\} 1/,
    );
  });

  test('logs every request with its request id', async () => {
    await fetch(`${url}/hello`, { headers: { 'x-request-id': 'docs-example-1' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(output, /reqId: "docs-example-1"/);
  });
});
