/**
 * One HTTP/1.1 exchange written byte for byte on a TCP socket, for the
 * replies Fastify and Node write themselves (malformed HTTP, headers too
 * large, a bad URL) that `inject` never reaches. The request should ask for
 * `Connection: close`; the reply is read until the server closes.
 */
import { connect } from 'node:net';

export interface RawReply {
  readonly status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly text: string;
}

export function parseRawReply(text: string): RawReply {
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: end === -1 ? '' : text.slice(end + 4), text };
}

/** Sends `request` as is to 127.0.0.1:`port` and resolves with what came back once the socket closed. */
export function rawExchange(port: number, request: string | Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server that refuses a request may reset the socket after its reply: the reply counts.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' || chunks.length === 0) reject(error);
    });
    socket.on('close', () => resolve(parseRawReply(Buffer.concat(chunks).toString('latin1'))));
  });
}
