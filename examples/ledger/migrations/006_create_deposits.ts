import { type Kysely, sql } from 'kysely';

// A deposit is recorded `pending` before the payment gateway is asked to
// collect, and `booked` (with the gateway's reference and the posted
// transfer) after: a crash between the two leaves a pending row that the
// next attempt or the recovery sweep completes, with the same gateway key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deposits')
    .addColumn('id', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('account_id', 'varchar(64)', (column) => column.notNull().references('accounts.id'))
    .addColumn('amount', 'bigint', (column) => column.notNull())
    .addColumn('currency', 'varchar(3)', (column) => column.notNull())
    .addColumn('status', 'varchar(8)', (column) => column.notNull())
    .addColumn('gateway_reference', 'varchar(200)')
    .addColumn('transfer_id', 'varchar(64)', (column) => column.unique().references('transfers.id'))
    .addColumn('failure', 'varchar(500)')
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .addColumn('updated_at', 'varchar(32)', (column) => column.notNull())
    .addCheckConstraint('deposits_amount_positive', sql`amount > 0`)
    .addCheckConstraint('deposits_status', sql`status in ('pending', 'booked', 'failed')`)
    .addCheckConstraint(
      'deposits_booked_has_posting',
      sql`(status = 'booked') = (transfer_id is not null and gateway_reference is not null)`,
    )
    .execute();
  await db.schema.createIndex('deposits_pending').on('deposits').columns(['status', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('deposits').execute();
}
