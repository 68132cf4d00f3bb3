/**
 * PostgreSQL's raw SQL judged by PostgreSQL's own parser (libpg-query, the
 * server's grammar compiled to WebAssembly), loaded only when a plan meets
 * raw SQL on PostgreSQL. Every statement, and every statement nested in
 * one (a common table expression, a rule, a DO block's PL/pgSQL), is seen.
 */

import { importPeer } from '../peers.js';
import type { Verdict } from './classify.js';
import { keywordVerdict, UNKNOWN_RAW } from './raw-sql-keywords.js';

type Parser = typeof import('libpg-query');
type Json = Record<string, unknown>;

let parser: Promise<Parser> | undefined;

function loadParser(): Promise<Parser> {
  parser ??= importPeer('envward/migrate', () => import('libpg-query'), ['libpg-query']).then(async (module) => {
    await module.loadModule();
    return module;
  });
  return parser;
}

/** Statement kinds that only add: the same list as the keyword rules' (create table, index, view, …; insert; select; comment on). */
const ADDITIVE = new Set([
  'CreateStmt',
  'CreateTableAsStmt',
  'IndexStmt',
  'ViewStmt',
  'CreateSchemaStmt',
  'CreateExtensionStmt',
  'CompositeTypeStmt',
  'CreateEnumStmt',
  'CreateRangeStmt',
  'CreateSeqStmt',
  'InsertStmt',
  'SelectStmt',
  'CommentStmt',
]);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** `schema.name` of a RangeVar, or the names of a DROP's object. */
function nameOf(value: unknown): string {
  if (!isObject(value)) return '?';
  if (typeof value.relname === 'string') {
    return typeof value.schemaname === 'string' ? `${value.schemaname}.${value.relname}` : value.relname;
  }
  const node = (value.List as Json | undefined)?.items ?? (value.ObjectWithArgs as Json | undefined)?.objname ?? value;
  const parts = (Array.isArray(node) ? node : [node]).map((part) =>
    isObject(part) && isObject(part.String) ? String(part.String.sval) : undefined,
  );
  return parts.every((part) => part !== undefined) && parts.length > 0 ? parts.join('.') : '?';
}

/** `OBJECT_MATVIEW` → `matview`. */
const objectKind = (value: unknown) =>
  String(value ?? '')
    .replace(/^OBJECT_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');

/** Why one parse node destroys data, if it does (nested nodes are looked at by the walk). */
function destructiveNode(kind: string, node: Json): string | undefined {
  switch (kind) {
    case 'DropStmt': {
      const objects = Array.isArray(node.objects) ? node.objects.map(nameOf).join(', ') : '?';
      return `drop ${objectKind(node.removeType)} ${objects}`;
    }
    case 'TruncateStmt':
      return `truncate table ${Array.isArray(node.relations) ? node.relations.map((r) => nameOf((r as Json).RangeVar)).join(', ') : '?'}`;
    case 'DeleteStmt':
      return node.whereClause ? undefined : `delete from ${nameOf(node.relation)} without where`;
    case 'UpdateStmt':
      return node.whereClause ? undefined : `update ${nameOf(node.relation)} without where`;
    case 'RenameStmt':
      return `rename ${objectKind(node.renameType)} ${nameOf(node.relation ?? node.object)}`;
    case 'AlterEnumStmt':
      return node.oldVal ? `rename value ${String(node.oldVal)} of type ${nameOf(node.typeName)}` : undefined;
    case 'AlterTableCmd': {
      const subtype = String(node.subtype);
      if (subtype.startsWith('AT_Drop'))
        return `alter … drop ${subtype.slice('AT_Drop'.length).toLowerCase()} ${node.name ?? ''}`.trimEnd();
      if (subtype === 'AT_AlterColumnType') return `alter column ${String(node.name)} type`;
      return undefined;
    }
    default:
      // DropdbStmt, DropRoleStmt, DropOwnedStmt, DropTableSpaceStmt, DropSubscriptionStmt, …
      return /^Drop.*Stmt$/.test(kind)
        ? `drop ${kind.slice(4, -4).replace(/db$/, 'database').toLowerCase()}`
        : undefined;
  }
}

/** Every parse node under `value` (itself included), in order: [kind, fields]. */
function* nodes(value: unknown): Generator<[string, Json]> {
  if (Array.isArray(value)) {
    for (const item of value) yield* nodes(item);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (/^[A-Z]/.test(key) && isObject(child)) yield [key, child];
    yield* nodes(child);
  }
}

function findDestructive(tree: unknown): string | undefined {
  for (const [kind, node] of nodes(tree)) {
    const why = destructiveNode(kind, node);
    if (why) return why;
  }
  return undefined;
}

/** What a DO block runs, if it is PL/pgSQL the parser can read: the destructive statement found in it. */
function insideDoBlock(pg: Parser, node: Json): string | undefined {
  const option = (name: string) =>
    (node.args as Json[] | undefined)?.map((arg) => arg.DefElem as Json).find((element) => element?.defname === name)
      ?.arg as Json | undefined;
  const body = (option('as')?.String as Json | undefined)?.sval;
  const language = (option('language')?.String as Json | undefined)?.sval ?? 'plpgsql';
  if (typeof body !== 'string' || language !== 'plpgsql') return undefined;
  let tag = '$envward$';
  while (body.includes(tag)) tag = `$envward${tag.length}$`;
  let functions: unknown;
  try {
    functions = pg.parsePlPgSQLSync(
      `create function envward_do() returns void language plpgsql as ${tag}${body}${tag}`,
    );
  } catch {
    return undefined;
  }
  for (const [kind, expr] of nodes(functions)) {
    if (kind !== 'PLpgSQL_expr' || typeof expr.query !== 'string') continue;
    for (const text of [expr.query, `select ${expr.query}`]) {
      try {
        const why = findDestructive(pg.parseSync(text));
        if (why) return why;
        break;
      } catch {
        // An expression, not a statement: try it as a select.
      }
    }
  }
  return undefined;
}

/**
 * The verdict on a raw SQL text for PostgreSQL: destructive when any
 * statement in it (or nested in one) drops, truncates, deletes or updates
 * without `where`, or alters by dropping, renaming or changing a column's
 * type; additive when every statement plainly adds; unknown otherwise
 * (a DO block, a function body, anything else). Text the parser cannot
 * read is judged by the keyword rules, and is never additive.
 */
export async function postgresVerdict(text: string): Promise<Verdict> {
  return judgeWith(await loadParser(), text);
}

/**
 * postgresVerdict without waiting: the parser is loaded first, then each
 * statement is judged at once (a Kysely plugin's transformQuery cannot wait).
 */
export async function loadPostgresJudge(): Promise<(text: string) => Verdict> {
  const pg = await loadParser();
  return (text) => judgeWith(pg, text);
}

function judgeWith(pg: Parser, text: string): Verdict {
  let statements: Json[];
  try {
    // The parser reads a C string: text after a NUL would go unseen (the server refuses such text).
    if (text.includes('\0')) throw new Error('NUL in SQL text');
    statements = (pg.parseSync(text).stmts ?? []).map((raw) => (raw as Json).stmt as Json);
  } catch {
    const verdict = keywordVerdict(text, { dollarQuotes: true });
    return verdict.kind === 'destructive' ? verdict : { kind: 'unknown', why: `${UNKNOWN_RAW} (not valid PostgreSQL)` };
  }
  let unknown: Verdict | undefined;
  for (const statement of statements) {
    const why = findDestructive(statement);
    if (why) return { kind: 'destructive', why: `raw SQL: ${why}` };
    const [kind, node] = Object.entries(statement)[0] as [string, Json];
    if (kind === 'DoStmt') {
      const inside = insideDoBlock(pg, node);
      if (inside) return { kind: 'destructive', why: `raw SQL: a DO block that runs ${inside}` };
      unknown ??= { kind: 'unknown', why: `${UNKNOWN_RAW} (a DO block)` };
    } else if (!ADDITIVE.has(kind) || node.replace === true) {
      unknown ??= { kind: 'unknown', why: UNKNOWN_RAW };
    }
  }
  return unknown ?? { kind: 'additive' };
}
