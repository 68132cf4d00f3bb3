import { readFileSync } from 'node:fs';
import { FileInputError } from '../errors.js';

/** Configuration files above this size are refused, not parsed. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a configuration file as UTF-8 text, or undefined when it does not
 * exist. Huge, binary (NUL) or non-UTF-8 files are refused with EW_FILE_INPUT.
 */
export function readConfigText(path: string, shownAs: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileInputError(shownAs, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (bytes.length > MAX_CONFIG_FILE_BYTES) {
    throw new FileInputError(shownAs, `is ${bytes.length} bytes; the limit is ${MAX_CONFIG_FILE_BYTES}`);
  }
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
