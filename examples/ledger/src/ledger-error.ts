/** A refusal the API turns into a JSON error with this code and status. */
export class LedgerError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}

const SQLITE_REFUSALS = new Set(['SQLITE_CONSTRAINT_CHECK', 'SQLITE_CONSTRAINT_TRIGGER']);
// check_violation; raise in the ledger's triggers uses it too.
const POSTGRES_REFUSALS = new Set(['23514']);

/**
 * The database's own refusal of a posting (a check constraint or a ledger
 * trigger, see migrations/) as LEDGER_REFUSED_BY_DATABASE, naming the rule;
 * undefined for any other error. The code checks first, so this is what a
 * race or a bug the code missed looks like.
 */
export function refusedByDatabase(error: unknown): LedgerError | undefined {
  const { code, constraint, message } = (error ?? {}) as { code?: unknown; constraint?: unknown; message?: unknown };
  if (typeof code !== 'string' || !(SQLITE_REFUSALS.has(code) || POSTGRES_REFUSALS.has(code))) return undefined;
  const rule = typeof constraint === 'string' ? constraint : typeof message === 'string' ? message : 'a ledger rule';
  return new LedgerError('LEDGER_REFUSED_BY_DATABASE', 409, `the database refused the posting: ${rule}`, { rule });
}
