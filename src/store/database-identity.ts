// What a stamp records about the database itself, so that a copy (a restored dump, a copied or moved
// file) carrying the original's stamp is told apart from the original. Never holds a password.

/** What stands for a PostgreSQL system identifier the role may not read: it matches any. */
const UNKNOWN_SYSTEM = '?';

/** `sqlite:<real path of the file>`: a copy or a move has another path. */
export function sqliteIdentity(realPath: string): string {
  return `sqlite:${realPath}`;
}

/**
 * `postgres:<system identifier>/<database>/<schema>`: the cluster (kept by
 * streaming replicas and failover, new after a restore elsewhere or `initdb`),
 * the database (new for `create database ... template`) and the schema the
 * store's tables live in.
 */
export function postgresIdentity(found: {
  readonly system: string | null;
  readonly database: string;
  readonly schema: string | null;
}): string {
  return `postgres:${found.system ?? UNKNOWN_SYSTEM}/${found.database}/${found.schema ?? ''}`;
}

function postgresParts(identity: string): { system: string; rest: string } | undefined {
  if (!identity.startsWith('postgres:')) return undefined;
  const text = identity.slice('postgres:'.length);
  // The system identifier is digits or '?'; database and schema names may hold '/', so split once.
  const slash = text.indexOf('/');
  return slash < 0 ? undefined : { system: text.slice(0, slash), rest: text.slice(slash + 1) };
}

/**
 * Whether two identities name the same database. For PostgreSQL an unknown
 * system identifier ('?', the role may not read it) on either side matches
 * any; database and schema must be equal. '' (none recorded) matches nothing.
 * @example
 * sameDatabase('postgres:?/ledger/public', 'postgres:7311/ledger/public'); // true
 */
export function sameDatabase(stamped: string, current: string): boolean {
  if (stamped === '' || current === '') return false;
  if (stamped === current) return true;
  const [a, b] = [postgresParts(stamped), postgresParts(current)];
  if (!a || !b || a.rest !== b.rest) return false;
  return a.system === UNKNOWN_SYSTEM || b.system === UNKNOWN_SYSTEM || a.system === b.system;
}

/**
 * Whether `current` tells more than the stamp records about the same
 * database: the stamp has no identity yet, or an unknown system identifier
 * that this role can read.
 */
export function identityRecordsMore(stamped: string, current: string): boolean {
  if (stamped === '') return current !== '';
  return stamped !== current && sameDatabase(stamped, current) && postgresParts(current)?.system !== UNKNOWN_SYSTEM;
}
