import { defineConfig, secret, z } from 'envward';
import type { z as zod } from 'zod';

/** The sample core-banking ledger: one schema, four environments, per-environment limits. */
export const config = defineConfig({
  project: 'envward-ledger',
  schema: z.object({
    app: z.object({
      name: z.string().default('envward-ledger'),
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(3000),
      debug: z.boolean().default(false),
    }),
    log: z.object({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
    }),
    // sqlite:<path> (relative to this directory) or postgres://...; DATABASE_URL overrides it.
    database: z.object({
      url: z.string().min(1),
      poolSize: z.number().int().positive().default(10),
    }),
    ledger: z.object({
      // The largest single transfer, in minor units (cents).
      transferLimit: z.number().int().positive(),
      currencies: z.array(z.string().regex(/^[A-Z]{3}$/)).default(['EUR', 'USD', 'GBP']),
    }),
    payments: z.object({
      // The payment gateway: a mock in development and test, never in production.
      mode: z.enum(['mock', 'sandbox', 'live']).default('mock'),
      baseUrl: z.string().url().optional(),
      apiKey: secret(z.string()).optional(),
    }),
    jobs: z.object({
      interestAccrual: z.object({
        cron: z.string().default('0 2 * * *'),
        // Yearly interest on positive balances, in basis points.
        rateBps: z.number().int().min(0).max(10_000).default(150),
      }),
    }),
    http: z.object({
      rateLimit: z.object({
        max: z.number().int().positive().optional(),
        timeWindowMs: z.number().int().positive().optional(),
        redisUrl: z.string().optional(),
      }),
    }),
  }),
  variables: { 'app.port': 'PORT' },
  rules: [
    {
      name: 'no mock payment gateway in production',
      tiers: ['production'],
      check: (values) =>
        values.payments.mode === 'mock'
          ? [{ key: 'payments.mode', message: 'production must not run the payment gateway as a mock (use live)' }]
          : [],
    },
  ],
  required: { production: ['payments.baseUrl', 'payments.apiKey'], staging: ['payments.baseUrl'] },
});

export default config;

/** The ledger's configuration values, typed from the schema. */
export type LedgerConfig = zod.output<typeof config.schema>;
