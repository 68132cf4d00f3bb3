/**
 * A ledger of the test environment on a fresh database, SQLite or
 * PostgreSQL, and a way around envward and the ledger to the database
 * itself (`raw`), to show what the database refuses on its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerRuntime, type OpenLedgerOptions, openLedger } from '../../../examples/ledger/src/open-ledger.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { querySqliteFile } from '../../support/sqlite-file.ts';
import '../../support/temp-project.ts';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface LedgerFixture {
  readonly runtime: LedgerRuntime;
  readonly url: string;
  /** Opens another runtime on the same database (a second instance). */
  another(options?: OpenLedgerOptions): Promise<LedgerRuntime>;
  /** SQL straight to the database, `$1`-style parameters on both dialects; rows of a select. */
  raw<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  cleanup(): Promise<void>;
}

export async function ledgerFixture(dialect: Dialect, options: OpenLedgerOptions = {}): Promise<LedgerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'envward-ledger-'));
  let database: TestDatabase | undefined;
  let url: string;
  if (dialect === 'postgres') {
    database = await createTestDatabase('ledger');
    url = database.url;
  } else {
    url = `sqlite:${join(dir, 'ledger.db')}`;
  }
  const open = (extra: OpenLedgerOptions = {}) =>
    openLedger({ env: 'test', variables: { DATABASE_URL: url }, ...options, ...extra });
  const others: LedgerRuntime[] = [];
  const runtime = await open();
  return {
    runtime,
    url,
    async another(extra) {
      const other = await open(extra);
      others.push(other);
      return other;
    },
    async raw<Row>(text: string, values: readonly unknown[] = []) {
      if (database) return database.query<Row>(text, [...values]);
      return querySqliteFile<Row>(join(dir, 'ledger.db'), text, values);
    },
    async cleanup() {
      for (const other of others) await other.close();
      await runtime.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
