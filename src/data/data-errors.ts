import { EnvwardError } from '../errors.js';

/** A rule of defineAnonymisation is malformed (a name, a rule word, a faker method that does not exist). */
export class DataRuleError extends EnvwardError {
  constructor(where: string, problem: string) {
    super(
      'EW_DATA_RULE',
      'problem',
      `Anonymisation rule ${where}: ${problem}.`,
      'Fix the rule in defineAnonymisation of envward.config.ts (docs/data.md lists the rules).',
      { rule: where },
    );
  }
}

/** `data refresh` into a production-tier environment: never, whatever the reason. */
export class RefreshTargetError extends EnvwardError {
  constructor(target: string, tier: string) {
    super(
      'EW_REFRESH_TARGET',
      'refused',
      `data refresh into ${target} is refused: it is of the ${tier} tier, and a refresh never writes into production.`,
      'Refresh into a staging, test or development environment (--to staging).',
      { environment: target, tier },
    );
  }
}

/** Source and target are the same environment or the same database. */
export class RefreshSameDatabaseError extends EnvwardError {
  constructor(from: string, to: string, where: string) {
    super(
      'EW_REFRESH_SAME',
      'refused',
      from === to
        ? `data refresh from ${from} to ${to}: the source and the target are the same environment.`
        : `data refresh from ${from} to ${to}: both resolve to the same database (${where}); emptying the target would empty the source.`,
      `Give each environment its own database.url (\`envward db status --env ${to}\` shows where it points).`,
      { from, to, database: where },
    );
  }
}

/** Columns or tables without a rule, or rules naming what does not exist. */
export class RefreshUnruledError extends EnvwardError {
  readonly unruled: readonly string[];
  readonly unknown: readonly string[];

  constructor(environment: string, unruled: readonly string[], unknown: readonly string[]) {
    const parts = [
      ...(unruled.length > 0 ? [`no rule for ${unruled.join(', ')}`] : []),
      ...(unknown.length > 0 ? [`rules for what ${environment} does not have: ${unknown.join(', ')}`] : []),
    ];
    super(
      'EW_REFRESH_UNRULED',
      'refused',
      `Anonymisation rules do not match ${environment}'s tables: ${parts.join('; ')}. Nothing was copied.`,
      'Give every column a rule in defineAnonymisation of envward.config.ts (keep, null, hash, mask, fake.<module>.<method>, a function) or mark the table skip; remove or fix rules for columns that do not exist.',
      { environment, unruled, unknown },
    );
    this.unruled = unruled;
    this.unknown = unknown;
  }
}

/** Source and target do not have the same schema: migration heads differ, or the target lacks a table or column. */
export class RefreshSchemaError extends EnvwardError {
  constructor(from: string, to: string, problem: string, hint: string) {
    super('EW_REFRESH_SCHEMA', 'refused', `data refresh from ${from} to ${to} is refused: ${problem}.`, hint, {
      from,
      to,
    });
  }
}

/** Verification found source values that came through unchanged; the write was rolled back. */
export class RefreshLeakError extends EnvwardError {
  constructor(environment: string, leaks: readonly string[], act: 'refresh' | 'sanitise') {
    super(
      'EW_REFRESH_LEAK',
      'problem',
      `Verification found source values unchanged in ${environment} in ${leaks.join(', ')}: the ${act} was rolled back, nothing was written.`,
      'Give those columns a rule that rewrites them (hash, fake.<module>.<method>, null, mask) instead of keep; a column keeping what another column anonymises leaks it.',
      { environment, leaks },
    );
  }
}

/** `data sanitise` in an environment whose data is not for rewriting (protected, staging or production tier). */
export class SanitiseTargetError extends EnvwardError {
  constructor(environment: string, why: string) {
    super(
      'EW_SANITISE_TARGET',
      'refused',
      `data sanitise in ${environment} is refused: ${why}.`,
      'Sanitise only test, development or preview databases; to give staging anonymised data, run `envward data refresh --from production --to staging --reason ...`.',
      { environment },
    );
  }
}

/** Copying a table failed in the database (a constraint, a type); the write was rolled back. */
export class RefreshCopyError extends EnvwardError {
  constructor(table: string, environment: string, code: string, options: { cause?: unknown }) {
    super(
      'EW_REFRESH_COPY',
      'problem',
      `Copying ${table} into ${environment} failed${code ? ` (database error ${code})` : ''}: everything was rolled back, nothing was written.`,
      "The database's message is left out, as it may quote a row's values; refreshData() from code carries it as the error's cause. Check the rules' output fits the column (type, length, unique, foreign keys).",
      { table, environment, ...(code ? { sqlState: code } : {}) },
      options,
    );
  }
}
