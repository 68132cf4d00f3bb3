import type { Kysely } from 'kysely';

// Balances are integers in minor units (cents); bigint holds any real amount.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('customer_id', 'varchar(64)', (column) => column.references('customers.id'))
    .addColumn('owner', 'varchar(200)', (column) => column.notNull())
    .addColumn('kind', 'varchar(16)', (column) => column.notNull().defaultTo('customer'))
    .addColumn('currency', 'varchar(3)', (column) => column.notNull())
    .addColumn('balance', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('overdraft_limit', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('accounts_kind_currency').on('accounts').columns(['kind', 'currency']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('accounts').execute();
}
