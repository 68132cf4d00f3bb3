/**
 * `integration()` loads undici and cockatiel only when it builds an HTTP
 * client (sandbox, live): in mock mode a service without them installed
 * still starts. Recorded by a module resolve hook in a fresh process running
 * the built entries (run `npm run build` first).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type TempProject, writeStandardProject } from '../support/temp-project.ts';

const root = new URL('../../', import.meta.url).pathname;

const HOOK = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (specifier === 'undici' || specifier === 'cockatiel') writeSync(2, 'loaded ' + specifier + '\\\\n');
  return result;
}\`));
`;

const projects: TempProject[] = [];
after(() => {
  for (const project of projects) project.cleanup();
});

/** Resolves development with `set` and calls integration() in a fresh process; returns the HTTP packages it loaded. */
function loadedBy(set: Record<string, string>): string[] {
  const project = writeStandardProject({
    prelude: "import { integrations } from 'envward/outbound';",
    use: 'integrations({ payments: {} })',
  });
  projects.push(project);
  const core = pathToFileURL(join(root, 'dist', 'index.js')).href;
  const outbound = pathToFileURL(join(root, 'dist', 'outbound.js')).href;
  const script = `
const { resolveConfig } = await import(${JSON.stringify(core)});
const { integration } = await import(${JSON.stringify(outbound)});
const resolved = await resolveConfig({ cwd: ${JSON.stringify(project.dir)}, env: 'development', variables: {}, checkHost: false, set: ${JSON.stringify(set)} });
const made = await integration(resolved, 'payments', { mock: { kind: 'mock' }, client: () => ({ kind: 'http' }) });
process.stdout.write(made.kind);
`;
  const result = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(HOOK)}`, '--input-type=module', '-e', script],
    { encoding: 'utf8', cwd: root },
  );
  assert.equal(result.status, 0, result.stderr);
  const kind = set['integrations.payments.mode'] === 'sandbox' ? 'http' : 'mock';
  assert.equal(result.stdout, kind);
  return [
    ...new Set(result.stderr.split('\n').flatMap((line) => (line.startsWith('loaded ') ? [line.slice(7)] : []))),
  ].sort();
}

test('mock mode loads neither undici nor cockatiel', () => {
  assert.deepEqual(loadedBy({}), []);
});

test('sandbox mode loads both, on the call', () => {
  assert.deepEqual(
    loadedBy({ 'integrations.payments.mode': 'sandbox', 'integrations.payments.baseUrl': 'http://127.0.0.1:9' }),
    ['cockatiel', 'undici'],
  );
});
