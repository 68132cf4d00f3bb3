/**
 * `--import` of tsx's loader by absolute URL, for child processes that run
 * TypeScript. A bare `--import tsx` is resolved from the child's working
 * directory, which a spawn without `cwd` inherits from this process, and an
 * in-process CLI run (cli-in-process.ts) has this process chdir'd into its
 * project while the file's other tests go on: a child spawned then could not
 * find tsx.
 */
export const TSX_IMPORT: readonly string[] = ['--import', import.meta.resolve('tsx')];
