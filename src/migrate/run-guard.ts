import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
  type QueryResult,
  type RootOperationNode,
  SqliteQueryCompiler,
  type UnknownRow,
} from 'kysely';
import type { StatementJudge } from './classify.js';
import { DestructiveMigrationError } from './migrate-errors.js';
import { vouched } from './plan.js';

export interface RunGuardContext {
  readonly dialect: 'sqlite' | 'postgres';
  readonly environment: string;
  readonly migration: string;
  readonly direction: 'up' | 'down';
  /** The migration's `safe` export: vouches for raw SQL envward cannot judge, never for a destructive statement. */
  readonly safeReason: string | undefined;
}

/**
 * Judges every statement of a migration as it is about to run, by the
 * plan's rules, and stops a destructive one before it reaches the
 * database. The plan runs a migration against a recorder whose reads
 * return no rows, so a migration that branches on data can plan harmless
 * statements and run a destructive one; this closes that gap in protected
 * environments run without an approval. The refusal sticks (`refusal`):
 * a migration that catches it still fails, and its transaction rolls back.
 */
export class RunGuardPlugin implements KyselyPlugin {
  #refusal: DestructiveMigrationError | undefined;
  readonly #judge: StatementJudge;
  readonly #context: RunGuardContext;
  readonly #compiler: SqliteQueryCompiler | PostgresQueryCompiler;

  constructor(judge: StatementJudge, context: RunGuardContext) {
    this.#judge = judge;
    this.#context = context;
    this.#compiler = context.dialect === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler();
  }

  /** The first destructive statement the migration tried to run, if any. */
  get refusal(): DestructiveMigrationError | undefined {
    return this.#refusal;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const compiled = this.#compiler.compileQuery(args.node, args.queryId);
    const planned = vouched(compiled.sql, this.#judge(compiled), this.#context.safeReason);
    if (planned.destructive) {
      const { environment, migration, direction } = this.#context;
      this.#refusal ??= new DestructiveMigrationError(
        environment,
        migration,
        compiled.sql,
        `${planned.why ?? 'destructive'}; the plan did not show it, the migration ran it`,
        direction,
      );
      throw this.#refusal;
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
