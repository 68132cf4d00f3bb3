/**
 * Resolution warnings: typed `{ code, message, key? }`, logged once at start
 * by createLogger and the Fastify plugin (once in all when both get the same
 * resolved config), and a process variable that shadows a sealed secret of a
 * protected environment is one of them, named without its value.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import pino from 'pino';
import { openProject, type Project, type ResolveOptions } from '../../src/config/index.ts';
import { envwardFastify } from '../../src/http/index.ts';
import { closeLogger, createLogger } from '../../src/observe/index.ts';
import { resolveConfig } from '../../src/resolution.ts';
import { makeKeyPair, storeSecrets } from '../../src/secrets/vault.ts';
import { makeCanary } from '../support/canary.ts';
import { makeSecretsProject, type SecretsProject, secretFiles } from '../support/secrets-project.ts';

describe('resolution warnings', () => {
  let p: SecretsProject;
  let project: Project;
  let logs: string;
  const sealed: Record<string, string> = {};

  const resolve = (env: string, options: Partial<ResolveOptions> = {}) =>
    resolveConfig<unknown>({ project, env, variables: {}, checkHost: false, ...options });

  /** A real pino file destination and what was written to it. */
  const fileDestination = (name: string) => {
    const file = join(logs, `${name}.log`);
    const text = () => readFileSync(file, 'utf8');
    return {
      destination: pino.destination({ dest: file, sync: true, mkdir: true }),
      text,
      count: (needle: string) => text().split(needle).length - 1,
      lines: () =>
        text()
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>),
    };
  };

  before(async () => {
    logs = mkdtempSync(join(tmpdir(), 'envward-warnings-'));
    p = makeSecretsProject();
    project = await openProject(p.dir);
    for (const env of ['development', 'production']) {
      await makeKeyPair(p.dir, env);
      sealed[env] = makeCanary(`${env}api`);
      const values = new Map([
        ['payments.apiKey', sealed[env]],
        ['database.password', makeCanary(`${env}pw`)],
      ]);
      await storeSecrets(p.dir, project.environments.get(env, 'test'), values, { variables: {} });
    }
  });
  after(() => {
    p.cleanup();
    rmSync(logs, { recursive: true, force: true });
  });

  test('a development service started without its key logs EW_WARN_SECRETS_LOCKED once, through createLogger and the plugin', async () => {
    const key = p.path(secretFiles('development').key);
    renameSync(key, `${key}.away`);
    try {
      const resolved = await resolve('development');
      assert.deepEqual(
        resolved.warnings.map((w) => [w.code, w.key]),
        [['EW_WARN_SECRETS_LOCKED', undefined]],
      );
      const out = fileDestination('development');
      const logger = await createLogger(resolved, { destination: out.destination });
      const app = Fastify({ loggerInstance: logger });
      await app.register(envwardFastify, { config: resolved });
      await app.ready();
      await app.close();
      await closeLogger(logger);
      // Development logs pretty text.
      assert.equal(out.count('EW_WARN_SECRETS_LOCKED'), 1, `logged once, not once by each:\n${out.text()}`);
      assert.match(out.text(), /WARN.*\[development\] .*not decrypted: no private key \(\$ENVWARD_KEY_DEVELOPMENT/);
    } finally {
      renameSync(`${key}.away`, key);
    }
  });

  test('the plugin alone logs them when the server has its own logger', async () => {
    const key = p.path(secretFiles('development').key);
    renameSync(key, `${key}.away`);
    try {
      const resolved = await resolve('development');
      const out = fileDestination('plugin-only');
      const app = Fastify({ loggerInstance: pino(out.destination) });
      await app.register(envwardFastify, { config: resolved });
      await app.ready();
      await app.close();
      assert.equal(out.lines().filter((line) => line.code === 'EW_WARN_SECRETS_LOCKED').length, 1);
    } finally {
      renameSync(`${key}.away`, key);
    }
  });

  test('a variable shadowing a sealed secret in production is EW_WARN_SECRET_SHADOWED, without its value', async () => {
    const shadow = makeCanary('shadowapi');
    const resolved = await resolve('production', { variables: { PAYMENTS_API_KEY: shadow } });
    assert.deepEqual(
      resolved.warnings.map((w) => [w.code, w.key]),
      [['EW_WARN_SECRET_SHADOWED', 'payments.apiKey']],
    );
    const text = JSON.stringify(resolved.warnings);
    assert.match(text, /\$PAYMENTS_API_KEY is set and shadows payments\.apiKey/);
    assert.ok(!text.includes(shadow) && !text.includes(sealed.production as string), 'no value in the warning');

    const out = fileDestination('production');
    const logger = await createLogger(resolved, { destination: out.destination });
    await closeLogger(logger);
    const warned = out.lines().filter((line) => line.code === 'EW_WARN_SECRET_SHADOWED');
    assert.equal(warned.length, 1);
    assert.equal(warned[0]?.key, 'payments.apiKey');
  });

  test('no shadow warning in development, nor for variables where nothing is sealed', async () => {
    const development = await resolve('development', { variables: { PAYMENTS_API_KEY: makeCanary('devshadow') } });
    assert.deepEqual(development.warnings, []);
    // Staging seals nothing: its variables are its only source of secrets.
    const variables = { PAYMENTS_API_KEY: makeCanary('stgapi'), DATABASE_PASSWORD: makeCanary('stgpw') };
    const staging = await resolve('staging', { variables });
    assert.deepEqual(staging.warnings, []);
  });
});
