import type { Kysely } from 'kysely';

// One row per Idempotency-Key: a retry finds it and gets the first result back.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key', 'varchar(200)', (column) => column.primaryKey())
    .addColumn('fingerprint', 'varchar(64)', (column) => column.notNull())
    .addColumn('transfer_id', 'varchar(64)', (column) => column.notNull())
    .addColumn('created_at', 'varchar(32)', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
}
