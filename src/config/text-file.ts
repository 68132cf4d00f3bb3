import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { FileInputError } from '../errors.js';

/** Configuration files above this size are refused, not parsed. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads at most `limit` bytes of a regular file, or undefined when it does
 * not exist. The type and size are checked on the open descriptor before
 * anything is read (a FIFO, /dev/zero or a directory is refused, whatever a
 * link points to), and at most limit + 1 bytes are read, so a file that grows
 * meanwhile cannot get past the limit either.
 */
export function readProjectFileBytes(
  path: string,
  shownAs: string,
  limit: number = MAX_CONFIG_FILE_BYTES,
): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new FileInputError(
      shownAs,
      code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${code ?? 'error'})`,
    );
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FileInputError(shownAs, `is ${fileKind(stats)}, not a regular file`);
    if (stats.size > limit) throw new FileInputError(shownAs, `is ${stats.size} bytes; the limit is ${limit}`);
    // Sized by the file (a 1 MiB buffer per read cost ~1.7 ms each); grown if the file grows while read.
    let buffer = Buffer.allocUnsafe(Math.min(stats.size, limit) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (buffer.length > limit) break;
        const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, limit + 1));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      let read: number;
      try {
        read = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (error) {
        throw new FileInputError(shownAs, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (read === 0) break;
      length += read;
    }
    if (length > limit) throw new FileInputError(shownAs, `grew past the limit of ${limit} bytes while being read`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a configuration file as UTF-8 text, or undefined when it does not
 * exist. Anything but a regular file, huge, binary (NUL) or non-UTF-8 files
 * are refused with EW_FILE_INPUT.
 */
export function readConfigText(path: string, shownAs: string): string | undefined {
  const bytes = readProjectFileBytes(path, shownAs);
  if (bytes === undefined) return undefined;
  if (bytes.includes(0)) throw new FileInputError(shownAs, 'is binary (contains NUL bytes)');
  try {
    return decoder.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new FileInputError(shownAs, 'is not valid UTF-8');
  }
}

/** Maps offsets in `text` to 1-based line and column. */
export class LinePositions {
  readonly #starts: number[] = [0];

  constructor(text: string) {
    // \r\n, \n and a lone \r each end a line, as dotenv's multiline grammar reads them.
    for (const match of text.matchAll(/\r\n?|\n/g)) this.#starts.push(match.index + match[0].length);
  }

  at(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.#starts[low] as number) + 1 };
  }
}
