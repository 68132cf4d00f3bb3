import { execFileSync } from 'node:child_process';

/** Files under `path` that git tracks in the repository around `root`; empty outside a repository or without git. */
export function trackedFiles(root: string, path: string): string[] {
  try {
    const out = execFileSync('git', ['-C', root, 'ls-files', '-z', '--', path], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Tracked files with a match of the extended regular expression `pattern` (git grep: tracked files only). */
export function trackedFilesContaining(root: string, pattern: string): string[] {
  try {
    const out = execFileSync('git', ['-C', root, 'grep', '-l', '-z', '-E', '-e', pattern], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\0').filter(Boolean);
  } catch {
    return []; // exit 1: no match; or not a repository
  }
}

/** Whether git would ignore `path`; undefined outside a repository or without git. */
export function isIgnored(root: string, path: string): boolean | undefined {
  try {
    execFileSync('git', ['-C', root, 'check-ignore', '-q', '--', path], { stdio: 'ignore' });
    return true;
  } catch (error) {
    const status = (error as { status?: number }).status;
    return status === 1 ? false : undefined;
  }
}
