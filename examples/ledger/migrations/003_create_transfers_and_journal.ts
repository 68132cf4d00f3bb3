import type { Kysely } from 'kysely';

// A transfer posts two journal lines that sum to zero (double entry).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transfers')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('from_account', 'varchar(64)', (column) => column.notNull().references('accounts.id'))
    .addColumn('to_account', 'varchar(64)', (column) => column.notNull().references('accounts.id'))
    .addColumn('amount', 'bigint', (column) => column.notNull())
    .addColumn('currency', 'varchar(3)', (column) => column.notNull())
    .addColumn('kind', 'varchar(16)', (column) => column.notNull().defaultTo('transfer'))
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('journal')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('transfer_id', 'varchar(64)', (column) => column.notNull().references('transfers.id'))
    .addColumn('account_id', 'varchar(64)', (column) => column.notNull().references('accounts.id'))
    .addColumn('amount', 'bigint', (column) => column.notNull())
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('journal_transfer').on('journal').column('transfer_id').execute();
  await db.schema.createIndex('journal_account').on('journal').column('account_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('journal').execute();
  await db.schema.dropTable('transfers').execute();
}
