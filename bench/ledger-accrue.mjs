// The second ledger runtime of bench/ledger.mjs's interest run, in a process
// of its own as a second instance would be (and because two SQLite
// connections in one process would wait on each other's lock with the whole
// event loop blocked: better-sqlite3 waits synchronously). It opens a runtime
// of the service's kind on the database, writes `ready`, waits for `go` on
// stdin, accrues the day and writes the result as one JSON line.
//
//   node --import tsx bench/ledger-accrue.mjs '<{"database":{...},"mode":"plain","day":"2026-11-30","rateBps":150}>'
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { openSecondRuntime } from './ledger-services.mjs';

const { database, mode, day, rateBps } = JSON.parse(process.argv[2] ?? '{}');
const runtime = await openSecondRuntime(database, mode);
try {
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  const [line] = await once(lines, 'line');
  if (line !== 'go') throw new Error(`expected go, got ${JSON.stringify(line)}`);
  lines.close();
  const result = await runtime.interest.accrue(day, rateBps);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await runtime.close();
}
