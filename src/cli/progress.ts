import type { ProgressEvent } from '../migrate/index.js';
import type { Output } from './output.js';

const WIDTH = 24;

/**
 * Migration feedback on stderr: a bar with the migration's name on a
 * terminal; otherwise one line per migration applied (a JSON event with --json), so
 * CI logs stay readable and stdout keeps only the result.
 */
export function progressReporter(output: Output): (event: ProgressEvent) => void {
  const tty = process.stderr.isTTY === true && !output.json;
  return (event) => {
    if (output.json) {
      if (event.type === 'done') process.stderr.write(`${JSON.stringify(event)}\n`);
      return;
    }
    const done = event.type === 'done' ? event.index + 1 : event.index;
    if (tty) {
      const filled = Math.round((done / event.total) * WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
      const tail = event.type === 'done' ? `${event.name} (${event.ms} ms)` : `${event.name}...`;
      process.stderr.write(`\r\x1b[2K[${bar}] ${done}/${event.total} ${tail}`);
      if (event.type === 'done' && done === event.total) process.stderr.write('\n');
      return;
    }
    if (event.type === 'done')
      process.stderr.write(`migrated ${event.name} (${event.ms} ms) [${done}/${event.total}]\n`);
  };
}
