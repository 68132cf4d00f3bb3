/**
 * Brings the ledger up through envward: resolve the environment's config,
 * open its stamped store (refused when the database is another
 * environment's), migrate, seed, and open the payment gateway for the tier
 * (a mock in development and test, the sandbox or live provider through
 * envward's outbound client elsewhere). The server, the admin command, the
 * tests and the load test all start here.
 */
import { fileURLToPath } from 'node:url';
import { type ForceOverride, type ResolvedConfig, resolveConfig } from 'envward';
import { migrateUp, migrationStatus, runSeeds } from 'envward/migrate';
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
  /** Slow queries, outbound retries and the like. */
  readonly logger?: { warn(object: Record<string, unknown>, message: string): void };
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

export interface LedgerRuntime {
  readonly resolved: ResolvedConfig<LedgerConfig>;
  readonly config: ResolvedConfig<LedgerConfig>['values'];
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

export async function openLedger(options: OpenLedgerOptions = {}): Promise<LedgerRuntime> {
  const resolved = await resolveConfig<LedgerConfig>({
    cwd: options.root ?? LEDGER_ROOT,
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.variables !== undefined ? { variables: options.variables } : {}),
    ...(options.force !== undefined ? { force: options.force } : {}),
  });
  const config = resolved.values;
  // The gateway first: a staging or production that cannot reach it is refused before its database is touched.
  const gateway =
    options.gateway === false
      ? NO_GATEWAY
      : await openPaymentGateway(resolved, options.logger ? { logger: options.logger } : {});
  let store: Store<LedgerDatabase> | undefined;
  try {
    store = await openStore<LedgerDatabase>(resolved, {
      ...(options.existing !== undefined ? { stampMode: 'read', writable: options.existing === 'write' } : {}),
      ...(options.force !== undefined ? { force: options.force } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
    const opened = store;
    if (options.migrate === false) {
      const { pending } = await migrationStatus(opened as Store);
      if (pending.length > 0) {
        throw new LedgerError(
          'LEDGER_NOT_MIGRATED',
          500,
          `${resolved.environment.name}'s ledger database has ${pending.length} migration(s) pending (${pending[0]}…): start the service, or run \`envward migrate up --env ${resolved.environment.name}\`, first`,
        );
      }
    }
    const { applied, backup } =
      options.migrate === false ? { applied: [], backup: undefined } : await migrateUp(opened as Store);
    const seeded = options.seed === false ? [] : (await runSeeds(opened as Store)).ran;
    const nextId = (kind: 'txn' | 'acc' | 'cus' | 'dep') => opened.ids.next(kind);
    const theLedger = ledger(opened.db, {
      transferLimit: config.ledger.transferLimit,
      defaultOverdraft: config.ledger.defaultOverdraft,
      currencies: config.ledger.currencies,
      idempotencyTtlMs: config.ledger.idempotencyTtlHours * 3_600_000,
      environment: resolved.environment.name,
      dialect: opened.dialect,
      nextId,
      audit: (event) => opened.audit.append(event),
    });
    return {
      resolved,
      config,
      store: opened,
      gateway,
      migrated: applied,
      backup,
      seeded,
      ledger: theLedger,
      deposits: deposits(opened.db, theLedger, gateway, { nextId }),
      interest: interest(opened.db, theLedger, { nextId }),
      close: async () => {
        await gateway.close();
        await opened.close();
      },
    };
  } catch (error) {
    await gateway.close();
    await store?.close();
    throw error;
  }
}
