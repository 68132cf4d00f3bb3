import { type Kysely, sql } from 'kysely';

// A customer's email address, for statements; optional, as customers opened
// before it have none. It is personal data: the anonymisation rules in
// envward.config.ts hash it on its way out of production (`data refresh`).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('customers')
    .addColumn('email', 'varchar(254)', (column) =>
      column.check(sql`email is null or (length(email) between 3 and 254 and email like '%_@_%')`),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customers').dropColumn('email').execute();
}
