// The ledger's invariants, read straight from its database by bench/ledger.mjs
// over a connection of their own (a read-only better-sqlite3 handle, one pg
// client), so they see what is committed, whichever service wrote it, and
// take nothing from the service's pool. Every statement is one consistent
// snapshot (WAL on SQLite, a statement's snapshot on PostgreSQL).
//
// Money is summed in the database and read as text, then compared as bigint.
import pg from 'pg';

/** An inspector of `database` (from ledger-services.mjs freshDatabase). */
export async function openInspector(database) {
  let rows;
  let close;
  if (database.dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const handle = new Database(database.path, { readonly: true, fileMustExist: true });
    rows = async (text, params = []) => handle.prepare(text).all(...params);
    close = async () => handle.close();
  } else {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // `?` placeholders, numbered for PostgreSQL.
    rows = async (text, params = []) => {
      let n = 0;
      return (
        await client.query(
          text.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows;
    };
    close = () => client.end();
  }
  const one = async (text, params) => (await rows(text, params))[0];
  const count = async (text, params) => Number((await one(text, params)).n);
  const money = (value) => BigInt(value ?? '0');

  return {
    /**
     * What the sampler checks while the load runs: the lowest headroom of a
     * customer account (balance + overdraft, never below 0) and the sum of
     * all balances (0 in every committed state).
     */
    async headroom() {
      const row = await one(
        `select cast(min(case when kind = 'customer' then balance + overdraft_limit end) as text) as lowest,
                cast(coalesce(sum(balance), 0) as text) as total
           from accounts`,
      );
      return { lowest: row.lowest === null ? undefined : BigInt(row.lowest), balanceSum: money(row.total) };
    },

    /** How many accruals `day` has so far. */
    accruals: async (day) => count('select count(*) as n from interest_accruals where day = ?', [day]),

    /** Every invariant's figures, for `day`'s interest; bench/ledger.mjs asserts them. */
    async audit(day) {
      const balanceSum = money(
        (await one('select cast(coalesce(sum(balance), 0) as text) as total from accounts')).total,
      );
      // Each transfer has its debit and its credit, and they cancel.
      const unbalancedTransfers = await count(
        `select count(*) as n from (
           select t.id from transfers t left join journal j on j.transfer_id = t.id
            group by t.id having count(j.transfer_id) <> 2 or coalesce(sum(j.amount), 0) <> 0) unbalanced`,
      );
      const balanceMismatches = await count(
        `select count(*) as n from accounts a
           left join (select account_id, sum(amount) as posted from journal group by account_id) j on j.account_id = a.id
          where a.balance <> coalesce(j.posted, 0)`,
      );
      const belowOverdraft = await count(
        `select count(*) as n from accounts where kind = 'customer' and balance + overdraft_limit < 0`,
      );
      const lowestHeadroom = (
        await one(`select cast(min(balance + overdraft_limit) as text) as lowest from accounts where kind = 'customer'`)
      ).lowest;
      const customers = await count(`select count(*) as n from accounts where kind = 'customer'`);

      const transfers = {};
      for (const row of await rows(
        'select kind, count(*) as n, cast(coalesce(sum(amount), 0) as text) as total from transfers group by kind',
      )) {
        transfers[row.kind] = { count: Number(row.n), total: money(row.total) };
      }
      for (const kind of ['transfer', 'deposit', 'interest']) transfers[kind] ??= { count: 0, total: 0n };
      // Money enters only from a system account, by its kind of transfer, and only into customer accounts.
      const misdirected = await count(
        `select count(*) as n from transfers t
           join accounts f on f.id = t.from_account
           join accounts c on c.id = t.to_account
          where c.kind <> 'customer'
             or not ((t.kind = 'transfer' and f.kind = 'customer')
                  or (t.kind = 'deposit' and f.kind = 'funding')
                  or (t.kind = 'interest' and f.kind = 'interest'))`,
      );
      const system = { funding: 0n, interest: 0n };
      for (const row of await rows(
        `select kind, cast(coalesce(sum(balance), 0) as text) as total from accounts where kind <> 'customer' group by kind`,
      )) {
        system[row.kind] = money(row.total);
      }

      const deposits = {
        booked: { count: 0, total: 0n },
        pending: { count: 0, total: 0n },
        failed: { count: 0, total: 0n },
      };
      for (const row of await rows(
        'select status, count(*) as n, cast(coalesce(sum(amount), 0) as text) as total from deposits group by status',
      )) {
        deposits[row.status] = { count: Number(row.n), total: money(row.total) };
      }
      // A booked deposit is exactly its transfer; a deposit transfer is exactly one booked deposit.
      const depositLinkErrors =
        (await count(
          `select count(*) as n from deposits d left join transfers t on t.id = d.transfer_id
            where d.status = 'booked'
              and (t.id is null or t.kind <> 'deposit' or t.amount <> d.amount or t.to_account <> d.account_id)`,
        )) +
        (await count(
          `select count(*) as n from transfers t
            where t.kind = 'deposit' and not exists (select 1 from deposits d where d.transfer_id = t.id)`,
        ));

      // Every customer transfer was claimed by exactly one Idempotency-Key, and every claim posted.
      const transferKeys = await one(
        `select count(*) as n, count(distinct result_id) as distinct_results from idempotency_records
          where operation = 'transfer'`,
      );
      const danglingKeys = await count(
        `select count(*) as n from idempotency_records r
          where r.operation = 'transfer' and not exists (select 1 from transfers t where t.id = r.result_id)`,
      );

      const accruals = await one(
        `select count(*) as n,
                sum(case when amount > 0 then 1 else 0 end) as paid,
                cast(coalesce(sum(amount), 0) as text) as total
           from interest_accruals where day = ?`,
        [day],
      );
      const accrualsAllDays = await count('select count(*) as n from interest_accruals');
      const customersNotAccruedOnce = await count(
        `select count(*) as n from accounts a
          where a.kind = 'customer'
            and (select count(*) from interest_accruals i where i.account_id = a.id and i.day = ?) <> 1`,
        [day],
      );
      // An accrual that paid is exactly its interest transfer; an interest transfer is exactly one accrual.
      const accrualLinkErrors =
        (await count(
          `select count(*) as n from interest_accruals i left join transfers t on t.id = i.transfer_id
            where i.amount > 0
              and (t.id is null or t.kind <> 'interest' or t.amount <> i.amount or t.to_account <> i.account_id)`,
        )) +
        (await count(
          `select count(*) as n from transfers t
            where t.kind = 'interest' and not exists (select 1 from interest_accruals i where i.transfer_id = t.id)`,
        ));

      return {
        balanceSum,
        unbalancedTransfers,
        balanceMismatches,
        belowOverdraft,
        lowestHeadroom: lowestHeadroom === null ? undefined : BigInt(lowestHeadroom),
        customers,
        transfers,
        misdirected,
        system,
        deposits,
        depositLinkErrors,
        transferKeys: { count: Number(transferKeys.n), distinctResults: Number(transferKeys.distinct_results) },
        danglingKeys,
        accruals: {
          count: Number(accruals.n),
          paid: Number(accruals.paid ?? 0),
          total: money(accruals.total),
          allDays: accrualsAllDays,
        },
        customersNotAccruedOnce,
        accrualLinkErrors,
      };
    },

    close,
  };
}

/**
 * Checks the inspector's headroom every `everyMs` until stopped (a check
 * still running when the next is due is not doubled). `stop()` resolves the
 * samples taken, the lowest headroom seen and every nonzero balance sum.
 */
export function startSampler(inspector, everyMs) {
  let samples = 0;
  let lowest;
  const nonzeroSums = [];
  let running;
  let failure;
  const tick = () => {
    if (running) return;
    running = inspector
      .headroom()
      .then((seen) => {
        samples++;
        if (seen.lowest !== undefined && (lowest === undefined || seen.lowest < lowest)) lowest = seen.lowest;
        if (seen.balanceSum !== 0n) nonzeroSums.push(seen.balanceSum);
      })
      .catch((error) => {
        failure ??= error;
      })
      .finally(() => {
        running = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      // One last look, after everything the run did.
      tick();
      await running;
      if (failure) throw failure;
      return { samples, lowest, nonzeroSums };
    },
  };
}
