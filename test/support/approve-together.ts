/** Two (or more) approvers of one request at once, each its own process (approve-process.mjs). */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { withSlot } from './process-slots.ts';

const APPROVE_PROCESS = fileURLToPath(new URL('./approve-process.mjs', import.meta.url));

export function approveTogether(
  dir: string,
  env: string,
  id: number,
  actors: readonly string[],
): Promise<{ status?: string; error?: string }[]> {
  return withSlot(async () => {
    const children = actors.map((actor) =>
      spawn(process.execPath, [APPROVE_PROCESS, dir, env, String(id), actor], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
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
      if (code !== 0 || !last.startsWith('{')) throw new Error(`approve process exited ${code}:\n${stdout}\n${stderr}`);
      return JSON.parse(last) as { status?: string; error?: string };
    });
    try {
      await Promise.all(children.map((child) => once(child.stdout, 'data')));
    } finally {
      for (const child of children) child.stdin.end('go\n');
    }
    return Promise.all(reports);
  });
}
