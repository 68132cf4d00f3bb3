import {
  AliasNode,
  type CreateIndexNode,
  type DropIndexNode,
  IdentifierNode,
  JoinNode,
  type KyselyPlugin,
  ListNode,
  type OperationNode,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type ReferencesNode,
  type RootOperationNode,
  TableNode,
  type UnknownRow,
  UsingNode,
  type WithNode,
} from 'kysely';

// Query nodes that name their own tables; nested ones (subqueries, CTE bodies) are visited too.
const QUERY_NODES = new Set([
  'AlterTableNode',
  'CreateIndexNode',
  'CreateTableNode',
  'CreateViewNode',
  'DeleteQueryNode',
  'DropIndexNode',
  'DropTableNode',
  'DropViewNode',
  'InsertQueryNode',
  'MergeQueryNode',
  'RawNode',
  'SelectQueryNode',
  'UpdateQueryNode',
]);

/**
 * Prefixes the tables a query names (in from, join, into, update, using, the
 * table of DDL and its new name, foreign keys, `sql.table()` in raw SQL) and
 * references to them, but not
 * aliases (`accounts as a` reads `stg_accounts as a`; `a.owner` stays) or
 * CTE names: the same bookkeeping as Kysely's WithSchemaPlugin.
 */
class PrefixTransformer extends OperationNodeTransformer {
  readonly #prefix: string;
  readonly #tables = new Set<string>();
  readonly #ctes = new Set<string>();

  constructor(prefix: string) {
    super();
    this.#prefix = prefix;
  }

  protected override transformNodeImpl<T extends OperationNode>(node: T, queryId?: QueryId): T {
    if (!QUERY_NODES.has(node.kind)) return super.transformNodeImpl(node, queryId);
    const ctes = this.#newNames(cteNames(node), this.#ctes);
    const tables = this.#newNames(
      tableNames(node).filter((name) => !this.#ctes.has(name)),
      this.#tables,
    );
    try {
      return super.transformNodeImpl(node, queryId);
    } finally {
      for (const name of tables) this.#tables.delete(name);
      for (const name of ctes) this.#ctes.delete(name);
    }
  }

  protected override transformTable(node: TableNode, queryId?: QueryId): TableNode {
    const transformed = super.transformTable(node, queryId);
    const { identifier } = transformed.table;
    if (!this.#tables.has(identifier.name)) return transformed;
    return this.#prefixed(transformed);
  }

  // A foreign key always names a real table.
  protected override transformReferences(node: ReferencesNode, queryId?: QueryId): ReferencesNode {
    const transformed = super.transformReferences(node, queryId);
    return { ...transformed, table: this.#prefixed(node.table) };
  }

  // Index names are per schema in PostgreSQL: two environments' "idx_accounts_owner" would collide.
  protected override transformCreateIndex(node: CreateIndexNode, queryId?: QueryId): CreateIndexNode {
    const transformed = super.transformCreateIndex(node, queryId);
    return { ...transformed, name: IdentifierNode.create(this.#prefix + transformed.name.name) };
  }

  protected override transformDropIndex(node: DropIndexNode, queryId?: QueryId): DropIndexNode {
    const transformed = super.transformDropIndex(node, queryId);
    const { identifier } = transformed.name;
    return {
      ...transformed,
      name: { ...transformed.name, identifier: IdentifierNode.create(this.#prefix + identifier.name) },
    };
  }

  #prefixed(node: TableNode): TableNode {
    const { identifier } = node.table;
    return { ...node, table: { ...node.table, identifier: IdentifierNode.create(this.#prefix + identifier.name) } };
  }

  /** Adds `names` to `into`, returning those that were not there (to remove when the query is done). */
  #newNames(names: readonly string[], into: Set<string>): string[] {
    const added = names.filter((name) => !into.has(name));
    for (const name of added) into.add(name);
    return added;
  }
}

function cteNames(node: OperationNode): string[] {
  const { with: withNode } = node as { with?: WithNode };
  return withNode ? withNode.expressions.map((expression) => expression.name.table.table.identifier.name) : [];
}

/** The tables `node` names itself (not those of nested queries). */
function tableNames(node: OperationNode): string[] {
  const names: string[] = [];
  const add = (expression: OperationNode | undefined): void => {
    if (!expression) return;
    if (TableNode.is(expression)) names.push(expression.table.identifier.name);
    else if (AliasNode.is(expression)) add(expression.node);
    else if (JoinNode.is(expression)) add(expression.table);
    else if (ListNode.is(expression)) for (const item of expression.items) add(item);
    else if (UsingNode.is(expression)) for (const table of expression.tables) add(table);
  };
  const query = node as {
    from?: { froms: readonly OperationNode[] };
    into?: OperationNode;
    table?: OperationNode;
    joins?: readonly JoinNode[];
    using?: OperationNode;
    renameTo?: OperationNode;
    parameters?: readonly OperationNode[];
  };
  for (const from of query.from?.froms ?? []) add(from);
  add(query.into);
  add(query.table);
  for (const join of query.joins ?? []) add(join);
  add(query.using);
  add(query.renameTo);
  // Raw SQL: `sql.table('accounts')` is a table by definition.
  for (const parameter of node.kind === 'RawNode' ? (query.parameters ?? []) : []) {
    if (TableNode.is(parameter)) add(parameter);
  }
  return names;
}

/**
 * Puts the environment's prefix on every table (and index) name, so
 * environments sharing one database keep apart while application queries
 * name tables plainly: `selectFrom('accounts')` reads `stg_accounts`.
 */
export class TablePrefixPlugin implements KyselyPlugin {
  // One transformer for every query: its walk is synchronous and leaves its name sets empty.
  readonly #transformer: PrefixTransformer;

  constructor(prefix: string) {
    this.#transformer = new PrefixTransformer(prefix);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
