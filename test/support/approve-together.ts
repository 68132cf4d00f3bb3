/** Two (or more) approvers of one request at once, each its own process (approve-process.mjs). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withSlot } from './process-slots.ts';
import { releaseTogether } from './release-together.ts';

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
    return releaseTogether<{ status?: string; error?: string }>(children, 'approve process');
  });
}
