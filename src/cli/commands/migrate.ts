import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { migrateDown, migrationPlan, migrationStatus, runSeeds } from '../../migrate/index.js';
import { proposeChange } from '../../runtime/index.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { setExitCode } from '../exit-status.js';
import { progressReporter } from '../progress.js';
import { storeFor } from './db.js';
import { actOrPropose } from './requests.js';

interface MigrateCliOptions extends CommonOptions {
  readonly allowDestructive?: boolean;
  readonly backup?: boolean;
  readonly wait?: string;
  readonly steps?: string;
}

function approvals(options: MigrateCliOptions) {
  const reason = options.reason ?? '';
  if ((options.allowDestructive || options.backup === false) && !reason.trim()) {
    throw new UsageError(
      `${options.allowDestructive ? '--allow-destructive' : '--no-backup'} needs --reason "..." (it is audited).`,
      'Example: --allow-destructive --reason "drop legacy column, approved in CHG-1234"',
    );
  }
  const wait = options.wait === undefined ? 60 : Number(options.wait);
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError(`--wait expects seconds, got "${options.wait}".`);
  return {
    ...(options.allowDestructive ? { allowDestructive: { reason } } : {}),
    ...(options.backup === false ? { noBackup: { reason } } : {}),
    waitMs: wait * 1000,
  };
}

function withRunOptions(command: Command): Command {
  return withCommonOptions(command, { set: true })
    .option('--allow-destructive', 'approve destructive statements in a protected environment (needs --reason)')
    .option('--no-backup', 'skip the backup of a protected environment (needs --reason)')
    .option('--wait <seconds>', 'how long to wait for another migrator', '60');
}

export function registerMigrateCommands(program: Command): void {
  const migrate = program.command('migrate').description('environment-aware migrations: status, plan, up, down');

  withCommonOptions(migrate.command('status').description('applied, pending, changed and missing migrations'), {
    set: true,
  }).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const store = await storeFor(options, output, 'read');
    try {
      const status = await migrationStatus(store);
      const broken = status.changed.length > 0 || status.missing.length > 0;
      output.result(
        {
          environment: store.environment.name,
          database: store.where,
          ...status,
          ...(broken ? { error: { code: 'EW_MIGRATION_CHECKSUM' } } : {}),
        },
        () =>
          [
            `${store.environment.name}: ${store.where}`,
            ...status.applied.map(
              (r) =>
                `  applied  ${r.name}  ${r.applied_at} by ${r.actor}@${r.host}` +
                (status.changed.includes(r.name)
                  ? output.colors.red('  CHANGED since applied (EW_MIGRATION_CHECKSUM)')
                  : '') +
                (status.missing.includes(r.name)
                  ? output.colors.red('  MISSING from disk (EW_MIGRATION_CHECKSUM)')
                  : ''),
            ),
            ...status.pending.map((name) => `  pending  ${name}`),
            status.pending.length === 0 && status.applied.length === 0 ? '  no migrations' : '',
          ]
            .filter(Boolean)
            .join('\n'),
      );
      if (broken) setExitCode(EXIT.problem);
    } finally {
      await store.close();
    }
  });

  withCommonOptions(
    migrate.command('plan').description('the statements pending migrations would run, each flagged; runs nothing'),
    {
      set: true,
    },
  ).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const store = await storeFor(options, output, 'read');
    try {
      const plans = await migrationPlan(store);
      output.result(
        { environment: store.environment.name, protected: store.environment.protected, migrations: plans },
        () =>
          plans.length === 0
            ? 'nothing pending'
            : plans
                .map((plan) =>
                  [
                    `${plan.name}${plan.destructive ? output.colors.red('  DESTRUCTIVE') : ''}`,
                    ...plan.statements.map((s) =>
                      s.destructive
                        ? `  ${output.colors.red('destructive')}  ${s.sql}\n               (${s.why})`
                        : `  safe         ${s.sql}${s.why ? `\n               (${s.why})` : ''}`,
                    ),
                  ].join('\n'),
                )
                .join('\n'),
      );
    } finally {
      await store.close();
    }
  });

  withRunOptions(
    migrate.command('up').description('apply pending migrations (protected: backup first, destructive needs approval)'),
  ).action(async (options: MigrateCliOptions) => {
    const output = outputFor(options);
    const run = approvals(options);
    const store = await storeFor(options, output);
    try {
      // Where the policy covers migrations: run under an approved request, or propose one (with a reason).
      const { migrateUpWithApproval } = await import('../../requests/migration-approval.js');
      const result = await actOrPropose(
        output,
        () => migrateUpWithApproval(store, { ...run, onProgress: progressReporter(output) }),
        (env) =>
          proposeChange({
            ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
            env,
            change: { kind: 'migrate.destructive' },
            reason: options.reason ?? '',
          }),
      );
      if (!result) return;
      if (result.backup) output.warn(`backup before migrating: ${result.backup}`);
      if (result.backupAfter) output.warn(`backup after migrating: ${result.backupAfter}`);
      output.result({ environment: store.environment.name, ...result }, () =>
        result.applied.length === 0
          ? 'nothing to migrate'
          : `applied ${result.applied.length}: ${result.applied.join(', ')}`,
      );
    } finally {
      await store.close();
    }
  });

  withRunOptions(
    migrate.command('down').description('roll back the last migration (protected: refused without approval)'),
  )
    .option('--steps <n>', 'how many migrations to roll back', '1')
    .action(async (options: MigrateCliOptions) => {
      const output = outputFor(options);
      const run = approvals(options);
      const steps = Number(options.steps ?? 1);
      if (!Number.isInteger(steps) || steps < 1)
        throw new UsageError(`--steps expects a positive integer, got "${options.steps}".`);
      const store = await storeFor(options, output);
      try {
        const result = await migrateDown(store, { ...run, steps, onProgress: progressReporter(output) });
        if (result.backup) output.warn(`backup before rolling back: ${result.backup}`);
        output.result(
          { environment: store.environment.name, rolledBack: result.applied, backup: result.backup ?? null },
          () => (result.applied.length === 0 ? 'nothing to roll back' : `rolled back: ${result.applied.join(', ')}`),
        );
      } finally {
        await store.close();
      }
    });

  withCommonOptions(
    program.command('seed').description('run seeds/<env>/ for this environment only; twice adds nothing'),
    {
      set: true,
    },
  ).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const store = await storeFor(options, output);
    try {
      const result = await runSeeds(store);
      output.result({ environment: store.environment.name, ...result }, () =>
        [
          result.ran.length === 0 ? 'no seeds ran' : `ran ${result.ran.join(', ')}`,
          ...result.skipped.map((s) => `  skipped ${s.name}: ${s.why}`),
        ].join('\n'),
      );
    } finally {
      await store.close();
    }
  });
}
