import { type Kysely, sql } from 'kysely';

// A transfer moves a positive amount between two accounts of its currency;
// its journal holds exactly two lines, the debit and the credit, which sum
// to zero (double entry). 004 makes the database write those lines itself.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transfers')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('from_account', 'varchar(64)', (column) => column.notNull().references('accounts.id'))
    .addColumn('to_account', 'varchar(64)', (column) => column.notNull().references('accounts.id'))
    .addColumn('amount', 'bigint', (column) => column.notNull())
    .addColumn('currency', 'varchar(3)', (column) => column.notNull())
    .addColumn('kind', 'varchar(16)', (column) => column.notNull())
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .addCheckConstraint('transfers_amount_positive', sql`amount > 0`)
    .addCheckConstraint('transfers_between_two_accounts', sql`from_account <> to_account`)
    .addCheckConstraint('transfers_kind', sql`kind in ('transfer', 'deposit', 'interest')`)
    .execute();
  await db.schema
    .createTable('journal')
    .addColumn('transfer_id', 'varchar(64)', (column) => column.notNull().references('transfers.id'))
    .addColumn('side', 'varchar(6)', (column) => column.notNull())
    .addColumn('account_id', 'varchar(64)', (column) => column.notNull().references('accounts.id'))
    .addColumn('amount', 'bigint', (column) => column.notNull())
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .addPrimaryKeyConstraint('journal_pk', ['transfer_id', 'side'])
    .addCheckConstraint('journal_side_sign', sql`(side = 'debit' and amount < 0) or (side = 'credit' and amount > 0)`)
    .execute();
  await db.schema.createIndex('transfers_from').on('transfers').column('from_account').execute();
  await db.schema.createIndex('transfers_to').on('transfers').column('to_account').execute();
  await db.schema.createIndex('journal_account').on('journal').column('account_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('journal').execute();
  await db.schema.dropTable('transfers').execute();
}
