import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { isEnvwardError } from '../../src/errors.ts';
import { driversFor, importPeer, PEER_RANGES } from '../../src/peers.ts';
import { makeTempProject } from '../support/temp-project.ts';

/*
 * A module outside this repository (no node_modules above it in the temp
 * directory) that imports a peer fails the way an application without the
 * peer does: Node's real ERR_MODULE_NOT_FOUND, which importPeer must turn
 * into EW_PEER_MISSING.
 */
function moduleImporting(specifier: string): { url: string; cleanup(): void } {
  const project = makeTempProject();
  const file = project.write('probe.mjs', `import ${JSON.stringify(specifier)};\nexport const loaded = true;\n`);
  return { url: pathToFileURL(file).href, cleanup: project.cleanup };
}

test('a missing peer is EW_PEER_MISSING with the capability and its install line', async () => {
  const probe = moduleImporting('kysely');
  try {
    await assert.rejects(
      importPeer('envward/store', () => import(probe.url), driversFor('sqlite:var/app.db')),
      (error: unknown) => {
        assert.ok(isEnvwardError(error));
        assert.equal(error.code, 'EW_PEER_MISSING');
        assert.equal(error.kind, 'usage');
        assert.match(error.message, /envward\/store needs the package kysely/);
        assert.equal(error.details.install, 'npm install kysely@^0.28.18 better-sqlite3@^12.11.1');
        assert.ok(error.hint.endsWith('npm install kysely@^0.28.18 better-sqlite3@^12.11.1'), error.hint);
        return true;
      },
    );
  } finally {
    probe.cleanup();
  }
});

test('the store names the driver of the URL scheme, both when it is unknown', () => {
  assert.deepEqual(driversFor('sqlite:var/app.db'), ['better-sqlite3']);
  assert.deepEqual(driversFor('postgres://db/app'), ['pg']);
  assert.deepEqual(driversFor('postgresql://db/app'), ['pg']);
  assert.deepEqual(driversFor(undefined), ['better-sqlite3', 'pg']);
});

test('a peer of another capability is named and added to the line', async () => {
  const probe = moduleImporting('ioredis');
  try {
    await assert.rejects(
      importPeer('envward/fastify', () => import(probe.url)),
      (error: unknown) => {
        assert.ok(isEnvwardError(error));
        assert.equal(error.details.missing, 'ioredis');
        assert.match(String(error.details.install), /^npm install fastify@\S+ .* ioredis@\^5\.11\.1$/);
        return true;
      },
    );
  } finally {
    probe.cleanup();
  }
});

test('a missing package that is no peer, or any other failure, is rethrown as it was', async () => {
  const probe = moduleImporting('no-such-package-of-envward');
  try {
    await assert.rejects(
      importPeer('envward/store', () => import(probe.url)),
      (error: unknown) => {
        assert.equal((error as { code?: string }).code, 'ERR_MODULE_NOT_FOUND');
        return true;
      },
    );
  } finally {
    probe.cleanup();
  }
  const failure = new Error('connection refused');
  await assert.rejects(
    importPeer('envward/store', () => Promise.reject(failure)),
    (error) => error === failure,
  );
});

test("the install line's versions are package.json's peerDependencies", () => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    peerDependencies: Record<string, string>;
  };
  assert.deepEqual({ ...PEER_RANGES }, manifest.peerDependencies);
});
