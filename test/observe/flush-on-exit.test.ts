import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeCanary } from '../support/canary.ts';
import { makeObserveProject } from '../support/observe-project.ts';
import { withSlot } from '../support/process-slots.ts';
import { TSX_IMPORT } from '../support/tsx.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INDEX = new URL('../../src/index.ts', import.meta.url).href;
const OBSERVE = new URL('../../src/observe/index.ts', import.meta.url).href;

/*
 * Each child resolves production, creates its logger, logs a marker and ends
 * the hard way at once, with no chance to flush anything afterwards.
 */
const CHILD = `
const [dir, mode, marker, apiKey] = process.argv.slice(2);
const { resolveConfig } = await import(${JSON.stringify(INDEX)});
const { createLogger } = await import(${JSON.stringify(OBSERVE)});
const resolved = await resolveConfig({ cwd: dir, env: 'production', variables: { PAYMENTS_API_KEY: apiKey, DATABASE_PASSWORD: apiKey + '-db' }, checkHost: false });
const logger = await createLogger(resolved);
for (let i = 0; i < 200; i++) logger.info({ i, apiKey }, 'filler line');
if (mode === 'fatal') {
  logger.fatal({ apiKey }, marker);
  process.kill(process.pid, 'SIGKILL');
}
logger.info(marker);
if (mode === 'exit') process.exit(3);
if (mode === 'throw') throw new Error('crash after logging');
if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
`;

const project = makeObserveProject();
after(() => project.cleanup());
const script = project.write('child.mjs', CHILD);

function runChild(mode: string, marker: string, apiKey: string) {
  return withSlot(
    () =>
      new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [...TSX_IMPORT, script, project.dir, mode, marker, apiKey], {
          cwd: ROOT,
          env: { ...process.env, NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
        });
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, signal, stdout }));
      }),
  );
}

function logText(): string {
  const dir = join(project.dir, 'var', 'production', 'logs');
  return readdirSync(dir)
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('');
}

const cases = [
  { mode: 'exit', code: 3, signal: null },
  { mode: 'throw', code: 1, signal: null },
  { mode: 'kill', code: null, signal: 'SIGKILL' },
  { mode: 'fatal', code: null, signal: 'SIGKILL' },
] as const;

test('a line logged right before process.exit, a crash, SIGKILL or a fatal is in the production log file', async () => {
  const apiKey = makeCanary('apikey');
  const runs = await Promise.all(
    cases.map(async (expected) => {
      const marker = `last words before ${expected.mode} ${makeCanary('marker')}`;
      return { expected, marker, result: await runChild(expected.mode, marker, apiKey) };
    }),
  );
  const text = logText();
  for (const { expected, marker, result } of runs) {
    assert.equal(result.code, expected.code, `${expected.mode}: exit code`);
    assert.equal(result.signal, expected.signal, `${expected.mode}: signal`);
    assert.equal(result.stdout, '', `${expected.mode}: production logs nothing on the console`);
    const line = text.split('\n').find((entry) => entry.includes(marker));
    assert.ok(line, `${expected.mode}: the last line is in the file`);
    assert.equal(JSON.parse(line).env, 'production');
  }
  assert.ok(!text.includes(apiKey), 'the secret never reaches the file');
  assert.equal(text.split('\n').filter((entry) => entry.includes('filler line')).length, 200 * cases.length);
});
