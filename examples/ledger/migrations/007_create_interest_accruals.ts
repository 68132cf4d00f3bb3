import { type Kysely, sql } from 'kysely';

// One accrual per account and day (the primary key), written in the same
// transaction as its posting. `carry` is what was below one minor unit,
// in millionths-of-a-basis-point-year units (minor unit x 1/3,650,000),
// carried into the next day so no interest is lost to rounding.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('interest_accruals')
    .addColumn('account_id', 'varchar(64)', (column) => column.notNull().references('accounts.id'))
    .addColumn('day', 'varchar(10)', (column) => column.notNull())
    .addColumn('rate_bps', 'integer', (column) => column.notNull())
    .addColumn('balance', 'bigint', (column) => column.notNull())
    .addColumn('amount', 'bigint', (column) => column.notNull())
    .addColumn('carry', 'bigint', (column) => column.notNull())
    .addColumn('transfer_id', 'varchar(64)', (column) => column.unique().references('transfers.id'))
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .addPrimaryKeyConstraint('interest_accruals_pk', ['account_id', 'day'])
    .addCheckConstraint('interest_accruals_amount', sql`amount >= 0 and (amount > 0) = (transfer_id is not null)`)
    .addCheckConstraint('interest_accruals_carry', sql`carry >= 0 and carry < 3650000`)
    .addCheckConstraint('interest_accruals_rate', sql`rate_bps >= 0 and rate_bps <= 10000`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('interest_accruals').execute();
}
