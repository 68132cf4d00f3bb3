/**
 * The console's settings fragment: what a project's `console.*` keys do to
 * the server, the production tier's shorter sessions, and a bad value
 * reported at its file and line (never a crash or a half-started console).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve.ts';
import { consoleConfigOf } from '../../src/console/console-config.ts';
import { buildConsoleServer } from '../../src/console/start-console.ts';
import { isEnvwardError } from '../../src/errors.ts';
import { makeTempProject } from '../support/temp-project.ts';

const CONFIG = `import { database, defineConfig, z } from 'envward';
import { consoleSettings } from 'envward/console';

export default defineConfig({
  project: 'console-settings',
  use: [database, consoleSettings],
  schema: z.object({ app: z.object({ name: z.string().default('x') }) }),
});
`;

function project(development: string) {
  return makeTempProject({
    'envward.config.ts': CONFIG,
    'config/environments/development/settings.yml': `database:\n  url: sqlite:var/development.db\n${development}`,
    'config/environments/production/settings.yml': 'database:\n  url: sqlite:var/production.db\n',
  });
}

const variables = { PATH: process.env.PATH };

test('console.* settings reach the server; --port/--host options win over them', async () => {
  const files = project(
    'console:\n  port: 4999\n  host: 127.0.0.2\n  loginPerMinute: 3\n  lockout:\n    attempts: 2\n',
  );
  try {
    const server = await buildConsoleServer({ cwd: files.dir, env: 'development', variables });
    try {
      assert.equal(server.port, 4999);
      assert.equal(server.host, '127.0.0.2');
      assert.equal(server.site.settings.loginPerMinute, 3);
      assert.equal(server.site.settings.lockoutAttempts, 2);
      assert.equal(server.site.settings.lockoutMinutes, 15);
      assert.equal(server.site.settings.sessionMinutes, 480);
      assert.equal(server.site.settings.oidc, undefined);
    } finally {
      await server.close();
    }
    const overridden = await buildConsoleServer({
      cwd: files.dir,
      env: 'development',
      variables,
      port: 0,
      host: '::1',
    });
    assert.equal(overridden.port, 0);
    assert.equal(overridden.host, '::1');
    await overridden.close();
  } finally {
    files.cleanup();
  }
});

test('the production tier defaults to one-hour sessions', async () => {
  const files = project('');
  try {
    const resolved = await resolveConfig({ cwd: files.dir, env: 'production', variables, checkHost: false });
    assert.equal(consoleConfigOf(resolved).settings.sessionMinutes, 60);
  } finally {
    files.cleanup();
  }
});

test('a bad console.* value is EW_CONFIG_INVALID at its file and line', async () => {
  const files = project('console:\n  port: "http"\n  oidc:\n    issuer: ftp://idp.example\n');
  try {
    await assert.rejects(buildConsoleServer({ cwd: files.dir, env: 'development', variables }), (error) => {
      assert.ok(isEnvwardError(error));
      assert.equal(error.code, 'EW_CONFIG_INVALID');
      assert.match(
        error.message,
        /console\.port \[development\] at config\/environments\/development\/settings\.yml:4/,
      );
      assert.match(error.message, /console\.oidc\.issuer/);
      return true;
    });
  } finally {
    files.cleanup();
  }
});

test('an issuer without client id and redirect URL is a config issue', async () => {
  const files = project('console:\n  oidc:\n    issuer: http://127.0.0.1:9/\n');
  try {
    await assert.rejects(buildConsoleServer({ cwd: files.dir, env: 'development', variables }), (error) => {
      assert.ok(isEnvwardError(error));
      assert.equal(error.code, 'EW_CONFIG_INVALID');
      assert.match(error.message, /console\.oidc\.clientId/);
      assert.match(error.message, /console\.oidc\.redirectUrl/);
      return true;
    });
  } finally {
    files.cleanup();
  }
});
