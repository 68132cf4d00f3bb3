import { type Kysely, sql } from 'kysely';

// Posting is the database's job, so no client, script or bug can write an
// unbalanced journal: inserting a transfer writes its debit and credit lines
// in the same statement, each line moves its account's balance (where the
// accounts' checks hold the overdraft), a line that is not its transfer's
// debit or credit is refused, and transfers and journal lines are never
// changed or deleted (a mistake is corrected by another transfer).
export const safe = 'creates triggers and their functions; no table or row is rewritten';

const POSTGRES = [
  `create function ledger_post_transfer() returns trigger language plpgsql as $$
begin
  if (select count(*) from accounts where id in (new.from_account, new.to_account) and currency = new.currency) <> 2 then
    raise exception 'transfer %: both accounts must exist and hold %', new.id, new.currency using errcode = 'check_violation';
  end if;
  insert into journal (transfer_id, side, account_id, amount, created_at)
    values (new.id, 'debit', new.from_account, -new.amount, new.created_at),
           (new.id, 'credit', new.to_account, new.amount, new.created_at);
  return null;
end $$`,
  `create function ledger_check_journal_line() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from transfers t where t.id = new.transfer_id and (
       (new.side = 'debit' and t.from_account = new.account_id and new.amount = -t.amount) or
       (new.side = 'credit' and t.to_account = new.account_id and new.amount = t.amount))) then
    raise exception 'journal line of %: not its transfer''s debit or credit', new.transfer_id using errcode = 'check_violation';
  end if;
  update accounts set balance = balance + new.amount where id = new.account_id;
  return new;
end $$`,
  `create function ledger_append_only() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: correct a posting with another transfer', tg_table_name using errcode = 'check_violation';
end $$`,
  'create trigger transfers_post after insert on transfers for each row execute function ledger_post_transfer()',
  'create trigger journal_line before insert on journal for each row execute function ledger_check_journal_line()',
  'create trigger transfers_append_only before update or delete on transfers for each row execute function ledger_append_only()',
  'create trigger journal_append_only before update or delete on journal for each row execute function ledger_append_only()',
];

const SQLITE = [
  `create trigger transfers_post after insert on transfers begin
  select raise(abort, 'transfer: both accounts must exist and hold its currency')
    where (select count(*) from accounts where id in (new.from_account, new.to_account) and currency = new.currency) <> 2;
  insert into journal (transfer_id, side, account_id, amount, created_at)
    values (new.id, 'debit', new.from_account, -new.amount, new.created_at),
           (new.id, 'credit', new.to_account, new.amount, new.created_at);
end`,
  `create trigger journal_line before insert on journal begin
  select raise(abort, 'journal line: not its transfer''s debit or credit')
    where not exists (select 1 from transfers t where t.id = new.transfer_id and (
      (new.side = 'debit' and t.from_account = new.account_id and new.amount = -t.amount) or
      (new.side = 'credit' and t.to_account = new.account_id and new.amount = t.amount)));
end`,
  `create trigger journal_moves_balance after insert on journal begin
  update accounts set balance = balance + new.amount where id = new.account_id;
end`,
  `create trigger transfers_no_update before update on transfers begin
  select raise(abort, 'transfers is append-only: correct a posting with another transfer');
end`,
  `create trigger transfers_no_delete before delete on transfers begin
  select raise(abort, 'transfers is append-only: correct a posting with another transfer');
end`,
  `create trigger journal_no_update before update on journal begin
  select raise(abort, 'journal is append-only: correct a posting with another transfer');
end`,
  `create trigger journal_no_delete before delete on journal begin
  select raise(abort, 'journal is append-only: correct a posting with another transfer');
end`,
];

// By how the database's own compiler writes a parameter ($1 on PostgreSQL, ? on
// SQLite), not `adapter instanceof PostgresAdapter`: envward loads a
// migration's `kysely` as its CommonJS build while the store's Kysely comes
// from the ES module build, so the two PostgresAdapter classes are not the
// same and instanceof was false on PostgreSQL (SQLite's triggers were run there).
const isPostgres = (db: Kysely<unknown>) => sql`${0}`.compile(db).sql.startsWith('$');

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of isPostgres(db) ? POSTGRES : SQLITE) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    for (const [trigger, table] of [
      ['transfers_post', 'transfers'],
      ['journal_line', 'journal'],
      ['transfers_append_only', 'transfers'],
      ['journal_append_only', 'journal'],
    ]) {
      await sql.raw(`drop trigger ${trigger} on ${table}`).execute(db);
    }
    for (const fn of ['ledger_post_transfer', 'ledger_check_journal_line', 'ledger_append_only']) {
      await sql.raw(`drop function ${fn}()`).execute(db);
    }
    return;
  }
  for (const trigger of [
    'transfers_post',
    'journal_line',
    'journal_moves_balance',
    'transfers_no_update',
    'transfers_no_delete',
    'journal_no_update',
    'journal_no_delete',
  ]) {
    await sql.raw(`drop trigger ${trigger}`).execute(db);
  }
}
