import { Transform } from 'node:stream';

/* The Node streams a PostgreSQL COPY passes through between source and target (postgres-data.ts). */

const NEWLINE = 0x0a;

/** Counts rows of COPY's text format on the way through: each row ends in the one raw newline (newlines in values are escaped). */
export function rowCounter(onRows: (rows: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let rows = 0;
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) rows += 1;
      if (rows > 0) onRows(rows);
      done(null, chunk);
    },
  });
}

const COALESCE_BYTES = 256 * 1024;

/** Joins csv-stringify's one chunk per row into large writes: a socket write per row costs more than the row. */
export function coalesce(): Transform {
  let parts: string[] = [];
  let size = 0;
  return new Transform({
    writableObjectMode: false,
    transform(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      parts.push(text);
      size += text.length;
      if (size < COALESCE_BYTES) return done();
      const joined = parts.join('');
      parts = [];
      size = 0;
      done(null, joined);
    },
    flush(done) {
      done(null, parts.length > 0 ? parts.join('') : undefined);
    },
  });
}
