/** Reads a nested value by its path segments (`['database', 'url']`); undefined when absent. */
export function readPath(values: unknown, path: readonly string[]): unknown {
  let current = values;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Sets a nested value, creating intermediate objects. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const part = path[i] as string;
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}
