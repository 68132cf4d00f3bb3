import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type KyselyPlugin,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { classifyStatement, type PlannedStatement, type Verdict } from './classify.js';

class RecordingConnection implements DatabaseConnection {
  constructor(private readonly statements: CompiledQuery[]) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    this.statements.push(compiled);
    return { rows: [] };
  }

  // biome-ignore lint/correctness/useYield: a plan streams nothing.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    return;
  }
}

class RecordingDriver implements Driver {
  constructor(private readonly connection: RecordingConnection) {}
  async init() {}
  async acquireConnection() {
    return this.connection;
  }
  async beginTransaction() {}
  async commitTransaction() {}
  async rollbackTransaction() {}
  async releaseConnection() {}
  async destroy() {}
}

function recordingDialect(dialect: 'sqlite' | 'postgres', statements: CompiledQuery[]): Dialect {
  const connection = new RecordingConnection(statements);
  return {
    createAdapter: () => (dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter()),
    createDriver: () => new RecordingDriver(connection),
    createIntrospector: (db) => (dialect === 'sqlite' ? new SqliteIntrospector(db) : new PostgresIntrospector(db)),
    createQueryCompiler: () => (dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
  };
}

/**
 * The statements `run` would execute, compiled for `dialect` with the
 * store's plugins but sent nowhere: reads return no rows, so a migration
 * that branches on data plans its empty-table branch.
 */
export async function planStatements(
  dialect: 'sqlite' | 'postgres',
  plugins: readonly KyselyPlugin[],
  run: (db: Kysely<unknown>) => Promise<unknown>,
  safeReason: string | undefined,
): Promise<PlannedStatement[]> {
  const statements: CompiledQuery[] = [];
  const db = new Kysely<unknown>({ dialect: recordingDialect(dialect, statements), plugins: [...plugins] });
  await run(db);
  const planned: PlannedStatement[] = [];
  for (const compiled of statements) {
    const verdict = await classifyStatement(compiled, dialect);
    planned.push(vouched(compiled.sql, verdict, safeReason));
  }
  return planned;
}

/**
 * A statement's verdict as the plan shows it. The migration's `safe`
 * export vouches only for what envward cannot judge: it turns `unknown`
 * into safe and never clears a statement found destructive.
 */
export function vouched(sqlText: string, verdict: Verdict, safeReason: string | undefined): PlannedStatement {
  switch (verdict.kind) {
    case 'additive':
      return { sql: sqlText, destructive: false };
    case 'destructive':
      return { sql: sqlText, destructive: true, why: verdict.why };
    case 'unknown':
      return safeReason === undefined
        ? { sql: sqlText, destructive: true, why: verdict.why }
        : { sql: sqlText, destructive: false, why: `raw SQL marked safe: ${safeReason}` };
  }
}
