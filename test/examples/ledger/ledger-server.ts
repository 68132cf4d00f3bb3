/**
 * The ledger's server (`npm start`'s entry point) as a child process, for the
 * tests that meet it as a user does: started, waited for until its banner is
 * out, stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TSX_IMPORT } from '../../support/tsx.ts';

export const SERVER = fileURLToPath(new URL('../../../examples/ledger/src/server.ts', import.meta.url));

export interface RunningServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

export interface ExitedServer {
  readonly code: number | null;
  readonly output: string;
}

/** Starts the server with `args`; resolves once its banner is out, or with its exit when it stops first. */
export function startLedgerServer(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<RunningServer | ExitedServer> {
  const child = spawn(process.execPath, [...TSX_IMPORT, SERVER, ...args], {
    ...(cwd !== undefined ? { cwd } : {}),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /^ {2}url +(http:\/\/\S+)$/m.exec(text);
      if (match && text.includes('Ctrl-C stops it.')) resolve({ child, url: match[1] as string, output: () => text });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // 'close', not 'exit': the output is complete only once the pipes are.
    child.on('close', (code) => resolve({ code, output: text }));
  });
}

/** SIGTERM; resolves with the exit code once the process and its pipes are closed. */
export function stopLedgerServer(running: RunningServer): Promise<number | null> {
  const closed = new Promise<number | null>((resolve) => running.child.on('close', resolve));
  running.child.kill('SIGTERM');
  return closed;
}
