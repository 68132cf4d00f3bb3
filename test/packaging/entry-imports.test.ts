import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

/*
 * What each built entry loads, recorded by a module resolve hook in a fresh
 * process: `import('envward')` must load no store, HTTP or logging package
 * (they are optional peers the application may not have installed).
 */

const root = new URL('../../', import.meta.url).pathname;

const HOOK = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:') && !specifier.startsWith('file:')) {
    writeSync(2, 'envward-test-package ' + specifier + '\\\\n');
  }
  return result;
}\`));
`;

const PEERS = [
  'kysely',
  'pg',
  'better-sqlite3',
  'fastify',
  'fastify-plugin',
  '@fastify/cors',
  '@fastify/helmet',
  '@fastify/rate-limit',
  '@fastify/jwt',
  'ioredis',
  'pino',
  'pino-pretty',
  'pino-roll',
  'prom-client',
  'cockatiel',
  'undici',
  'libpg-query',
  '@openfeature/server-sdk',
  '@openfeature/core',
  'croner',
  '@fastify/cookie',
  '@fastify/csrf-protection',
  '@fastify/formbody',
  '@node-rs/argon2',
  'openid-client',
];

/** The packages (bare specifiers, subpaths cut) that importing `entry` loads. */
function packagesLoadedBy(entry: string): string[] {
  const url = pathToFileURL(join(root, 'dist', entry)).href;
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(HOOK)}`,
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(url)});`,
    ],
    { encoding: 'utf8', cwd: root },
  );
  assert.equal(result.status, 0, result.stderr);
  const names = new Set<string>();
  for (const line of result.stderr.split('\n')) {
    if (!line.startsWith('envward-test-package ')) continue;
    const specifier = line.slice('envward-test-package '.length);
    const parts = specifier.split('/');
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
  }
  return [...names].sort();
}

test('import("envward") loads zod and no peer of a capability', () => {
  const loaded = packagesLoadedBy('index.js');
  assert.deepEqual(
    loaded.filter((name) => PEERS.includes(name)),
    [],
  );
  assert.ok(loaded.includes('zod'), `zod is the one peer the root entry needs; loaded: ${loaded.join(', ')}`);
});

test('each capability entry loads no other capability’s peers when imported', () => {
  // Entries load their heavy peers on first use; only the Fastify plugin needs its packages at import.
  const allowed: Record<string, readonly string[]> = {
    'store.js': [],
    'migrate.js': [],
    'observe.js': [],
    'outbound.js': [],
    'runtime.js': [],
    'flags.js': [],
    'jobs.js': [],
    'console.js': [],
    'data.js': [],
    'fastify.js': ['fastify-plugin', '@fastify/cors', '@fastify/rate-limit', 'prom-client'],
  };
  for (const [entry, peers] of Object.entries(allowed)) {
    const loaded = packagesLoadedBy(entry).filter((name) => PEERS.includes(name));
    assert.deepEqual(
      loaded.filter((name) => !peers.includes(name)),
      [],
      `${entry} loads ${loaded.join(', ')}`,
    );
  }
});
