import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { AUDIT_TABLE, type AuditRow, type InternalTables, isMissingTable } from './internal-tables.js';

/** What an audit event says; time, environment, actor, host and the chain are added. */
export interface AuditEvent {
  readonly action: string;
  readonly target: string;
  readonly reason?: string;
  readonly outcome: 'allowed' | 'refused' | 'done' | 'failed' | string;
}

export interface AuditContext {
  readonly environment: string;
  readonly actor: string;
  readonly host: string;
}

export interface AuditFilter {
  /** ISO-8601 time; events at or after it. */
  readonly since?: string;
  readonly action?: string;
  readonly limit?: number;
}

export type AuditBreak = {
  /** The first row whose chain does not hold. */
  readonly seq: number;
  readonly reason: 'changed' | 'removed-before' | 'inserted-or-reordered';
  readonly message: string;
};

export interface AuditVerification {
  readonly ok: boolean;
  readonly rows: number;
  readonly head: string;
  readonly broken?: AuditBreak;
}

export const GENESIS = '0'.repeat(64);

/** SHA-256 over the previous hash and the row's canonical content (fixed field order, JSON). */
export function chainHash(prev: string, row: Omit<AuditRow, 'prev_hash' | 'hash'>): string {
  const canonical = JSON.stringify([
    row.seq,
    row.at,
    row.environment,
    row.actor,
    row.host,
    row.action,
    row.target,
    row.reason ?? null,
    row.outcome,
  ]);
  return createHash('sha256').update(prev).update('\n').update(canonical).digest('hex');
}

export interface AuditLog {
  append(event: AuditEvent): Promise<AuditRow>;
  list(filter?: AuditFilter): Promise<AuditRow[]>;
  verify(): Promise<AuditVerification>;
}

/**
 * The append-only, hash-chained audit log of a store. Appends from several
 * processes keep one chain: each takes the database's write lock (SQLite
 * BEGIN IMMEDIATE, a PostgreSQL advisory lock) before reading the head.
 */
export function auditLog(
  db: Kysely<InternalTables>,
  dialect: 'sqlite' | 'postgres',
  context: AuditContext,
  /** Makes the table before the first append, for a store opened only to inspect. */
  prepare: () => Promise<void> = async () => {},
): AuditLog {
  async function appendIn(trx: Kysely<InternalTables> | Transaction<InternalTables>, event: AuditEvent) {
    const head = await trx
      .selectFrom(AUDIT_TABLE)
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const content = {
      seq: (head?.seq ?? 0) + 1,
      at: new Date().toISOString(),
      environment: context.environment,
      actor: context.actor,
      host: context.host,
      action: event.action,
      target: event.target,
      reason: event.reason ?? null,
      outcome: event.outcome,
    };
    const prev = head?.hash ?? GENESIS;
    const row: AuditRow = { ...content, prev_hash: prev, hash: chainHash(prev, content) };
    await trx.insertInto(AUDIT_TABLE).values(row).execute();
    return row;
  }

  return {
    async append(event) {
      await prepare();
      if (dialect === 'postgres') {
        return db.transaction().execute(async (trx) => {
          // Keyed by the table's place, so each schema or prefix keeps its own chain.
          await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.' || ${AUDIT_TABLE}))`.execute(trx);
          return appendIn(trx, event);
        });
      }
      return db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        try {
          const row = await appendIn(connection, event);
          await sql`commit`.execute(connection);
          return row;
        } catch (error) {
          await sql`rollback`.execute(connection).catch(() => {});
          throw error;
        }
      });
    },

    async list(filter = {}) {
      let query = db
        .selectFrom(AUDIT_TABLE)
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(filter.limit ?? 100);
      if (filter.since) query = query.where('at', '>=', filter.since);
      if (filter.action) query = query.where('action', '=', filter.action);
      return (await rowsIfAny(query.execute())).reverse();
    },

    async verify() {
      const rows = await rowsIfAny(db.selectFrom(AUDIT_TABLE).selectAll().orderBy('seq', 'asc').execute());
      let prev = GENESIS;
      let expectedSeq = 1;
      for (const row of rows) {
        const seq = Number(row.seq);
        if (chainHash(row.prev_hash, { ...row, seq }) !== row.hash) {
          return broken(rows.length, prev, {
            seq,
            reason: 'changed',
            message: `row ${seq} was changed after it was written`,
          });
        }
        if (seq !== expectedSeq || row.prev_hash !== prev) {
          const reason = seq > expectedSeq ? 'removed-before' : 'inserted-or-reordered';
          const message =
            reason === 'removed-before'
              ? `row ${seq} follows row ${expectedSeq - 1}: row(s) ${expectedSeq}${seq - 1 > expectedSeq ? `-${seq - 1}` : ''} were removed`
              : `row ${seq} does not follow row ${expectedSeq - 1}'s hash: a row was inserted, removed or reordered`;
          return broken(rows.length, prev, { seq, reason, message });
        }
        prev = row.hash;
        expectedSeq = seq + 1;
      }
      return { ok: true, rows: rows.length, head: prev };
    },
  };
}

/** Rows read, or none when the table was never made: a read-only open creates nothing. */
async function rowsIfAny<Row>(reading: Promise<Row[]>): Promise<Row[]> {
  try {
    return await reading;
  } catch (error) {
    if (isMissingTable(error)) return [];
    throw error;
  }
}

function broken(rows: number, head: string, at: AuditBreak): AuditVerification {
  return { ok: false, rows, head, broken: at };
}
