import { database, defineConfig, http, live, log, outbound, secret, z } from 'envward';
import { defineJobs } from 'envward/jobs';
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

/** The sample core-banking ledger: one schema, four environments, per-environment limits. */
export const config = defineConfig({
  project: 'envward-ledger',
  // envward's settings: the HTTP plugin, the logger, the store and the payment gateway's client,
  // each with its tier defaults (config explain <key> --env <env> shows them).
  use: [http, log, database, outbound('payments'), jobs],
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
    payments: z.object({
      // The payment gateway: a mock in development and test, never in staging or production.
      mode: z.enum(['mock', 'sandbox', 'live']).default('mock'),
      apiKey: secret(z.string().min(1)).optional(),
    }),
  }),
  variables: { 'app.port': 'PORT', 'outbound.payments.baseUrl': 'PAYMENTS_BASE_URL' },
  rules: [
    {
      name: 'no mock payment gateway in production',
      tiers: ['production'],
      check: (values) =>
        values.payments.mode === 'mock'
          ? [{ key: 'payments.mode', message: 'production must not run the payment gateway as a mock (use live)' }]
          : [],
    },
    {
      name: 'no mock payment gateway in staging',
      tiers: ['staging'],
      check: (values) =>
        values.payments.mode === 'mock'
          ? [{ key: 'payments.mode', message: 'staging rehearses production: use the sandbox gateway' }]
          : [],
    },
    {
      name: 'currencies are ISO 4217',
      check: (values) =>
        values.ledger.currencies
          .filter((code) => currencyExponent(code) === undefined)
          .map((code) => ({ key: 'ledger.currencies', message: `${code} is not an ISO 4217 currency` })),
    },
  ],
  required: {
    production: ['outbound.payments.baseUrl', 'payments.apiKey'],
    staging: ['outbound.payments.baseUrl'],
  },
});

export default config;

/** The ledger's configuration values, typed from the schema. */
export type LedgerConfig = zod.output<typeof config.schema>;
