/**
 * Two production instances on one PostgreSQL database, a job every second:
 * each slot runs once, and when one instance is killed (kill -9) in the
 * middle of a run, the survivor takes that slot over after its lease and
 * keeps running every slot. A run takes 650 ms: the survivor runs the slot it
 * took over beside its own, for one after the other would outlast the interval
 * and skip the next tick. Runs the built library: `npm run build` first.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { JOBS_CANARY, makeJobsProject } from '../support/jobs-project.ts';
import { withSlot } from '../support/process-slots.ts';

const PROCESS = fileURLToPath(new URL('../support/jobs-process.mjs', import.meta.url));
const LEASE_MS = 1500;

type Line = { ready?: string; start?: string; done?: string };

/** A running instance: the lines it printed, and a wait for the next that matches. */
function instance(dir: string) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [PROCESS, dir, String(LEASE_MS)], {
    env: { ...process.env, JOBS_CANARY },
  });
  const lines: Line[] = [];
  const waiting: { match: (line: Line) => boolean; resolve: (line: Line) => void; timer: NodeJS.Timeout }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    for (const wait of [...waiting]) {
      if (!wait.match(line)) continue;
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve(line);
    }
  });
  const exited = once(child, 'exit');
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    next(match: (line: Line) => boolean, ms = 20_000): Promise<Line> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`instance printed nothing matching in ${ms} ms:\n${stderr}`)),
          ms,
        );
        waiting.push({
          match,
          timer,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    /** Drops the waits nobody will see end (the loser of a race). */
    forget(): void {
      for (const wait of waiting.splice(0)) clearTimeout(wait.timer);
    },
  };
}

const second = (slot: string) => Date.parse(slot) / 1000;

test('two instances run each slot once; after one is killed mid-run the other takes its slot over and leaves no gap', async () => {
  const project = await makeJobsProject('postgres');
  try {
    await (
      await project.open('production', {
        stampMode: 'stamp',
        resolve: { hostname: 'prod-app', variables: { PAYMENTS_API_KEY: JOBS_CANARY } },
      })
    ).close();
    await withSlot(async () => {
      const a = instance(project.dir);
      const b = instance(project.dir);
      try {
        const [readyA] = await Promise.all([
          a.next((line) => line.ready !== undefined),
          b.next((line) => line.ready !== undefined),
        ]);
        // Both run for a while: every slot is someone's.
        const doneBy = () => [...a.lines, ...b.lines].filter((line) => line.done).length;
        while (doneBy() < 3) {
          await Promise.race([a.next((line) => !!line.done), b.next((line) => !!line.done)]);
          a.forget();
          b.forget();
        }
        // A dies in the middle of a run: the slot it holds is nobody's until its lease runs out.
        const held = (await a.next((line) => line.start !== undefined)).start as string;
        a.child.kill('SIGKILL');
        await a.exited;
        await b.next((line) => line.done === held, 15_000);
        const after = (await b.next((line) => !!line.done && second(line.done) >= second(held) + 3)).done as string;
        b.child.kill('SIGTERM');
        await b.exited;

        const rows = await project.sql<{
          slot: string;
          outcome: string;
          attempts: number;
          instance: string;
          previous_instance: string | null;
        }>(
          "select slot, outcome, attempts, instance, previous_instance from envward_job_run where job = 'everySecond' and environment = 'production' order by slot",
        );
        const last = second(after.replace('.000Z', 'Z'));
        const judged = rows.filter((row) => second(row.slot) <= last);
        const first = second(judged[0]?.slot ?? '');
        assert.deepEqual(
          judged.map((row) => second(row.slot) - first),
          Array.from({ length: last - first + 1 }, (_, index) => index),
          'one record per slot, no gaps',
        );
        assert.deepEqual(
          judged.filter((row) => row.outcome !== 'succeeded').map((row) => [row.slot, row.outcome]),
          [],
          'every slot succeeded',
        );
        const takenOver = judged.find((row) => `${row.slot.slice(0, 19)}.000Z` === held);
        assert.equal(Number(takenOver?.attempts), 2, 'the slot A held was run again');
        assert.equal(takenOver?.previous_instance, readyA.ready);
      } finally {
        a.forget();
        b.forget();
        a.child.kill('SIGKILL');
        b.child.kill('SIGKILL');
      }
    });
  } finally {
    await project.cleanup();
  }
});
