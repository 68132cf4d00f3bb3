/**
 * The configuration archive of `backupConfig` (src/runtime/config-backup.ts,
 * config-archive.ts): what it holds and never holds, how it is written and
 * audited, and that a damaged, hostile or wrong-shaped archive is refused by
 * `restoreConfig` before anything is written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { resolveConfig } from '../../src/index.ts';
import { archiveText, MAX_ARCHIVE_BYTES } from '../../src/runtime/config-archive.ts';
import { backupConfig, restoreConfig, setConfig } from '../../src/runtime/index.ts';
import { openStore } from '../../src/store/index.ts';
import { type ArchiveProject, makeArchiveProject } from '../support/archive-project.ts';
import { assertNoCanary } from '../support/canary.ts';

/** A seeded generator (mulberry32): the same positions on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The audit events of `env`'s store, oldest first. */
async function auditActions(project: ArchiveProject, env: string): Promise<{ action: string; target: string }[]> {
  const resolved = await resolveConfig({ ...project.common, env, checkHost: false });
  const store = await openStore(resolved, { stampMode: 'read' });
  try {
    return (await store.audit.list()).map((row) => ({ action: row.action, target: row.target }));
  } finally {
    await store.close();
  }
}

/** A project with revisions in development and test, backed up whole into `backup.json`. */
async function backedUp(projects: ArchiveProject[]) {
  const project = await makeArchiveProject();
  projects.push(project);
  await setConfig({ ...project.common, env: 'development', set: { 'log.level': 'warn' }, reason: 'INC-1' });
  await setConfig({ ...project.common, env: 'development', set: { 'app.port': '4100' }, reason: 'INC-2' });
  await setConfig({ ...project.common, env: 'test', set: { 'log.level': 'error' }, reason: 'quiet tests' });
  const out = project.path('backup.json');
  const result = await backupConfig({ ...project.common, all: true, out });
  return { project, out, result };
}

/** Asserts that a refused restore into the wiped project wrote nothing: no config/, no var/. */
function assertNothingWritten(project: ArchiveProject): void {
  assert.equal(existsSync(project.path('config')), false, 'config/ was written');
  assert.equal(existsSync(project.path('var')), false, 'var/ was written');
}

describe('config backup', { concurrency: true }, () => {
  const projects: ArchiveProject[] = [];
  after(() => Promise.all(projects.map((project) => project.cleanup())));

  test('the archive is versioned and checksummed, holds files, every revision row and the sealed secrets, mode 0600', async () => {
    const { project, out, result } = await backedUp(projects);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const document = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(document.format, 'envward-config-archive');
    assert.equal(document.version, 1);
    assert.match(document.checksum, /^sha256:[0-9a-f]{64}$/);
    assert.equal(result.checksum, document.checksum);
    const { body } = document;
    assert.equal(body.project, 'test-project');
    assert.equal(typeof body.envward, 'string');
    assert.deepEqual(Object.keys(body.environments).sort(), ['development', 'production', 'staging', 'test']);
    assert.equal(body.files['config/base.yml'], project.read('config/base.yml'));
    assert.equal(body.files['config/secrets.salt'], project.read('config/secrets.salt'));
    const staging = body.environments.staging;
    assert.deepEqual(Object.keys(staging.files).sort(), [
      'config/environments/staging/secrets.pub',
      'config/environments/staging/secrets.yml',
      'config/environments/staging/settings.yml',
    ]);
    assert.equal(
      staging.files['config/environments/staging/secrets.yml'],
      project.read('config/environments/staging/secrets.yml'),
    );
    const development = body.environments.development;
    assert.deepEqual(
      development.revisions.map((row: Record<string, unknown>) => [row.number, row.action, row.reason, row.state]),
      [
        [1, 'set', 'INC-1', { 'log.level': 'warn' }],
        [2, 'set', 'INC-2', { 'app.port': '4100', 'log.level': 'warn' }],
      ],
    );
    const first = development.revisions[0];
    assert.deepEqual(Object.keys(first).sort(), [
      'action',
      'actor',
      'at',
      'changes',
      'host',
      'number',
      'reason',
      'state',
    ]);
    assert.deepEqual(first.changes, [{ key: 'log.level', from: null, to: 'warn' }]);
    assert.deepEqual(
      result.environments.map((entry) => [entry.environment, entry.revisions, entry.audited]),
      [
        ['development', 2, true],
        ['test', 1, true],
        ['staging', 0, false],
        ['production', 0, false],
      ],
    );
  });

  test('the archive holds no private key and no plaintext secret', async () => {
    const { project, out } = await backedUp(projects);
    const bytes = readFileSync(out, 'latin1');
    assertNoCanary(bytes, Object.values(project.canaries), 'the archive');
    assert.doesNotMatch(bytes, /ewkey1_/, 'a private key is in the archive');
    for (const env of ['staging', 'production']) {
      const keyFile = project.read(`.envward/keys/${env}.key`) ?? '';
      const privateKey = /ewkey1_[A-Za-z0-9_-]+/.exec(keyFile)?.[0];
      assert.ok(privateKey);
      assert.equal(bytes.includes(privateKey), false);
    }
  });

  test('each environment with a store has config.backup in its audit log; the others are named in warnings', async () => {
    const { project, result } = await backedUp(projects);
    for (const env of ['development', 'test']) {
      const events = await auditActions(project, env);
      assert.equal(events.at(-1)?.action, 'config.backup');
      assert.match(events.at(-1)?.target ?? '', /^backup\.json \(sha256:[0-9a-f]{12}\): \d file\(s\), revisions 0-\d$/);
    }
    assert.deepEqual(result.warnings, [
      'staging: it has no database, so it has no revisions and is not audited',
      'production: it has no database, so it has no revisions and is not audited',
    ]);
  });

  test('an existing file is never replaced unless forced', async () => {
    const { project, out } = await backedUp(projects);
    writeFileSync(out, 'keep me');
    await assert.rejects(backupConfig({ ...project.common, env: 'development', out }), { code: 'EW_ARCHIVE_EXISTS' });
    assert.equal(readFileSync(out, 'utf8'), 'keep me');
    const forced = await backupConfig({ ...project.common, env: 'development', out, force: true });
    assert.deepEqual(
      forced.environments.map((entry) => entry.environment),
      ['development'],
    );
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).body.scope, 'environment');
  });

  test('a plain file that sets a secret key in clear is left out, named with the key and never the value, and kept by a restore', async () => {
    const project = await makeArchiveProject();
    projects.push(project);
    const plain = 'PAYMENTS_API_KEY=plain-dev-value-7Hq2Zx\n';
    project.write('config/environments/development/.env', plain);
    const out = project.path('backup.json');
    const result = await backupConfig({ ...project.common, env: 'development', out });
    assert.deepEqual(result.omitted, [{ file: 'config/environments/development/.env', keys: ['payments.apiKey'] }]);
    assert.match(result.warnings.join('\n'), /config\/environments\/development\/\.env is left out.*payments\.apiKey/);
    const bytes = readFileSync(out, 'utf8');
    assert.equal(bytes.includes('plain-dev-value-7Hq2Zx'), false);
    project.write('config/environments/development/.env', 'PAYMENTS_API_KEY=another-value-9Kd3\n');
    const restored = await restoreConfig({ ...project.common, file: out, env: 'development' });
    assert.equal(project.read('config/environments/development/.env'), 'PAYMENTS_API_KEY=another-value-9Kd3\n');
    assert.match(restored.warnings.join('\n'), /\.env is not in the archive .*it is kept as it is/);
  });
});

describe('a damaged or hostile archive is refused before anything is written', { concurrency: true }, () => {
  const projects: ArchiveProject[] = [];
  after(() => Promise.all(projects.map((project) => project.cleanup())));

  /** A wiped project and its archive's bytes, to damage. */
  async function wiped() {
    const { project, out } = await backedUp(projects);
    const bytes = readFileSync(out);
    await project.wipe();
    return { project, out, bytes };
  }

  async function refused(project: ArchiveProject, file: string, pattern: RegExp) {
    await assert.rejects(
      restoreConfig({ ...project.common, file, all: true, reason: 'r' }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'EW_ARCHIVE_INVALID');
        assert.match(error.message, pattern);
        return true;
      },
    );
    assertNothingWritten(project);
  }

  test('a flipped byte anywhere is refused (24 seeded positions)', async () => {
    const { project, out, bytes } = await wiped();
    const random = seeded(14);
    for (let round = 0; round < 24; round++) {
      const damaged = Buffer.from(bytes);
      const at = Math.floor(random() * damaged.length);
      damaged[at] = (damaged[at] as number) ^ (1 << Math.floor(random() * 8));
      writeFileSync(out, damaged);
      await refused(project, out, /./);
    }
  });

  test('a changed value is refused by its checksum', async () => {
    const { project, out, bytes } = await wiped();
    writeFileSync(out, bytes.toString('utf8').replace('"INC-1"', '"INC-7"'));
    await refused(project, out, /checksum does not match/);
  });

  test('truncated, empty, binary, gzip and not-JSON files are refused', async () => {
    const { project, out, bytes } = await wiped();
    const cases: [Buffer, RegExp][] = [
      [bytes.subarray(0, Math.floor(bytes.length / 2)), /not complete JSON/],
      [Buffer.alloc(0), /empty/],
      [Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]), /binary/],
      [Buffer.from([0xff, 0xfe, 0x41]), /not UTF-8/],
      [Buffer.from('format: envward-config-archive\n'), /not complete JSON/],
      [Buffer.from('{"format":"something-else","version":1}'), /not an envward-config-archive/],
      [Buffer.from('{"format":"envward-config-archive","version":2,"checksum":"x","body":{}}'), /format version 2/],
    ];
    for (const [content, pattern] of cases) {
      writeFileSync(out, content);
      await refused(project, out, pattern);
    }
  });

  test('a file over 64 MiB is refused before it is read', async () => {
    const { project, out } = await wiped();
    writeFileSync(out, '');
    truncateSync(out, MAX_ARCHIVE_BYTES + 1); // sparse: no 64 MiB written or read
    await refused(project, out, /at most 67108864/);
  });

  test('a directory, a FIFO and a missing file are refused', async () => {
    const { project } = await wiped();
    await refused(project, project.dir, /not a regular file|cannot be read/);
    await refused(project, project.path('nothing.json'), /no such file/);
    const fifo = project.path('archive.fifo');
    execFileSync('mkfifo', [fifo]);
    await refused(project, fifo, /not a regular file/);
  });

  test('a body that breaks the rules is refused even with a matching checksum', async () => {
    const { project, out, bytes } = await wiped();
    const body = JSON.parse(bytes.toString('utf8')).body;
    const hostile = [
      { ...body, files: { ...body.files, '../../outside.yml': 'x: 1\n' } },
      { ...body, environments: { ...body.environments, '../x': body.environments.test } },
      {
        ...body,
        environments: {
          ...body.environments,
          development: {
            ...body.environments.development,
            revisions: body.environments.development.revisions.slice(1),
          },
        },
      },
      {
        ...body,
        environments: {
          ...body.environments,
          test: { ...body.environments.test, files: { 'config/environments/development/settings.yml': 'x: 1\n' } },
        },
      },
    ];
    for (const changed of hostile) {
      writeFileSync(out, archiveText(changed));
      await refused(project, out, /may not hold|not an environment name|numbered/);
    }
    assert.deepEqual(readdirSync(project.dir).sort(), ['.envward', 'backup.json', 'envward.config.ts']);
  });
});
