/**
 * Runs one SQL statement on a SQLite file directly, around envward (to set
 * up or tamper with a database in tests). `$1`-style placeholders work, so
 * the same text serves PostgreSQL.
 */
import Database from 'better-sqlite3';

export function querySqliteFile<Row>(path: string, text: string, values: readonly unknown[] = []): Row[] {
  const sqlite = new Database(path);
  try {
    const statement = sqlite.prepare(text.replace(/\$\d+/g, '?'));
    if (statement.reader) return statement.all(...values) as Row[];
    statement.run(...values);
    return [];
  } finally {
    sqlite.close();
  }
}
