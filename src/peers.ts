import { PeerMissingError } from './peer-errors.js';

/*
 * envward's capabilities take their heavy packages as peers (Kysely and Knex
 * take drivers so; Fastify plugins take fastify so): the application installs
 * the ones it uses. Every place where a capability first loads code that needs
 * a peer goes through importPeer(), so a project without the peer gets
 * EW_PEER_MISSING with the install line instead of Node's ERR_MODULE_NOT_FOUND.
 */

export type Capability =
  | 'envward'
  | 'envward/store'
  | 'envward/migrate'
  | 'envward/fastify'
  | 'envward/observe'
  | 'envward/outbound'
  | 'envward/runtime'
  | 'envward/flags'
  | 'envward/jobs'
  | 'envward/console'
  | 'envward/data';

/** What each capability needs besides the core; the store's drivers are added by the database URL. */
const PEERS: Readonly<Record<Capability, readonly string[]>> = {
  envward: ['zod'],
  'envward/store': ['kysely'],
  'envward/migrate': ['kysely'],
  'envward/fastify': [
    'fastify',
    'fastify-plugin',
    '@fastify/cors',
    '@fastify/helmet',
    '@fastify/rate-limit',
    'prom-client',
  ],
  'envward/observe': ['pino', 'pino-pretty', 'pino-roll'],
  'envward/outbound': ['undici', 'cockatiel', 'prom-client'],
  'envward/runtime': ['kysely'],
  'envward/flags': ['@openfeature/server-sdk', '@openfeature/core'],
  'envward/jobs': ['croner', 'kysely'],
  'envward/console': [
    'fastify',
    'fastify-plugin',
    '@fastify/cookie',
    '@fastify/csrf-protection',
    '@fastify/formbody',
    '@fastify/rate-limit',
    '@node-rs/argon2',
    'kysely',
  ],
  'envward/data': ['kysely'],
};

/*
 * The versions envward is tested with, as package.json's peerDependencies say
 * (a test keeps the two equal). The install line names them: a bare
 * `npm install kysely` takes the newest major, which may be past the range and
 * then fails npm's peer check.
 */
export const PEER_RANGES: Readonly<Record<string, string>> = {
  zod: '^4',
  kysely: '^0.28.18',
  'better-sqlite3': '^12.11.1',
  pg: '^8.23.1',
  'libpg-query': '^18.1.5',
  fastify: '^5.12.8',
  'fastify-plugin': '^5.1.0',
  '@fastify/cors': '^11.4.3',
  '@fastify/helmet': '^13.2.0',
  '@fastify/rate-limit': '^10.3.0',
  ioredis: '^5.11.1',
  'prom-client': '^15.1.3',
  pino: '^10.4.0',
  'pino-pretty': '^13.2.0',
  'pino-roll': '^4.0.0',
  undici: '^7.30.2',
  cockatiel: '^3.2.1',
  '@fastify/jwt': '^10.2.8',
  '@openfeature/server-sdk': '^1.23.0',
  '@openfeature/core': '^1.12.0',
  croner: '^9.1.0',
  '@fastify/cookie': '^11.1.5',
  '@fastify/csrf-protection': '^8.0.2',
  '@fastify/formbody': '^8.0.2',
  '@node-rs/argon2': '^2.2.1',
  'openid-client': '^6.9.0',
  '@faker-js/faker': '^10.6.0',
  'pg-copy-streams': '^7.0.0',
  'csv-parse': '^6.2.1',
  'csv-stringify': '^6.9.0',
};

/** `name@range` for the install line. */
function withRange(name: string): string {
  const range = PEER_RANGES[name];
  return range ? `${name}@${range}` : name;
}

/** Every package any capability takes as a peer. */
const ALL_PEERS: readonly string[] = [
  ...new Set([
    ...Object.values(PEERS).flat(),
    'better-sqlite3',
    'pg',
    'ioredis',
    'libpg-query',
    '@faker-js/faker',
    'pg-copy-streams',
    'csv-parse',
    'csv-stringify',
  ]),
];

/** The SQL driver a database URL needs; both when the scheme is not one envward knows. */
export function driversFor(url: unknown): readonly string[] {
  const scheme = typeof url === 'string' ? url.slice(0, url.indexOf(':') + 1).toLowerCase() : '';
  if (scheme === 'sqlite:') return ['better-sqlite3'];
  if (scheme === 'postgres:' || scheme === 'postgresql:') return ['pg'];
  return ['better-sqlite3', 'pg'];
}

/** The packages to install for `capability`, with `extra` (a driver, ioredis) after its own. */
export function peersOf(capability: Capability, extra: readonly string[] = []): readonly string[] {
  return [...new Set([...PEERS[capability], ...extra])];
}

// Node's words for a package it cannot find: ESM ("Cannot find package 'x' imported from ...")
// and CommonJS ("Cannot find module 'x'"), the latter from a peer loaded by require.
const NOT_FOUND = /^Cannot find (?:package|module) '([^']+)'/;

/** The package name (`kysely`, `@fastify/cors`) of the specifier `id`, without its subpath. */
function packageName(id: string): string {
  const parts = id.split('/');
  return id.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? id);
}

/** The missing package that `error` reports, when it is one of `peers`. */
export function missingPeer(error: unknown, peers: readonly string[]): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const match = NOT_FOUND.exec(String((error as Error).message));
  if (!match) return undefined;
  const name = packageName(match[1] as string);
  return peers.includes(name) ? name : undefined;
}

/**
 * Runs `load` (a dynamic import of a capability's module or of a peer) and
 * turns a missing peer into EW_PEER_MISSING naming `capability` and the install
 * line. Any other failure, a missing envward file among them, is rethrown as is.
 */
export async function importPeer<T>(
  capability: Capability,
  load: () => Promise<T>,
  extra: readonly string[] = [],
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const install = peersOf(capability, extra);
    // Any of envward's peers counts: a store module may fail on kysely's driver, a plugin on prom-client.
    const missing = missingPeer(error, [...install, ...ALL_PEERS]);
    if (missing === undefined) throw error;
    const line = (install.includes(missing) ? install : [...install, missing]).map(withRange);
    throw new PeerMissingError(capability, missing, line, error);
  }
}
