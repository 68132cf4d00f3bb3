import { availableParallelism } from 'node:os';

// At most this many CLI processes at once: tests fire runs concurrently, and
// dozens of node processes on a small machine only thrash.
const MAX_RUNNING = Math.max(2, availableParallelism() * 2);
let running = 0;
const waiting: (() => void)[] = [];

/** Runs `work` when a process slot is free; every spawning test helper shares the slots. */
export async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}
