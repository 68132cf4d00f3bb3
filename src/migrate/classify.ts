import type { OperationNode } from 'kysely';

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

const SAFE_RAW =
  /^\s*(create\s+(table|(unique\s+)?index|view|schema|extension|type|sequence)|insert\s+into|comment\s+on|select)\b/i;
const DESTRUCTIVE_RAW = /^\s*(drop|truncate|delete|update|alter\s+table\s+\S+\s+(drop|rename|alter))\b/i;

/** A raw text that cannot be judged: destructive unless its migration exports `safe`. */
export const UNKNOWN_RAW = 'raw SQL whose effect cannot be known';

/**
 * Why a raw SQL text is destructive, or undefined when it is plainly
 * additive. Each `;`-separated part is looked at: a part that drops,
 * truncates, deletes, updates or alters is destructive whatever the
 * migration says; text that is neither is UNKNOWN_RAW.
 */
function rawVerdict(text: string): string | undefined {
  const parts = text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean);
  const destructive = parts.find((part) => DESTRUCTIVE_RAW.test(part));
  if (destructive) return `raw SQL: ${destructive.split(/\s+/).slice(0, 3).join(' ').toLowerCase()}`;
  if (parts.length === 1 && SAFE_RAW.test(parts[0] as string)) return undefined;
  return parts.length > 1 ? `${UNKNOWN_RAW} (several statements)` : UNKNOWN_RAW;
}

/**
 * Whether one compiled statement can destroy data: dropping a table,
 * column, index, constraint, view or schema; a column type change or a
 * rename; delete or update without a where clause; raw SQL that is not
 * plainly additive.
 */
export function destructiveReason(node: OperationNode, sqlText: string): string | undefined {
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
    case 'RawNode':
      return rawVerdict(sqlText);
    default:
      return undefined;
  }
}
