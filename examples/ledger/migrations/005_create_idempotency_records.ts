import type { Kysely } from 'kysely';

// One row per client and Idempotency-Key: a retry finds it and gets the first
// answer back; after `expires_at` the key may be used again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_records')
    .addColumn('client_id', 'varchar(100)', (column) => column.notNull())
    .addColumn('key', 'varchar(200)', (column) => column.notNull())
    .addColumn('operation', 'varchar(16)', (column) => column.notNull())
    .addColumn('fingerprint', 'varchar(64)', (column) => column.notNull())
    .addColumn('result_id', 'varchar(64)', (column) => column.notNull())
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .addColumn('expires_at', 'varchar(32)', (column) => column.notNull())
    .addPrimaryKeyConstraint('idempotency_records_pk', ['client_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_records_expiry').on('idempotency_records').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_records').execute();
}
