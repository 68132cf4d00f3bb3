/**
 * Crash tests: `ENVWARD_FAILPOINT=<name>` kills the process with SIGKILL when
 * it reaches that point, as a power cut or an OOM kill would, so tests can
 * prove that multi-step writes are all or nothing. Unset, it costs one
 * comparison.
 */
export function failpoint(name: string): void {
  if (process.env.ENVWARD_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
