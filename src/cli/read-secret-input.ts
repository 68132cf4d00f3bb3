import { createInterface } from 'node:readline/promises';
import { SecretInputError } from '../secrets/secret-errors.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A secret value from stdin (one trailing newline dropped) or, on a
 * terminal, from a prompt that does not echo. Never from arguments: those
 * end up in shell history and process listings.
 */
export async function readSecretInput(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const value = (await readAll(process.stdin)).replace(/\r?\n$/, '');
    if (value === '') throw new SecretInputError('stdin was empty');
    return value;
  }
  const terminal = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write(prompt);
  // Echo nothing of what is typed.
  (terminal as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => {};
  try {
    const value = await terminal.question('');
    process.stderr.write('\n');
    if (value === '') throw new SecretInputError('nothing was typed');
    return value;
  } finally {
    terminal.close();
  }
}
