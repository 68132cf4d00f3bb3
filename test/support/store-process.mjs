/**
 * A process that opens a store on cue, for the tests of several processes
 * at once (test/support/store-project.ts `runStoreProcesses`):
 *   node test/support/store-process.mjs <project dir> <env> <appends> <label>
 * It runs the built library (dist/, `npm run build` first), as the CLI tests
 * do: a process starts in a third of the time it takes through tsx.
 *
 * It resolves the environment, prints "ready", waits for a line on stdin (so
 * every process starts together), opens the store as actor <label>, appends
 * <appends> audit events (action `test.concurrent`, target `<label>-<i>`)
 * and prints one JSON line: `{ "stamp": "<environment>" }`, or
 * `{ "error": "<code>", "message": "..." }` when the open or an append failed.
 */
import { once } from 'node:events';
import { resolveConfig } from '../../dist/index.js';
import { openStore } from '../../dist/store.js';

const [dir, env, appends, label] = process.argv.slice(2);
if (!dir || !env || !appends || !label) throw new Error('usage: store-process.mjs <dir> <env> <appends> <label>');

const resolved = await resolveConfig({ cwd: dir, env, variables: {} });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
try {
  const store = await openStore(resolved, { actor: label });
  try {
    for (let i = 0; i < Number(appends); i++) {
      await store.audit.append({ action: 'test.concurrent', target: `${label}-${i}`, outcome: 'done' });
    }
    process.stdout.write(`${JSON.stringify({ stamp: store.stamp?.environment })}\n`);
  } finally {
    await store.close();
  }
} catch (error) {
  const { code, message } = error;
  process.stdout.write(`${JSON.stringify({ error: code ?? String(error), message: String(message) })}\n`);
}
