import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import {
  AUDIT_TABLE,
  type AuditRow,
  type InternalTables,
  isMissingColumn,
  isMissingTable,
  STAMP_TABLE,
} from './internal-tables.js';

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
  /** Only events numbered below this one: the next page back from a page whose oldest event it is. */
  readonly before?: number;
}

export type AuditBreak = {
  /** The first row whose chain does not hold; for the log against its anchor, the first event missing or the head. */
  readonly seq: number;
  readonly reason:
    | 'changed'
    | 'removed-before'
    | 'inserted-or-reordered'
    /** The stamp's anchor records events, and the audit table is gone. */
    | 'missing-table'
    /** The stamp's anchor records events, and the table has none. */
    | 'emptied'
    /** The log ends before the event the anchor records. */
    | 'truncated'
    /** The log's last event is not the one the anchor records (the log or the anchor was rewritten). */
    | 'anchor-mismatch'
    /** `expectHead` is not an event of the chain. */
    | 'expected-head-missing';
  readonly message: string;
};

/**
 * Where the log ends, as the stamp row records it outside the audit table:
 * the last event's number and hash (0 and '' before the first event).
 */
export interface AuditAnchor {
  readonly events: number;
  readonly head: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly rows: number;
  /** The last event's hash (GENESIS when there is none): note it elsewhere to check later runs with `expectHead`. */
  readonly head: string;
  /** The stamp's anchor; absent when the database is not stamped or its stamp table predates the anchor. */
  readonly anchor?: AuditAnchor;
  readonly broken?: AuditBreak;
}

export interface AuditVerifyOptions {
  /**
   * A head noted earlier (a deploy log, a ticket): the check fails unless
   * that hash is an event of the chain, at or before its head. Finds a log
   * rewritten from that event on, even with the anchor rewritten to match.
   */
  readonly expectHead?: string;
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

/** What `appendWith` runs under the log's write lock: its own writes, and the event that records them. */
export type AuditedWork<T> = (
  trx: Kysely<InternalTables>,
) => Promise<{ readonly event: AuditEvent; readonly value: T }>;

export interface AuditLog {
  append(event: AuditEvent): Promise<AuditRow>;
  /**
   * Runs `work` and appends the event it returns in one transaction, under
   * the log's write lock: the act and its record are both written or neither
   * (a kill between them leaves nothing). `work` may throw to write nothing.
   */
  appendWith<T>(work: AuditedWork<T>): Promise<{ readonly row: AuditRow; readonly value: T }>;
  list(filter?: AuditFilter): Promise<AuditRow[]>;
  /** Checks the chain, and that it ends where the stamp's anchor says; reads only (a missing table stays missing). */
  verify(options?: AuditVerifyOptions): Promise<AuditVerification>;
  /** The stamp's anchor (one primary-key read; for metrics), or undefined when there is none. */
  anchor(): Promise<AuditAnchor | undefined>;
}

/** The anchor in the stamp row; undefined without a stamp row, stamp table or anchor columns. */
async function readAnchor(db: Kysely<InternalTables>): Promise<AuditAnchor | undefined> {
  try {
    const row = await db
      .selectFrom(STAMP_TABLE)
      .select(['audit_count', 'audit_head'])
      .where('id', '=', 1)
      .executeTakeFirst();
    return row ? { events: Number(row.audit_count ?? 0), head: row.audit_head ?? '' } : undefined;
  } catch (error) {
    if (isMissingTable(error) || isMissingColumn(error)) return undefined;
    throw error;
  }
}

/** The whole log in order, and whether its table exists at all (verify makes nothing). */
async function readLog(db: Kysely<InternalTables>): Promise<{ rows: AuditRow[]; tableMissing: boolean }> {
  try {
    return { rows: await db.selectFrom(AUDIT_TABLE).selectAll().orderBy('seq', 'asc').execute(), tableMissing: false };
  } catch (error) {
    if (isMissingTable(error)) return { rows: [], tableMissing: true };
    throw error;
  }
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;

/** How the log's end differs from the anchor, or undefined when it ends where the anchor says. */
function anchorBreak(rows: readonly AuditRow[], tableMissing: boolean, anchor: AuditAnchor): AuditBreak | undefined {
  const last = rows.at(-1);
  const events = last ? Number(last.seq) : 0;
  if (events === anchor.events && (last?.hash ?? '') === anchor.head) return undefined;
  const records = `the stamp's anchor records ${anchor.events} event${anchor.events === 1 ? '' : 's'}, head ${short(anchor.head)}`;
  if (tableMissing) {
    return { seq: 1, reason: 'missing-table', message: `the audit table ${AUDIT_TABLE} is missing, but ${records}` };
  }
  if (!last) return { seq: 1, reason: 'emptied', message: `the log is empty, but ${records}` };
  if (events < anchor.events) {
    const removed =
      events + 1 === anchor.events ? `event ${anchor.events} was` : `events ${events + 1}-${anchor.events} were`;
    return {
      seq: events + 1,
      reason: 'truncated',
      message: `the log ends at event ${events}, but ${records}: ${removed} removed`,
    };
  }
  return {
    seq: events,
    reason: 'anchor-mismatch',
    message: `the log ends at event ${events}, head ${short(last.hash)}, which does not match the stamp's anchor (${anchor.events} events, head ${short(anchor.head)}): the log or the anchor was rewritten`,
  };
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
    // The anchor moves in the same transaction, under the same lock: one primary-key update.
    await trx
      .updateTable(STAMP_TABLE)
      .set({ audit_count: row.seq, audit_head: row.hash })
      .where('id', '=', 1)
      .execute();
    return row;
  }

  /** One write transaction under the log's lock: BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL. */
  async function locked<T>(work: (trx: Kysely<InternalTables>) => Promise<T>): Promise<T> {
    await prepare();
    if (dialect === 'postgres') {
      return db.transaction().execute(async (trx) => {
        // Keyed by the table's place, so each schema or prefix keeps its own chain.
        await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.' || ${AUDIT_TABLE}))`.execute(trx);
        return work(trx);
      });
    }
    return db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const value = await work(connection);
        await sql`commit`.execute(connection);
        return value;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => {});
        throw error;
      }
    });
  }

  return {
    append: (event) => locked((trx) => appendIn(trx, event)),

    appendWith: (work) =>
      locked(async (trx) => {
        const { event, value } = await work(trx);
        return { row: await appendIn(trx, event), value };
      }),

    async list(filter = {}) {
      let query = db
        .selectFrom(AUDIT_TABLE)
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(filter.limit ?? 100);
      if (filter.since) query = query.where('at', '>=', filter.since);
      if (filter.action) query = query.where('action', '=', filter.action);
      if (filter.before !== undefined) query = query.where('seq', '<', filter.before);
      return (await rowsIfAny(query.execute())).reverse();
    },

    anchor: () => readAnchor(db),

    async verify(options = {}) {
      const { rows, tableMissing } = await readLog(db);
      const anchor = await readAnchor(db);
      const broken = (head: string, at: AuditBreak): AuditVerification => ({
        ok: false,
        rows: rows.length,
        head,
        ...(anchor ? { anchor } : {}),
        broken: at,
      });
      let prev = GENESIS;
      let expectedSeq = 1;
      for (const row of rows) {
        const seq = Number(row.seq);
        if (chainHash(row.prev_hash, { ...row, seq }) !== row.hash) {
          return broken(prev, {
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
          return broken(prev, { seq, reason, message });
        }
        prev = row.hash;
        expectedSeq = seq + 1;
      }
      const mismatch = anchor && anchorBreak(rows, tableMissing, anchor);
      if (mismatch) return broken(prev, mismatch);
      const expected = options.expectHead?.toLowerCase();
      if (expected !== undefined && !rows.some((row) => row.hash === expected)) {
        return broken(prev, {
          seq: rows.length,
          reason: 'expected-head-missing',
          message: `event ${expected} is not in the chain (head ${short(prev)}, ${rows.length} events): the log was rewritten or cut back from before that event`,
        });
      }
      return { ok: true, rows: rows.length, head: prev, ...(anchor ? { anchor } : {}) };
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
