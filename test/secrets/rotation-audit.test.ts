/**
 * `secrets rotate-key` is audited whatever the key source. With the old key
 * in ENVWARD_KEY_<ENV>, the audit step used to resolve the environment's
 * store with that key, which the rotation had just retired, so the event was
 * never written (issue 11, item 7). It now finds the store with the new key.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { makeCanary } from '../support/canary.ts';
import {
  cliExpect,
  json,
  keygenAll,
  makeSecretsProject,
  privateKeyIn,
  type SecretsProject,
  secretFiles,
  setSecret,
} from '../support/secrets-project.ts';

const ENV = 'production';
const FILES = secretFiles(ENV);

interface AuditRow {
  readonly action: string;
  readonly target: string;
  readonly environment: string;
}

describe('rotate-key audit', () => {
  const projects: SecretsProject[] = [];
  after(() => {
    for (const p of projects) p.cleanup();
  });

  test("with the key from ENVWARD_KEY_PRODUCTION, each rotation is one secrets.rotate-key event in production's stamped store", async () => {
    const p = makeSecretsProject();
    projects.push(p);
    await keygenAll(p.dir, [ENV]);
    for (const key of ['database.password', 'payments.apiKey']) await setSecret(p.dir, ENV, key, makeCanary(key));
    await cliExpect(p.dir, ['db', 'stamp', '--env', ENV], 0);
    const oldKey = privateKeyIn(p.read(FILES.key));
    p.remove(FILES.key);

    const rotated = await cliExpect(p.dir, ['secrets', 'rotate-key', '--env', ENV, '--print', '--json'], 0, {
      env: { ENVWARD_KEY_PRODUCTION: oldKey },
    });
    assert.doesNotMatch(rotated.stderr, /not audited/, rotated.stderr);
    const report = json(rotated);
    const newKey = String(report.privateKey);
    const list = async (key: string) =>
      json(
        await cliExpect(p.dir, ['audit', 'list', '--env', ENV, '--action', 'secrets.rotate-key', '--json'], 0, {
          env: { ENVWARD_KEY_PRODUCTION: key },
        }),
      ).events as AuditRow[];
    const events = await list(newKey);
    assert.deepEqual(
      events.map((event) => [event.action, event.environment, event.target]),
      [['secrets.rotate-key', ENV, `${report.retired} -> ${report.publicKey}`]],
    );

    // In text mode as well.
    const text = await cliExpect(p.dir, ['secrets', 'rotate-key', '--env', ENV, '--print'], 0, {
      env: { ENVWARD_KEY_PRODUCTION: newKey },
    });
    assert.doesNotMatch(text.stderr, /not audited/, text.stderr);
    const newest = text.stdout.split('\n')[0] ?? '';
    assert.equal((await list(newest)).length, 2);
  });
});
