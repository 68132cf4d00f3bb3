/**
 * A process that approves a change request on cue, for the test of two
 * approvers at once (test/requests/requests.test.ts):
 *   node test/support/approve-process.mjs <project dir> <env> <id> <actor>
 * It runs the built library (dist/, `npm run build` first), prints "ready",
 * waits for a line on stdin (so both start together), approves and prints
 * one JSON line: `{ "status": "<status>" }` or `{ "error": "<code>" }`.
 * Separate processes, because SQLite's busy wait blocks a whole process:
 * two stores in one process cannot wait for each other.
 */
import { once } from 'node:events';
import { approveRequest } from '../../dist/runtime.js';

const [dir, env, id, actor] = process.argv.slice(2);
if (!dir || !env || !id || !actor) throw new Error('usage: approve-process.mjs <dir> <env> <id> <actor>');
process.stdout.write('ready\n');
await once(process.stdin, 'data');
try {
  const request = await approveRequest({ cwd: dir, env, id: Number(id), actor, variables: {} });
  process.stdout.write(`${JSON.stringify({ status: request.status })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: error?.code ?? String(error) })}\n`);
}
