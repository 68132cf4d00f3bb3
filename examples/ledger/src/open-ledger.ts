/**
 * Brings the ledger up through envward: resolve the environment's config,
 * open its stamped store (refused when the database is another
 * environment's), migrate, seed, follow the environment's runtime config
 * revisions (`envward config set`), and open the payment gateway for the
 * tier (a mock in development and test, the sandbox or live provider through
 * envward's outbound client elsewhere). The server, the admin command, the
 * tests and the load test all start here.
 */
import { fileURLToPath } from 'node:url';
import { type ForceOverride, type ResolvedConfig, resolveConfig } from 'envward';
import { migrateUp, migrationStatus, runSeeds } from 'envward/migrate';
import { type LiveConfig, openLiveConfig, withLatestRevision } from 'envward/runtime';
import { openStore, type Store } from 'envward/store';
import type { LedgerConfig } from '../envward.config.js';
import { type Deposits, deposits } from './deposits.js';
import { type Interest, interest } from './interest.js';
import { type Ledger, ledger } from './ledger.js';
import { LedgerError } from './ledger-error.js';
import { openPaymentGateway, type PaymentGateway } from './payment-gateway.js';
import type { LedgerDatabase } from './schema.js';

/** The ledger project's directory (its envward.config.ts, config/, migrations/, seeds/). */
export const LEDGER_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface OpenLedgerOptions {
  /** The environment (default: detected, as envward always does). */
  readonly env?: string;
  /** The project directory (default: this example's); a copy with its own secrets, in tests. */
  readonly root?: string;
  /** Process variables (default `process.env`): DATABASE_URL, PORT, PAYMENTS_BASE_URL, ENVWARD_ENV... */
  readonly variables?: Readonly<Record<string, string | undefined>>;
  /** Run seeds/<env>/ after migrating (default true). */
  readonly seed?: boolean;
  /** Lets a refused guard through; needs a reason and is audited. */
  readonly force?: ForceOverride;
  /**
   * Where slow queries, outbound retries, config revisions applied or
   * refused and the like are reported; or a function that makes that logger
   * from the environment's configuration once it is resolved (the server's
   * `createLogger`), so nothing from the start is lost.
   */
  readonly logger?: LedgerLogger | ((resolved: ResolvedConfig<LedgerConfig>) => Promise<LedgerLogger>);
  /**
   * Follows the environment's runtime config revisions (default true), so
   * `ledger.transferLimit` and the HTTP plugin's live keys change without a
   * restart. The admin command, which runs once, reads them at start only.
   */
  readonly live?: boolean;
  /** Opens the payment gateway (default true); the admin command needs none. */
  readonly gateway?: boolean;
  /** Applies pending migrations (default true); the admin command works on the schema as it is. */
  readonly migrate?: boolean;
  /**
   * Opens only a database that exists, never stamping or creating one (the
   * admin command): 'read' read-only, 'write' writable. Default: the
   * service's open, which stamps a new database for its environment.
   */
  readonly existing?: 'read' | 'write';
}

/** Where the ledger reports: a pino logger, or anything with its `info` and `warn`. */
export interface LedgerLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface LedgerRuntime {
  /**
   * The configuration at start: the files' with the environment's latest
   * runtime revision applied. Restart-only keys keep these values for the
   * life of the process; live ones are read through `live`.
   */
  readonly resolved: ResolvedConfig<LedgerConfig>;
  readonly config: ResolvedConfig<LedgerConfig>['values'];
  /** The configuration following runtime revisions (the HTTP plugin takes it); undefined with `live: false`, when `resolved` has the latest revision at start. */
  readonly live: LiveConfig<LedgerConfig> | undefined;
  readonly store: Store<LedgerDatabase>;
  readonly ledger: Ledger;
  readonly deposits: Deposits;
  readonly interest: Interest;
  readonly gateway: PaymentGateway;
  readonly migrated: readonly string[];
  /** The backup taken before migrating (protected tiers), if any. */
  readonly backup: string | undefined;
  readonly seeded: readonly string[];
  close(): Promise<void>;
}

const NO_GATEWAY: PaymentGateway = {
  mode: 'mock',
  collect: async () => {
    throw new Error('this ledger was opened without a payment gateway');
  },
  close: async () => {},
};

/** A gateway key set by a runtime revision: the gateway is opened again with it. */
const GATEWAY_KEYS = /^integrations\.payments\./;

export async function openLedger(options: OpenLedgerOptions = {}): Promise<LedgerRuntime> {
  const files = await resolveConfig<LedgerConfig>({
    cwd: options.root ?? LEDGER_ROOT,
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.variables !== undefined ? { variables: options.variables } : {}),
    ...(options.force !== undefined ? { force: options.force } : {}),
  });
  const logger = typeof options.logger === 'function' ? await options.logger(files) : options.logger;
  const openGateway = (resolved: ResolvedConfig<LedgerConfig>) =>
    options.gateway === false ? Promise.resolve(NO_GATEWAY) : openPaymentGateway(resolved, logger ? { logger } : {});
  // The gateway first: a staging or production that cannot reach it is refused before its database is touched.
  let gateway = await openGateway(files);
  let store: Store<LedgerDatabase> | undefined;
  let live: LiveConfig<LedgerConfig> | undefined;
  try {
    // Where the store is cannot be set by a revision (the revisions live in it): the files' config opens it.
    store = await openStore<LedgerDatabase>(files, {
      ...(options.existing !== undefined ? { stampMode: 'read', writable: options.existing === 'write' } : {}),
      ...(options.force !== undefined ? { force: options.force } : {}),
      ...(logger !== undefined ? { logger } : {}),
    });
    const opened = store;
    if (options.migrate === false) {
      const { pending } = await migrationStatus(opened as Store);
      if (pending.length > 0) {
        throw new LedgerError(
          'LEDGER_NOT_MIGRATED',
          500,
          `${files.environment.name}'s ledger database has ${pending.length} migration(s) pending (${pending[0]}…): start the service, or run \`envward migrate up --env ${files.environment.name}\`, first`,
        );
      }
    }
    const { applied, backup } =
      options.migrate === false ? { applied: [], backup: undefined } : await migrateUp(opened as Store);
    const seeded = options.seed === false ? [] : (await runSeeds(opened as Store)).ran;
    if (options.live !== false) live = await openLiveConfig(files, opened as Store, logger ? { logger } : {});
    const following = live;
    // The start revision's values of restart-only keys hold until the next start; live ones are read per use.
    const resolved = following?.current ?? (await withLatestRevision(files, opened as Store)).resolved;
    const config = resolved.values;
    const setByRevision = (key: string) => resolved.explain(key).winner?.source.layer === 'runtime-revisions';
    if (resolved.keys.some((key) => GATEWAY_KEYS.test(key) && setByRevision(key))) {
      await gateway.close();
      gateway = await openGateway(resolved);
    }
    const nextId = (kind: 'txn' | 'acc' | 'cus' | 'dep') => opened.ids.next(kind);
    const theLedger = ledger(opened.db, {
      transferLimit: following ? () => following.values.ledger.transferLimit : () => config.ledger.transferLimit,
      defaultOverdraft: config.ledger.defaultOverdraft,
      currencies: config.ledger.currencies,
      idempotencyTtlMs: config.ledger.idempotencyTtlHours * 3_600_000,
      environment: resolved.environment.name,
      dialect: opened.dialect,
      nextId,
      audit: (event) => opened.audit.append(event),
    });
    const theGateway = gateway;
    return {
      resolved,
      config,
      live: following,
      store: opened,
      gateway: theGateway,
      migrated: applied,
      backup,
      seeded,
      ledger: theLedger,
      deposits: deposits(opened.db, theLedger, theGateway, { nextId }),
      interest: interest(opened.db, theLedger, { nextId }),
      close: async () => {
        await following?.close();
        await theGateway.close();
        await opened.close();
      },
    };
  } catch (error) {
    await live?.close();
    await gateway.close();
    await store?.close();
    throw error;
  }
}
