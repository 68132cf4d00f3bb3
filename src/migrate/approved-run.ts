/**
 * Runs of approved change requests, marked by their options object (a
 * module-private WeakMap): no public flag can claim one. Each carries the
 * destructive migrations its request approved; any other is still refused.
 */
const approvedRuns = new WeakMap<object, ReadonlySet<string>>();

/** Internal: marks `options` as the run of an approved request for `migrations`. */
export function approvedRun<Options extends object>(options: Options, migrations: readonly string[]): Options {
  approvedRuns.set(options, new Set(migrations));
  return options;
}

/** Whether `options` is an approved run that covers the destructive migration `name`. */
export function isApprovedFor(options: object | undefined, name: string): boolean {
  return options !== undefined && (approvedRuns.get(options)?.has(name) ?? false);
}
