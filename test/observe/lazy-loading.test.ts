import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DIST_INDEX = new URL('../../dist/index.js', import.meta.url).href;
const DIST_OBSERVE = new URL('../../dist/observe.js', import.meta.url).href;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// The CommonJS packages land in require.cache when anything imports them;
// cockatiel (ESM) is imported by the same chunk as undici, so it loads with it.
const HEAVY = ['pino', 'pino-pretty', 'pino-roll', 'undici', 'prom-client'];

function loadedAfter(code: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const envward = await import(${JSON.stringify(DIST_INDEX)});
    const observe = await import(${JSON.stringify(DIST_OBSERVE)});
    ${code}
    const loaded = Object.keys(createRequire(import.meta.url).cache)
      .map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file)?.[1])
      .filter(Boolean);
    console.log(JSON.stringify([...new Set(loaded)]));
  `;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(stdout) as string[];
}

test('importing envward (built) loads neither pino, undici nor prom-client', () => {
  const loaded = loadedAfter('');
  assert.deepEqual(
    HEAVY.filter((name) => loaded.includes(name)),
    [],
  );
});

test('envward/observe: createScrubber works without loading the logger or HTTP client', () => {
  const loaded = loadedAfter(`
    if (observe.createScrubber(['a-secret-value'])('x a-secret-value') !== 'x ' + envward.MASK) throw new Error('scrub');
  `);
  assert.deepEqual(
    HEAVY.filter((name) => loaded.includes(name)),
    [],
  );
});
