// The five-line envward service (docs/http.md): run `npm run build` at the
// repository root once, then `node app.mjs` in this directory.

import { resolveConfig } from 'envward';
import { envwardFastify, envwardServerOptions } from 'envward/fastify';
import { createLogger } from 'envward/observe';
import { openStore } from 'envward/store';
import Fastify from 'fastify';

const config = await resolveConfig();
const app = Fastify(envwardServerOptions(config, { logger: await createLogger(config) }));
await app.register(envwardFastify, { config, store: await openStore(config) });
app.get('/hello', async () => ({ hello: 'world' }));
await app.listen({ host: config.values.app.host, port: config.values.app.port });
