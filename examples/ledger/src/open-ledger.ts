/**
 * Brings the ledger up through envward: resolve the environment's config,
 * open its stamped store (refused when the database is another
 * environment's), migrate, seed, and pick the payment gateway for the tier.
 * The server, the tests and the load test all start here.
 */
import { fileURLToPath } from 'node:url';
import {
  type ForceOverride,
  migrateUp,
  openStore,
  type ResolvedConfig,
  resolveConfig,
  runSeeds,
  type Store,
} from 'envward';
import type { LedgerConfig } from '../envward.config.js';
import { type Ledger, ledger } from './ledger.js';
import { type PaymentGateway, paymentGateway } from './payment-gateway.js';
import type { LedgerDatabase } from './schema.js';

/** The ledger project's directory (its envward.config.ts, config/, migrations/, seeds/). */
export const LEDGER_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface OpenLedgerOptions {
  /** The environment (default: detected, as envward always does). */
  readonly env?: string;
  /** Process variables (default `process.env`): DATABASE_URL, PORT, ENVWARD_ENV... */
  readonly variables?: Readonly<Record<string, string | undefined>>;
  /** Run seeds/<env>/ after migrating (default true). */
  readonly seed?: boolean;
  /** Lets a refused guard through; needs a reason and is audited. */
  readonly force?: ForceOverride;
  /** Slow-query logging and the like: passed to openStore. */
  readonly storeLogger?: { warn(object: unknown, message?: string): void };
}

export interface LedgerRuntime {
  readonly resolved: ResolvedConfig<LedgerConfig>;
  readonly config: ResolvedConfig<LedgerConfig>['values'];
  readonly store: Store<LedgerDatabase>;
  readonly ledger: Ledger;
  readonly gateway: PaymentGateway;
  readonly migrated: readonly string[];
  readonly seeded: readonly string[];
  close(): Promise<void>;
}

export async function openLedger(options: OpenLedgerOptions = {}): Promise<LedgerRuntime> {
  const resolved = await resolveConfig<LedgerConfig>({
    cwd: LEDGER_ROOT,
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.variables !== undefined ? { variables: options.variables } : {}),
    ...(options.force !== undefined ? { force: options.force } : {}),
  });
  const config = resolved.values;
  const store = await openStore<LedgerDatabase>(resolved, {
    ...(options.force !== undefined ? { force: options.force } : {}),
    ...(options.storeLogger !== undefined ? { logger: options.storeLogger } : {}),
  });
  try {
    const { applied } = await migrateUp(store as Store);
    const seeded = options.seed === false ? [] : (await runSeeds(store as Store)).ran;
    const gateway = paymentGateway({
      mode: config.payments.mode,
      tier: resolved.environment.tier,
      environment: resolved.environment.name,
      baseUrl: config.payments.baseUrl,
    });
    return {
      resolved,
      config,
      store,
      gateway,
      migrated: applied,
      seeded,
      ledger: ledger(store.db, {
        transferLimit: config.ledger.transferLimit,
        currencies: config.ledger.currencies,
        environment: resolved.environment.name,
        dialect: store.dialect,
        nextId: (kind) => store.ids.next(kind),
      }),
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
