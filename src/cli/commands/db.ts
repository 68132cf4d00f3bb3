import type { Command } from 'commander';
import { resolveConfig } from '../../config/index.js';
import { openStore, type Store } from '../../store/index.js';
import { type CommonOptions, forceFrom, outputFor, setFrom, withCommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

/** Resolves the environment (host check applies: these commands act as it) and opens its store. */
export async function storeFor(
  options: CommonOptions,
  output: Output,
  stampMode: 'enforce' | 'inspect' | 'stamp' = 'enforce',
): Promise<Store> {
  const force = forceFrom(options);
  const resolved = await resolveConfig<unknown>({
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    set: setFrom(options),
    ...(force ? { force } : {}),
  });
  for (const warning of resolved.warnings) output.warn(warning);
  const store = await openStore(resolved, { ...(force ? { force } : {}), stampMode });
  for (const warning of store.warnings) output.warn(warning);
  for (const override of store.overrides) output.overrideWarning(override.guard, override.reason, override.message);
  return store;
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description("the environment's database: its stamp");

  withCommonOptions(db.command('status').description('where the database is and which environment it is stamped for'), {
    set: true,
  }).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const store = await storeFor(options, output, 'inspect');
    try {
      const { stamp, environment } = store;
      const matches = stamp?.environment === environment.name;
      output.result(
        { environment: environment.name, dialect: store.dialect, database: store.where, stamp: stamp ?? null, matches },
        () =>
          [
            `${environment.name}: ${store.where} (${store.dialect})`,
            stamp
              ? `  stamped for ${stamp.environment} (${stamp.tier})${stamp.project ? ` of project ${stamp.project}` : ''} on ${stamp.stampedAt} by ${stamp.actor}@${stamp.host}` +
                (matches
                  ? ''
                  : output.colors.red(`  -- not ${environment.name}'s: opening it as ${environment.name} is refused`))
              : `  not stamped${environment.protected ? `: run \`envward db stamp --env ${environment.name}\`` : ' (stamped on first open)'}`,
          ].join('\n'),
      );
      if (stamp && !matches) process.exitCode = EXIT.problem;
    } finally {
      await store.close();
    }
  });

  withCommonOptions(
    db
      .command('stamp')
      .description("record this environment as the database's owner (audited); another's stamp needs --force"),
    { set: true },
  ).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const store = await storeFor(options, output, 'stamp');
    try {
      output.result(
        { environment: store.environment.name, database: store.where, stamp: store.stamp ?? null },
        () => `${store.where} is stamped for ${store.stamp?.environment} (${store.stamp?.stampedAt})`,
      );
    } finally {
      await store.close();
    }
  });
}
