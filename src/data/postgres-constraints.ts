import type pg from 'pg';
import { quoteIdentifier } from './data-database.js';

/**
 * What a PostgreSQL copy suspends on the tables it fills, and makes again
 * after: foreign keys, primary keys and unique constraints, secondary
 * indexes (each built once over the copied rows, as pg_restore does) and
 * the user triggers enabled now (restored as they were). Everything is
 * made again inside the copy's transaction, so a row that breaks one still
 * rolls everything back.
 */

interface Constraint {
  readonly table: string;
  readonly name: string;
  /** pg_get_constraintdef, or for an index its CREATE INDEX. */
  readonly definition: string;
}

interface Trigger {
  readonly table: string;
  readonly name: string;
  /** pg_trigger.tgenabled: O (origin), A (always), R (replica). */
  readonly enabled: string;
}

export class SuspendedConstraints {
  readonly #client: pg.Client;
  readonly #schema: string;
  #foreignKeys: Constraint[] = [];
  /** Secondary indexes (none behind a constraint) dropped for the copy. */
  #indexes: Constraint[] = [];
  /** Primary keys and unique constraints dropped for the copy (none another table's foreign key still needs). */
  #uniqueKeys: Constraint[] = [];
  #triggers: Trigger[] = [];

  constructor(client: pg.Client, schema: string) {
    this.#client = client;
    this.#schema = schema;
  }

  #name(table: string): string {
    return `${quoteIdentifier(this.#schema)}.${quoteIdentifier(table)}`;
  }

  async #rows<Row>(text: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.#client.query(text, values)).rows as Row[];
  }

  async suspend(tables: readonly string[], options: { readonly foreignKeys: boolean }): Promise<void> {
    // Foreign keys are dropped and made again after the copy, as pg_restore does: checked row by row
    // they cost more than the copy itself; made again, each is checked in one pass, still in the
    // transaction, so a row that breaks one still rolls everything back. Not while a snapshot reader
    // of this database reads the same tables (sanitise): dropping one waits for every reader.
    this.#foreignKeys = !options.foreignKeys
      ? []
      : await this.#rows<Constraint>(
          `select c.relname as table, k.conname as name, pg_get_constraintdef(k.oid) as definition
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
       where k.contype = 'f' and n.nspname = current_schema() and c.relname = any($1::text[]) order by k.oid`,
          [[...tables]],
        );
    for (const key of this.#foreignKeys) {
      await this.#client.query(`alter table ${this.#name(key.table)} drop constraint ${quoteIdentifier(key.name)}`);
    }
    // Primary keys, unique constraints and secondary indexes likewise: each built once over the copied
    // rows, not grown a row at a time (pg_restore builds them after the data too); made again before the
    // commit, so a duplicate still rolls everything back. A key a foreign key outside the copy needs stays.
    this.#uniqueKeys = !options.foreignKeys
      ? []
      : await this.#rows<Constraint>(
          `select c.relname as table, k.conname as name, pg_get_constraintdef(k.oid) as definition
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
       where k.contype in ('p', 'u') and n.nspname = current_schema() and c.relname = any($1::text[])
         and not exists (select 1 from pg_constraint f where f.contype = 'f' and f.conindid = k.conindid)
       order by k.oid`,
          [[...tables]],
        );
    for (const key of this.#uniqueKeys) {
      await this.#client.query(`alter table ${this.#name(key.table)} drop constraint ${quoteIdentifier(key.name)}`);
    }
    this.#indexes = !options.foreignKeys
      ? []
      : await this.#rows<Constraint>(
          `select c.relname as table, i.relname as name, pg_get_indexdef(x.indexrelid) as definition
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
       join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = current_schema() and c.relname = any($1::text[])
         and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)
       order by x.indexrelid`,
          [[...tables]],
        );
    for (const index of this.#indexes) {
      await this.#client.query(`drop index ${quoteIdentifier(this.#schema)}.${quoteIdentifier(index.name)}`);
    }
    if (options.foreignKeys) {
      // For this transaction only: room to sort an index's keys and hash a foreign key's check in memory
      // (the server's defaults, 64 MB and 4 MB, spill a million rows to disk).
      await this.#client.query("set local maintenance_work_mem = '256MB'");
      await this.#client.query("set local work_mem = '64MB'");
    }
    // User triggers only (foreign keys stay checked), and only those enabled now, to restore them as they were.
    this.#triggers = await this.#rows<Trigger>(
      `select c.relname as table, t.tgname as name, t.tgenabled as enabled
       from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = current_schema() and not t.tgisinternal and t.tgenabled <> 'D' and c.relname = any($1::text[])`,
      [[...tables]],
    );
    for (const trigger of this.#triggers) {
      await this.#client.query(
        `alter table ${this.#name(trigger.table)} disable trigger ${quoteIdentifier(trigger.name)}`,
      );
    }
  }

  async restore(): Promise<void> {
    const mode: Readonly<Record<string, string>> = { A: 'enable always', R: 'enable replica' };
    for (const trigger of this.#triggers) {
      await this.#client.query(
        `alter table ${this.#name(trigger.table)} ${mode[trigger.enabled] ?? 'enable'} trigger ${quoteIdentifier(trigger.name)}`,
      );
    }
    this.#triggers = [];
    for (const key of this.#uniqueKeys) {
      await this.#client.query(
        `alter table ${this.#name(key.table)} add constraint ${quoteIdentifier(key.name)} ${key.definition}`,
      );
    }
    this.#uniqueKeys = [];
    for (const index of this.#indexes) await this.#client.query(index.definition);
    this.#indexes = [];
    for (const key of this.#foreignKeys) {
      await this.#client.query(
        `alter table ${this.#name(key.table)} add constraint ${quoteIdentifier(key.name)} ${key.definition}`,
      );
    }
    this.#foreignKeys = [];
  }
}
