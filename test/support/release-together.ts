/**
 * Processes that must act at the same moment: each prints a line when it is
 * ready and waits for "go" on stdin, then prints a JSON report as its last
 * line (store-process.mjs, approve-process.mjs).
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';

/** Waits until every child is ready, lets them all go at once, and resolves to each one's last-line report. */
export async function releaseTogether<Report>(
  children: readonly ChildProcessWithoutNullStreams[],
  what: string,
): Promise<Report[]> {
  const reports = children.map(async (child) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const [code] = await once(child, 'close');
    const last = stdout.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !last.startsWith('{')) throw new Error(`${what} exited ${code}:\n${stdout}\n${stderr}`);
    return JSON.parse(last) as Report;
  });
  try {
    await Promise.all(children.map((child) => once(child.stdout, 'data')));
  } finally {
    for (const child of children) child.stdin.end('go\n');
  }
  return Promise.all(reports);
}
