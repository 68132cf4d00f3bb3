import { importPeer } from './peers.js';

/*
 * zod is a peer: the application's zod builds the schema and envward uses the
 * same module, so there is one zod instance in the process. It is loaded (as
 * ES module, async) when a project is opened, before any schema exists;
 * code that needs zod afterwards, synchronously, reads it with loadedZod().
 */

export type Zod = typeof import('zod');

let zod: Zod | undefined;

/** Loads zod once; EW_PEER_MISSING when the project has not installed it. */
export async function loadZod(): Promise<Zod> {
  zod ??= await importPeer('envward', () => import('zod'));
  return zod;
}

/** zod after loadZod(); every schema envward handles was made after it ran. */
export function loadedZod(): Zod {
  if (!zod) throw new Error('envward: zod is used before a project was opened (loadZod).');
  return zod;
}
