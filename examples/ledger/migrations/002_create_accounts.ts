import { type Kysely, sql } from 'kysely';

// Balances are integers in minor units of the account's currency (ISO 4217
// exponent: cents for EUR, yen for JPY, fils for KWD); bigint holds any real
// amount. Customers' accounts never go below their overdraft; the system
// accounts (one per purpose and currency) are where money enters: `funding`
// for deposits collected by the payment gateway, `interest` for interest paid.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('customer_id', 'varchar(64)', (column) => column.references('customers.id'))
    .addColumn('owner', 'varchar(200)', (column) => column.notNull())
    .addColumn('kind', 'varchar(16)', (column) => column.notNull())
    .addColumn('currency', 'varchar(3)', (column) => column.notNull())
    .addColumn('balance', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('overdraft_limit', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .addCheckConstraint('accounts_kind', sql`kind in ('customer', 'funding', 'interest')`)
    .addCheckConstraint('accounts_customer_has_owner', sql`(kind = 'customer') = (customer_id is not null)`)
    .addCheckConstraint('accounts_currency_code', sql`length(currency) = 3 and upper(currency) = currency`)
    .addCheckConstraint('accounts_overdraft_not_negative', sql`overdraft_limit >= 0`)
    .addCheckConstraint('accounts_within_overdraft', sql`kind <> 'customer' or balance >= -overdraft_limit`)
    // A system account only pays out: its balance is minus what entered through it.
    .addCheckConstraint('accounts_system_pays_out', sql`kind = 'customer' or (balance <= 0 and overdraft_limit = 0)`)
    .execute();
  // One funding and one interest account per currency, even when two first deposits race.
  await db.schema
    .createIndex('accounts_one_system_account')
    .on('accounts')
    .columns(['kind', 'currency'])
    .unique()
    .where(sql.ref('kind'), '<>', 'customer')
    .execute();
  await db.schema.createIndex('accounts_customer').on('accounts').column('customer_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('accounts').execute();
}
