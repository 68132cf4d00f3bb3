import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The exit status of the CLI run in progress. A command that finished but
 * found problems (a failed validation, a broken audit chain) says so here
 * rather than in `process.exitCode`: runCli may run while other work in the
 * same process reads or sets that (a project file loader watches it, a test
 * runs the CLI in process), and runs must not see each other's status.
 */
const current = new AsyncLocalStorage<{ code: number }>();

/** Sets the exit code of the run in progress (the last one set wins). */
export function setExitCode(code: number): void {
  const run = current.getStore();
  if (run === undefined) throw new Error('setExitCode outside runCli');
  run.code = code;
}

/** Runs `work` as one CLI run; resolves to the code its commands set (0 if none). */
export async function withExitStatus(work: () => Promise<unknown>): Promise<number> {
  const run = { code: 0 };
  await current.run(run, work);
  return run.code;
}
