import type { CompiledQuery, OperationNode } from 'kysely';
import { keywordVerdict } from './raw-sql-keywords.js';

/** One statement a migration runs, and whether it can destroy data. */
export interface PlannedStatement {
  readonly sql: string;
  readonly destructive: boolean;
  /** Why it is destructive ("drops column balance"), or why raw SQL counts as safe. */
  readonly why?: string;
}

type Node = OperationNode & Record<string, unknown>;

function name(node: unknown): string {
  const n = node as
    | {
        table?: { identifier?: { name?: string } };
        identifier?: { name?: string };
        name?: string;
        column?: { name?: string };
      }
    | undefined;
  return n?.table?.identifier?.name ?? n?.identifier?.name ?? n?.column?.name ?? n?.name ?? '?';
}

/**
 * Whether one compiled statement can destroy data: dropping a table,
 * column, index, constraint, view or schema; a column type change or a
 * rename; delete or update without a where clause. Raw SQL is judged by
 * `classifyStatement`.
 */
function destructiveReason(node: OperationNode): string | undefined {
  const n = node as Node;
  switch (n.kind) {
    case 'DropTableNode':
      return `drops table ${name(n.table)}`;
    case 'DropIndexNode':
      return `drops index ${name(n.name)}`;
    case 'DropViewNode':
    case 'DropSchemaNode':
    case 'DropTypeNode':
      return `drops ${n.kind.replace(/^Drop|Node$/g, '').toLowerCase()} ${name(n.name ?? n.schema)}`;
    case 'DeleteQueryNode':
      return n.where ? undefined : 'deletes every row (no where clause)';
    case 'UpdateQueryNode':
      return n.where ? undefined : 'updates every row (no where clause)';
    case 'AlterTableNode': {
      const table = name(n.table);
      if (n.renameTo) return `renames table ${table}`;
      if (n.dropConstraint) return `drops a constraint of ${table}`;
      if (n.dropIndex) return `drops an index of ${table}`;
      for (const change of (n.columnAlterations as Node[] | undefined) ?? []) {
        if (change.kind === 'DropColumnNode') return `drops column ${table}.${name(change.column)}`;
        if (change.kind === 'RenameColumnNode') return `renames column ${table}.${name(change.column)}`;
        if (change.kind === 'ModifyColumnNode') return `changes column ${table}.${name(change.column)}`;
        if (change.kind === 'AlterColumnNode' && change.dataType)
          return `changes the type of ${table}.${name(change.column)}`;
        if (change.kind === 'AlterColumnNode' && change.setNotNull)
          return `makes ${table}.${name(change.column)} not null`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * What one statement does to data: `additive` (adds or changes nothing
 * existing), `destructive` (envward knows it can destroy data, and says
 * why), or `unknown` (raw SQL envward cannot judge). Only `unknown` may be
 * vouched for by a migration's `safe` export.
 */
export type Verdict =
  | { readonly kind: 'additive' }
  | { readonly kind: 'destructive'; readonly why: string }
  | { readonly kind: 'unknown'; readonly why: string };

/**
 * The verdict on one compiled statement: Kysely-built statements from their
 * query nodes; raw SQL by PostgreSQL's parser on PostgreSQL (loaded only
 * then), by keywords once comments and literals are stripped on SQLite.
 */
export async function classifyStatement(compiled: CompiledQuery, dialect: 'sqlite' | 'postgres'): Promise<Verdict> {
  if (compiled.query.kind === 'RawNode' && dialect === 'postgres') {
    return (await import('./raw-sql-postgres.js')).postgresVerdict(compiled.sql);
  }
  return judge(compiled, keywordVerdict);
}

function judge(compiled: CompiledQuery, raw: (text: string) => Verdict): Verdict {
  if (compiled.query.kind === 'RawNode') return raw(compiled.sql);
  const why = destructiveReason(compiled.query);
  return why ? { kind: 'destructive', why } : { kind: 'additive' };
}

/** Judges a statement at once; see statementJudge. */
export type StatementJudge = (compiled: CompiledQuery) => Verdict;

/**
 * classifyStatement's rules as a synchronous function, for judging each
 * statement as it is about to run (a Kysely plugin cannot wait): the
 * PostgreSQL parser is loaded before it is returned.
 */
export async function statementJudge(dialect: 'sqlite' | 'postgres'): Promise<StatementJudge> {
  const raw =
    dialect === 'postgres'
      ? await (await import('./raw-sql-postgres.js')).loadPostgresJudge()
      : (text: string) => keywordVerdict(text);
  return (compiled) => judge(compiled, raw);
}
