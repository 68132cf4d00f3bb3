import { defineConfig, secret, z } from 'envward';

/** The smallest service with envward's Fastify plugin: see app.mjs and docs/http.md. */
export default defineConfig({
  project: 'fastify-hello',
  schema: z.object({
    app: z.object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(3000),
    }),
    database: z.object({
      url: z.string().min(1),
    }),
    greeting: z.object({
      apiKey: secret(z.string()).optional(),
    }),
    // The plugin's optional settings; each falls back to the tier's default when unset.
    http: z.object({
      bodyLimit: z.number().int().positive().optional(),
      cors: z.object({ origins: z.array(z.string()).optional() }),
      rateLimit: z.object({
        max: z.number().int().positive().optional(),
        timeWindowMs: z.number().int().positive().optional(),
        redisUrl: z.string().optional(),
      }),
    }),
  }),
  variables: { 'app.port': 'PORT' },
});
