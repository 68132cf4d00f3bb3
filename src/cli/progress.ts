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

/** One table's progress in a data act (envward/data's DataProgress). */
export interface TableProgressEvent {
  readonly phase: 'copying' | 'copied' | 'verifying' | 'verified';
  readonly table: string;
  readonly rows: number;
  readonly totalRows: number;
}

/**
 * `data refresh` and `data sanitise` feedback on stderr: a bar per table on
 * a terminal (redrawn at most every 100 ms); otherwise one line per table
 * copied and one for the verification (JSON events with --json).
 */
export function tableProgressReporter(output: Output): (event: TableProgressEvent) => void {
  const tty = process.stderr.isTTY === true && !output.json;
  let drawn = 0;
  return (event) => {
    const settled = event.phase === 'copied' || event.phase === 'verified';
    if (output.json) {
      if (settled) process.stderr.write(`${JSON.stringify(event)}\n`);
      return;
    }
    if (!tty) {
      if (event.phase === 'copied') process.stderr.write(`copied ${event.table}: ${event.rows} rows\n`);
      if (event.phase === 'verified') process.stderr.write(`verified ${event.rows} sampled values\n`);
      return;
    }
    const now = Date.now();
    if (!settled && event.phase !== 'verifying' && now - drawn < 100) return;
    drawn = now;
    if (event.phase === 'verifying' || event.phase === 'verified') {
      process.stderr.write(`\r\x1b[2Kverifying...${event.phase === 'verified' ? ` ${event.rows} values\n` : ''}`);
      return;
    }
    const share = event.totalRows > 0 ? Math.min(1, event.rows / event.totalRows) : 1;
    const filled = Math.round(share * WIDTH);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
    // totalRows may be an estimate (PostgreSQL's planner): "about", and never a count below the rows seen.
    process.stderr.write(`\r\x1b[2K[${bar}] ${event.table} ${event.rows}/~${Math.max(event.rows, event.totalRows)}`);
    if (settled) process.stderr.write('\n');
  };
}
