import type { Command } from 'commander';
import { ConfigInvalidError } from '../../errors.js';
import { resolveConfig } from '../../resolution.js';
import { sameDatabase } from '../../store/database-identity.js';
import { openStore, type Store } from '../../store/index.js';
import { type CommonOptions, forceFrom, outputFor, setFrom, withCommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { setExitCode } from '../exit-status.js';
import type { Output } from '../output.js';

/** Resolves the environment (host check applies: these commands act as it) and opens its store. */
export async function storeFor(
  options: CommonOptions,
  output: Output,
  stampMode: 'enforce' | 'read' | 'inspect' | 'stamp' = 'enforce',
): Promise<Store> {
  const force = forceFrom(options);
  const resolved = await resolveConfig<unknown>({
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    set: setFrom(options),
    ...(force ? { force } : {}),
    // Inspecting where the database is needs its location, not every other key valid (an unset secret).
    ...(stampMode === 'inspect' ? { collectIssues: true } : {}),
  });
  for (const warning of resolved.warnings) output.warn(warning);
  const located = resolved.issues.filter((issue) => !issue.key.startsWith('database.'));
  if (located.length < resolved.issues.length) {
    throw new ConfigInvalidError(resolved.environment.name, resolved.issues);
  }
  if (located.length > 0) {
    output.warn(
      `${resolved.environment.name}'s configuration has ${located.length} other problem(s) (\`envward config validate --env ${resolved.environment.name}\` lists them); the database is shown all the same`,
    );
  }
  const store = await openStore(resolved, { ...(force ? { force } : {}), stampMode });
  for (const warning of store.warnings) output.warn(warning);
  for (const override of store.overrides) output.overrideWarning(override.guard, override.reason, override.message);
  return store;
}

/** How the database found compares with the one the stamp was made on. */
function identityNote(store: Store, same: boolean | null, refusedCopy: boolean, output: Output): string {
  const { stamp, identity, environment } = store;
  if (!stamp) return '';
  if (stamp.database === '') return ' (the stamp records none yet: recorded on the next open)';
  if (stamp.database === identity) return ' (as stamped)';
  if (same) return ` (stamped as ${stamp.database}: the same database)`;
  if (stamp.environment !== environment.name) return ` (stamped as ${stamp.database})`;
  return output.colors.red(
    `  -- stamped as ${stamp.database}: a copy or a move; ${
      refusedCopy
        ? `opening it as ${environment.name} is refused until \`envward db stamp --env ${environment.name}\``
        : 'recorded anew on the next open'
    }`,
  );
}

/** The `db` group (status, stamp); returned so that other db subcommands can be attached to it. */
export function registerDbCommands(program: Command): Command {
  const db = program.command('db').description("the environment's database: its stamp, backups and restores");

  withCommonOptions(db.command('status').description('where the database is and which environment it is stamped for'), {
    set: true,
  }).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const store = await storeFor(options, output, 'inspect');
    try {
      const { stamp, environment, identity } = store;
      const matches = stamp?.environment === environment.name;
      // null: nothing to compare (no stamp, or one made before stamps recorded the database).
      const same = stamp && stamp.database !== '' ? sameDatabase(stamp.database, identity) : null;
      const refusedCopy = matches && same === false && environment.protected;
      output.result(
        {
          environment: environment.name,
          dialect: store.dialect,
          database: store.where,
          identity,
          stamp: stamp ?? null,
          matches,
          sameDatabase: same,
          otherStamps: store.otherStamps.map(({ table, stamp }) => ({ table, stamp })),
          sharing: store.sharingRefusal
            ? { code: store.sharingRefusal.code, message: store.sharingRefusal.message }
            : null,
        },
        () =>
          [
            `${environment.name}: ${store.where} (${store.dialect})`,
            stamp
              ? `  stamped for ${stamp.environment} (${stamp.tier})${stamp.project ? ` of project ${stamp.project}` : ''} on ${stamp.stampedAt} by ${stamp.actor}@${stamp.host}` +
                (matches
                  ? ''
                  : output.colors.red(`  -- not ${environment.name}'s: opening it as ${environment.name} is refused`))
              : `  not stamped${environment.protected ? `: run \`envward db stamp --env ${environment.name}\`` : ' (stamped on first open)'}`,
            `  identity ${identity}${identityNote(store, same, refusedCopy, output)}`,
            ...store.otherStamps.map(
              ({ table, stamp: other }) => `  also stamped for ${other.environment} (${other.tier}) in ${table}`,
            ),
            ...(store.sharingRefusal
              ? [output.colors.red(`  -- ${store.sharingRefusal.code}: ${store.sharingRefusal.message}`)]
              : []),
          ].join('\n'),
      );
      if ((stamp && (!matches || refusedCopy)) || store.sharingRefusal) setExitCode(EXIT.problem);
    } finally {
      await store.close();
    }
  });

  withCommonOptions(
    db
      .command('stamp')
      .description(
        "record this environment as the database's owner, and where it is now (audited); another's stamp needs --force",
      ),
    { set: true },
  ).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const store = await storeFor(options, output, 'stamp');
    try {
      output.result(
        { environment: store.environment.name, database: store.where, stamp: store.stamp ?? null },
        () =>
          `${store.where} is stamped for ${store.stamp?.environment} (${store.stamp?.stampedAt}) as ${store.stamp?.database}`,
      );
    } finally {
      await store.close();
    }
  });
  return db;
}
