import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { EnvironmentIds } from './environment-ids.js';

const WRITES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'MergeQueryNode', 'RawNode']);

/** Visits every string a write carries: values, value lists, raw SQL parameters. */
function visit(node: unknown, check: (value: string) => void): void {
  if (typeof node === 'string') {
    check(node);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) visit(item, check);
    return;
  }
  const record = node as Record<string, unknown>;
  switch (record.kind) {
    case 'ValueNode':
      visit(record.value, check);
      return;
    case 'PrimitiveValueListNode':
      visit(record.values, check);
      return;
    case 'RawNode':
      visit(record.parameters, check);
      return;
    // Names and operators, never values: not walked.
    case 'IdentifierNode':
    case 'TableNode':
    case 'ColumnNode':
    case 'ReferenceNode':
    case 'OperatorNode':
      return;
  }
  for (const key in record) if (key !== 'kind') visit(record[key], check);
}

/**
 * Refuses, before it reaches the database, any insert or update that carries
 * an id coded for another environment (EW_CROSS_ENV_ID). Reads pass
 * untouched; a write costs one walk of its own values.
 */
export class CrossEnvironmentIdPlugin implements KyselyPlugin {
  constructor(private readonly ids: EnvironmentIds) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (WRITES.has(args.node.kind)) visit(args.node, this.ids.assertOwn);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
