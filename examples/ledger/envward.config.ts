import { auth, database, defineConfig, http, integrations, live, log, z } from 'envward';
import { defineAnonymisation } from 'envward/data';
import { flags } from 'envward/flags';
import { defineJobs } from 'envward/jobs';
import { deploy } from 'envward/runtime';
import type { z as zod } from 'zod';
import { currencyExponent } from './src/money.js';

/** The nightly interest accrual: staging and production only, never development (the gate is code, not a setting). */
const jobs = defineJobs({
  interestAccrual: {
    schedule: '0 2 * * *',
    tiers: ['staging', 'production'],
    run: () => import('./src/interest-job.js'),
  },
});

/**
 * How the ledger's data may leave its environment (`envward data refresh --from production --to staging`,
 * docs/data.md): every column has a rule, and a column added without one stops the refresh. Names are faked
 * (one real name gets one fake, so a customer and their accounts still agree), emails and payment references
 * hashed; money, ids and times are kept, so balances and the journal are production's to the minor unit.
 */
const KEEP = 'keep';
const data = defineAnonymisation({
  customers: { id: KEEP, name: 'fake.person.fullName', email: 'hash.email', created_at: KEEP },
  accounts: {
    id: KEEP,
    customer_id: KEEP,
    owner: 'fake.person.fullName',
    kind: KEEP,
    currency: KEEP,
    balance: KEEP,
    overdraft_limit: KEEP,
    created_at: KEEP,
  },
  transfers: {
    id: KEEP,
    from_account: KEEP,
    to_account: KEEP,
    amount: KEEP,
    currency: KEEP,
    kind: KEEP,
    created_at: KEEP,
  },
  journal: { transfer_id: KEEP, side: KEEP, account_id: KEEP, amount: KEEP, created_at: KEEP },
  // Clients' keys and request fingerprints mean nothing outside production: staging starts with none.
  idempotency_records: 'skip',
  deposits: {
    id: KEEP,
    account_id: KEEP,
    amount: KEEP,
    currency: KEEP,
    status: KEEP,
    // The payment gateway's reference would find the real payment in the live gateway.
    gateway_reference: 'hash',
    transfer_id: KEEP,
    failure: KEEP,
    created_at: KEEP,
    updated_at: KEEP,
  },
  interest_accruals: {
    account_id: KEEP,
    day: KEEP,
    rate_bps: KEEP,
    balance: KEEP,
    amount: KEEP,
    carry: KEEP,
    transfer_id: KEEP,
    created_at: KEEP,
  },
});

/** The sample core-banking ledger: one schema, four environments, per-environment limits. */
export const config = defineConfig({
  project: 'envward-ledger',
  // A development-tier environment whose instances run as blue and green (docs/slots.md): two `npm start`s with
  // ENVWARD_SLOT=blue / green on two ports share its store; `envward deploy switch` moves readiness between them.
  environments: { 'slots-demo': { tier: 'development', slots: ['blue', 'green'] } },
  // envward's settings: the HTTP plugin, the logger, the store and the payment gateway (an integration:
  // mock in development and test, sandbox in staging, live in production), each with its tier defaults
  // (config explain <key> --env <env> shows them).
  use: [
    http,
    deploy,
    auth,
    log,
    database,
    integrations({ payments: {} }),
    jobs,
    data,
    // A preview of a proposed transfer fee (src/fee-preview.ts): off unless an environment turns it on.
    flags({ newFeeRule: { type: 'boolean', default: false, production: 'requires-reason' } }),
  ],
  schema: z.object({
    app: z.object({
      name: z.string().default('envward-ledger'),
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(3000),
      debug: z.boolean().default(false),
    }),
    ledger: z.object({
      // The largest single transfer or deposit, in whole units of its currency (1000: 1,000.00 EUR, 1,000 JPY).
      // Live: `envward config set ledger.transferLimit=N --env E --reason ...` applies to every running instance.
      transferLimit: live(z.number().int().positive().max(1_000_000_000)),
      // The overdraft a new customer account gets, in whole units; changed per account only by `npm run ledger:admin`.
      defaultOverdraft: z.number().int().min(0).max(1_000_000).default(0),
      currencies: z
        .array(z.string().regex(/^[A-Z]{3}$/))
        .min(1)
        .default(['EUR', 'USD', 'GBP']),
      // How long an Idempotency-Key is remembered (hours); after it, the key may start a new request.
      idempotencyTtlHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30)
        .default(24),
      // Yearly interest on positive balances, in basis points (the nightly job, jobs.interestAccrual).
      interestRateBps: z.number().int().min(0).max(10_000).default(150),
    }),
  }),
  variables: {
    'app.port': 'PORT',
    'integrations.payments.baseUrl': 'PAYMENTS_BASE_URL',
    'integrations.payments.apiKey': 'PAYMENTS_API_KEY',
  },
  // The test tier's JWT secret (tests sign their tokens with it): in code, as the test tier allows; staging and
  // production seal their own with `envward secrets set auth.jwt.secret` and refuse one from code.
  overrides: { test: { 'auth.jwt.secret': 'envward-ledger-test-tier-only-jwt-secret-0001' } },
  rules: [
    {
      name: 'currencies are ISO 4217',
      check: (values) =>
        values.ledger.currencies
          .filter((code) => currencyExponent(code) === undefined)
          .map((code) => ({ key: 'ledger.currencies', message: `${code} is not an ISO 4217 currency` })),
    },
  ],
  // The gateway's base URL (sandbox, live) and API key (a secret) are required in staging and production
  // by the integration's own rules; a mock there is refused (EW_RULE_INTEGRATION_MOCK).
});

export default config;

/** The ledger's configuration values, typed from the schema. */
export type LedgerConfig = zod.output<typeof config.schema>;
