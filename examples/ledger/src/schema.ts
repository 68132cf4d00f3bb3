/** The ledger's tables as Kysely sees them (migrations/ creates them). */
export interface LedgerDatabase {
  customers: { id: string; name: string; created_at: string };
  accounts: {
    id: string;
    customer_id: string | null;
    owner: string;
    kind: string;
    currency: string;
    // bigint: numbers going in, text coming back from pg.
    balance: number | string;
    overdraft_limit: number | string;
    created_at: string;
  };
  transfers: {
    id: string;
    from_account: string;
    to_account: string;
    amount: number | string;
    currency: string;
    kind: string;
    created_at: string;
  };
  journal: { id: string; transfer_id: string; account_id: string; amount: number | string; created_at: string };
  idempotency_keys: { key: string; fingerprint: string; transfer_id: string; created_at: string };
}
