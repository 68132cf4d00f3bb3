/**
 * The ledger's tables as Kysely sees them (migrations/ creates them). Money
 * columns are bigint: written as bigint, read as text (`cast(... as text)`)
 * and turned into bigint, so no driver ever makes a float of them.
 */
type Money = bigint | string;

export interface LedgerDatabase {
  customers: { id: string; name: string; email: string | null; created_at: string };
  accounts: {
    id: string;
    customer_id: string | null;
    owner: string;
    kind: string;
    currency: string;
    balance: Money;
    overdraft_limit: Money;
    created_at: string;
  };
  transfers: {
    id: string;
    from_account: string;
    to_account: string;
    amount: Money;
    currency: string;
    kind: string;
    created_at: string;
  };
  journal: { transfer_id: string; side: string; account_id: string; amount: Money; created_at: string };
  idempotency_records: {
    client_id: string;
    key: string;
    operation: string;
    fingerprint: string;
    result_id: string;
    created_at: string;
    expires_at: string;
  };
  deposits: {
    id: string;
    account_id: string;
    amount: Money;
    currency: string;
    status: string;
    gateway_reference: string | null;
    transfer_id: string | null;
    failure: string | null;
    created_at: string;
    updated_at: string;
  };
  interest_accruals: {
    account_id: string;
    day: string;
    rate_bps: number;
    balance: Money;
    amount: Money;
    carry: Money;
    transfer_id: string | null;
    created_at: string;
  };
}
