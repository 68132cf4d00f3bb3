/**
 * Idempotency keys, scoped to the client that sent them and remembered for a
 * limited time: within it, the same key returns the first answer; after it,
 * the key may start a new request.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { LedgerError } from './ledger-error.js';
import type { LedgerDatabase } from './schema.js';

export interface IdempotencyScope {
  /** Who sent the key (the Client-Id header until the API authenticates clients). */
  readonly client: string;
  readonly key: string;
}

export type Claim = { readonly claimed: true } | { readonly claimed: false; readonly resultId: string };

type Trx = Transaction<LedgerDatabase>;

/** What a key is bound to: a hash of the request's operation and fields, so a reuse for another request is seen. */
export function requestFingerprint(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function idempotency(ttlMs: number) {
  return {
    /**
     * Takes `scope` for `operation` inside `trx`, as its first write: a
     * concurrent request with the same key waits on the row, then finds it.
     * Returns the first request's result id when the key is already taken by
     * the same request; throws LEDGER_IDEMPOTENCY_MISMATCH for another one.
     */
    async claim(
      trx: Trx,
      scope: IdempotencyScope,
      operation: string,
      fingerprint: string,
      resultId: string,
    ): Promise<Claim> {
      const at = new Date();
      const row = {
        client_id: scope.client,
        key: scope.key,
        operation,
        fingerprint,
        result_id: resultId,
        created_at: at.toISOString(),
        expires_at: new Date(at.getTime() + ttlMs).toISOString(),
      };
      const inserted = await trx
        .insertInto('idempotency_records')
        .values(row)
        .onConflict((conflict) => conflict.columns(['client_id', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { claimed: true };
      const first = await trx
        .selectFrom('idempotency_records')
        .selectAll()
        .where('client_id', '=', scope.client)
        .where('key', '=', scope.key)
        .executeTakeFirstOrThrow();
      if (first.expires_at <= row.created_at) {
        // Expired: the key starts over, as if never used.
        await trx
          .updateTable('idempotency_records')
          .set(row)
          .where('client_id', '=', scope.client)
          .where('key', '=', scope.key)
          .execute();
        return { claimed: true };
      }
      if (first.operation !== operation || first.fingerprint !== fingerprint) {
        throw new LedgerError(
          'LEDGER_IDEMPOTENCY_MISMATCH',
          422,
          'this Idempotency-Key was used for a different request; use a new key for a new request',
        );
      }
      return { claimed: false, resultId: first.result_id };
    },

    /** Forgets keys that expired before now; returns how many. */
    async purge(db: Pick<Trx, 'deleteFrom'>): Promise<number> {
      const result = await db
        .deleteFrom('idempotency_records')
        .where('expires_at', '<=', new Date().toISOString())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
