import { database, defineConfig, http, secret, z } from 'envward';

/** The smallest service with envward's Fastify plugin: see app.mjs and docs/http.md. */
export default defineConfig({
  project: 'fastify-hello',
  // The plugin's settings (http.*) and the store's (database.*), with their tier defaults.
  use: [http, database],
  schema: z.object({
    app: z.object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(3000),
    }),
    greeting: z.object({
      apiKey: secret(z.string()).optional(),
    }),
  }),
  variables: { 'app.port': 'PORT' },
});
