/**
 * A service that follows its configuration, for the tests of several
 * processes (test/support/live-config-project.ts `startLiveProcess`):
 *   node test/support/live-config-process.mjs <project dir> <stop at revision>
 * It runs the built library (dist/, `npm run build` first). It resolves
 * development, opens its store and a live config, prints
 * `{"ready":<revision applied at start>}`, then one line
 * `{"revision":N,"changes":[...]}` per change its listener is told of. Once
 * it applied revision <stop at> (or at once if it started there), it closes
 * the live config and the store and ends by itself: no process.exit, so a
 * timer or a connection left open keeps it running and fails the test.
 * Until then an interval stands in for the server socket a service holds.
 */
import { resolveConfig } from '../../dist/index.js';
import { openLiveConfig } from '../../dist/runtime.js';
import { openStore } from '../../dist/store.js';

const [dir, stopAtText] = process.argv.slice(2);
if (!dir || !stopAtText) throw new Error('usage: live-config-process.mjs <dir> <stop at revision>');
const stopAt = Number(stopAtText);

const resolved = await resolveConfig({ cwd: dir, env: 'development', variables: {} });
const store = await openStore(resolved);
const config = await openLiveConfig(resolved, store);
// What a server's socket does for a service: keeps the process up while it follows the
// configuration (the SQLite poll's timer alone does not, by design).
const serving = setInterval(() => {}, 60_000);
const stop = async () => {
  clearInterval(serving);
  await config.close();
  await store.close();
};
const started = config.status().revision;
process.stdout.write(`${JSON.stringify({ ready: started })}\n`);
if (started >= stopAt) {
  await stop();
} else {
  config.subscribe((change) => {
    process.stdout.write(`${JSON.stringify({ revision: change.revision, changes: change.changes })}\n`);
    if (change.revision >= stopAt) void stop();
  });
}
