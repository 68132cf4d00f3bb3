import { isAbsolute, join } from 'node:path';
import { DatabaseUrlError } from './store-errors.js';

export type DatabaseTarget =
  | { readonly dialect: 'sqlite'; readonly path: string; readonly shown: string }
  | {
      readonly dialect: 'postgres';
      readonly url: string;
      readonly host: string;
      readonly port: number;
      readonly database: string;
      /** host:port/database, never the user's password. */
      readonly shown: string;
    };

// Linux's PATH_MAX and NAME_MAX: a longer path fails only when SQLite opens it, as ENAMETOOLONG.
const MAX_PATH_BYTES = 4095;
const MAX_NAME_BYTES = 255;

/** Why `path` cannot be opened for its length, or undefined when it can. */
function pathTooLong(path: string): string | undefined {
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_PATH_BYTES) return `${bytes} bytes; the limit is ${MAX_PATH_BYTES}`;
  const longest = Math.max(...path.split(/[\\/]/).map((name) => Buffer.byteLength(name)));
  if (longest > MAX_NAME_BYTES) return `a name of ${longest} bytes; the limit is ${MAX_NAME_BYTES} per name`;
  return undefined;
}

/** `sqlite:<path>` (relative to the project root) or `postgres://...`. */
export function parseDatabaseUrl(url: unknown, root: string, environment: string): DatabaseTarget {
  if (typeof url !== 'string' || url.trim() === '') throw new DatabaseUrlError(environment, 'is not set');
  const text = url.trim();
  if (text.startsWith('sqlite:')) {
    const file = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '' || file.includes('\0')) throw new DatabaseUrlError(environment, 'names no SQLite file');
    const path = isAbsolute(file) ? file : join(root, file);
    const tooLong = pathTooLong(path);
    if (tooLong) throw new DatabaseUrlError(environment, `names a SQLite path that is too long (${tooLong})`);
    return { dialect: 'sqlite', path, shown: `sqlite:${file}` };
  }
  if (/^postgres(ql)?:\/\//.test(text)) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new DatabaseUrlError(environment, 'is not a valid postgres:// URL');
    }
    const host = parsed.hostname || 'localhost';
    const port = Number(parsed.port || 5432);
    const database = decodeURIComponent(parsed.pathname.slice(1)) || parsed.username || 'postgres';
    return { dialect: 'postgres', url: text, host, port, database, shown: `postgres://${host}:${port}/${database}` };
  }
  throw new DatabaseUrlError(environment, `has an unknown scheme (${text.split(':')[0]}:)`);
}
