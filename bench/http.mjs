#!/usr/bin/env node
// Benchmark: what the envward Fastify plugin costs per request, against bare
// Fastify and against the stack a user would assemble by hand for the same features.
//
// What it measures
// - Five servers, each in its own child process (so the load generator in
//   this process and the server under load each get a core), all answering
//   `GET /hello` with `{"hello":"world"}` and none logging:
//   * bare: `Fastify()`;
//   * same headers: bare Fastify whose one hook sets the very headers the
//     plugin's responses carry (a fresh UUID as X-Request-Id), and nothing
//     else: the physical limit of what the plugin must send. Its gap to bare
//     is what the bytes of those headers cost; the gap between it and the
//     plugin is the plugin's own work;
//   * plugin: Fastify made with envwardServerOptions(config) and the whole
//     plugin in `production`: X-Environment, request ids, security headers,
//     CORS as configured, request metrics, the in-memory rate limit (limit
//     10^9, so it counts but never refuses), the JSON error handler,
//     readiness checks in the background;
//   * by hand, defaults: what a user assembles for the same features without
//     envward: @fastify/helmet, @fastify/cors, @fastify/rate-limit (in memory,
//     max 10^9), prom-client's default metrics plus a Counter and a Histogram
//     observed per request, and a request-id hook (a fresh UUID as
//     X-Request-Id); every plugin with its default options;
//   * by hand, same headers: the same stack configured to send the plugin's
//     exact headers (helmet with the plugin's header set, no X-RateLimit-*
//     before the limit, CORS exposing the same headers, X-Environment set by
//     the request-id hook). Checked at start: its header set must equal the plugin's.
// - Each server set runs twice: without CORS origins (the production
//   default: no CORS headers; by-hand defaults gets @fastify/cors' own
//   default, `*`) and with CORS origins configured (every request carries an
//   allowed Origin; the plugin and both by-hand stacks allow that one origin).
// - The environment is `production` of a generated project in
//   bench/.work/http/ (HSTS on, `http.rateLimit.max` 10^9). No store is
//   opened: the hello route does not touch the database. NODE_EXTRA_CA_CERTS
//   is unset in the server children (it only slows their start).
// - autocannon (programmatic, in this process), --connections keep-alive
//   connections, no pipelining. Each server gets a warm-up run, then --rounds
//   rounds of --duration seconds each, all ten servers in rotating order, so
//   the ratios compare servers measured at the same moments. Every response
//   must be a 200 or the run stops. On Linux the servers' CPU time per
//   request (user + system, from /proc) is reported too: it is steadier
//   than req/s on a shared machine, and it is what a server-bound service pays.
// - Printed per CORS mode: median req/s and CPU µs per request of each
//   server; plugin / same headers in req/s and in CPU (same headers' CPU /
//   plugin's, so ≥ 0.95 is good for both: goal), plugin / by hand.
//
// Rerun: npm run build && npm run bench:http [-- --rounds 4 --duration 4 --connections 50 --json]
// One server alone, e.g. to profile it: node --cpu-prof bench/http.mjs --serve plugin [--cors] (prints its port; Ctrl-C stops it)
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work', 'http');
const SELF = fileURLToPath(import.meta.url);
const ORIGIN = 'https://app.example.com';
const VARIANTS = ['bare', 'same-headers', 'plugin', 'hand-default', 'hand-same'];
const MODES = ['no-cors', 'cors'];
const LABELS = {
  bare: 'bare Fastify',
  'same-headers': 'bare Fastify + same headers',
  plugin: 'Fastify + envward plugin',
  'hand-default': 'by hand, default options',
  'hand-same': 'by hand, same headers',
};
/** Response headers every server sends anyway; the others are the plugin's. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'x-request-id']);
/** The plugin's helmet options in production (src/http/settings.ts, API defaults with HSTS), for by-hand, same headers. */
const PLUGIN_HELMET = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: true },
  xContentTypeOptions: true,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

const { values: args } = parseArgs({
  options: {
    serve: { type: 'string' },
    cors: { type: 'boolean', default: false },
    headers: { type: 'string', default: '{}' },
    rounds: { type: 'string', default: '4' },
    duration: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});

/** The stack a user assembles without envward; `same` configures it to send the plugin's headers. */
async function handAssembled(Fastify, same, withCors, environmentHeader) {
  const [{ default: helmet }, { default: cors }, { default: rateLimit }, prom] = await Promise.all([
    import('@fastify/helmet'),
    import('@fastify/cors'),
    import('@fastify/rate-limit'),
    import('prom-client'),
  ]);
  const app = Fastify({ genReqId: () => randomUUID() });
  await app.register(helmet, same ? PLUGIN_HELMET : {});
  if (withCors) {
    await app.register(cors, {
      origin: [ORIGIN],
      ...(same ? { exposedHeaders: ['x-environment', 'x-request-id', 'retry-after'] } : {}),
    });
  } else {
    // Defaults: any origin (`*`); the plugin's production default: no CORS headers.
    await app.register(cors, same ? { origin: false } : {});
  }
  const off = { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false };
  await app.register(rateLimit, { max: 1e9, ...(same ? { addHeadersOnExceeding: off } : {}) });
  prom.collectDefaultMetrics();
  const labelNames = ['route', 'method', 'status_code'];
  const requests = new prom.Counter({ name: 'http_requests_total', help: 'requests', labelNames });
  const duration = new prom.Histogram({ name: 'http_request_duration_seconds', help: 'latency', labelNames });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (same) reply.header('x-environment', environmentHeader);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = { route: request.routeOptions.url ?? '', method: request.method, status_code: reply.statusCode };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  return app;
}

/** Child: one server on an ephemeral port; tells the parent the port (or prints it when run alone). */
async function serve(variant, withCors) {
  const { default: Fastify } = await import('fastify');
  let app;
  if (variant === 'plugin') {
    const { resolveConfig } = await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href);
    const { envwardFastify, envwardServerOptions } = await import(pathToFileURL(join(ROOT, 'dist', 'fastify.js')).href);
    const env = withCors ? 'production-cors' : 'production';
    const config = await resolveConfig({ cwd: WORK, env, variables: {}, hostname: 'bench-host' });
    app = Fastify(envwardServerOptions(config));
    await app.register(envwardFastify, { config, version: 'bench' });
  } else if (variant.startsWith('hand-')) {
    app = await handAssembled(Fastify, variant === 'hand-same', withCors, JSON.parse(args.headers)['x-environment']);
  } else {
    app = Fastify();
    if (variant === 'same-headers') {
      const headers = JSON.parse(args.headers);
      app.addHook('onRequest', (_request, reply, done) => {
        reply.headers(headers);
        reply.header('x-request-id', randomUUID());
        done();
      });
    }
  }
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address();
  if (process.send) process.send({ port });
  else console.log(`${variant}${withCors ? ' (CORS)' : ''} on http://127.0.0.1:${port}/hello`);
  const stop = () => app.close().then(() => process.exit(0));
  process.on('disconnect', stop);
  process.on('SIGINT', stop);
}

function writeProject() {
  for (const env of ['production', 'production-cors']) {
    mkdirSync(join(WORK, 'config', 'environments', env), { recursive: true });
  }
  writeFileSync(
    join(WORK, 'envward.config.ts'),
    `import { defineConfig, http, z } from 'envward';
export default defineConfig({
  use: [http],
  environments: { 'production-cors': { tier: 'production' } },
  schema: z.object({
    app: z.object({ name: z.string().default('bench') }),
  }),
});
`,
  );
  writeFileSync(join(WORK, 'config', 'base.yml'), 'app:\n  name: bench\n');
  const limit = 'http:\n  rateLimit:\n    max: 1000000000\n';
  writeFileSync(join(WORK, 'config', 'environments', 'production', 'settings.yml'), limit);
  writeFileSync(
    join(WORK, 'config', 'environments', 'production-cors', 'settings.yml'),
    `${limit}  cors:\n    origins: ['${ORIGIN}']\n`,
  );
}

/** The server children's environment: without NODE_EXTRA_CA_CERTS (certificate loading at start, nothing per request). */
function childEnv() {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

function start(variant, mode, headers = {}) {
  const argv = ['--serve', variant, '--headers', JSON.stringify(headers), ...(mode === 'cors' ? ['--cors'] : [])];
  return new Promise((resolve, reject) => {
    const child = fork(SELF, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: childEnv() });
    child.once('message', (message) =>
      resolve({ child, mode, url: `http://127.0.0.1:${message.port}/hello`, label: `${variant}/${mode}` }),
    );
    child.once('exit', (code) => reject(new Error(`${variant} (${mode}) server exited (${code}) before listening`)));
  });
}

const requestHeaders = (mode) => (mode === 'cors' ? { origin: ORIGIN } : {});

/** A response's headers, without those every server sends anyway. */
async function ownHeaders(server) {
  const response = await fetch(server.url, { headers: requestHeaders(server.mode) });
  return Object.fromEntries([...response.headers].filter(([name]) => !OWN_HEADERS.has(name)));
}

/** CPU milliseconds (user + system) a process has used so far; undefined where /proc is missing. */
function cpuMs(pid) {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks of 10 ms
}

async function load(server, seconds) {
  const { default: autocannon } = await import('autocannon');
  const before = cpuMs(server.child.pid);
  const result = await autocannon({
    url: server.url,
    connections: Number(args.connections),
    duration: seconds,
    headers: requestHeaders(server.mode),
  });
  const after = cpuMs(server.child.pid);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${server.label}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const requests = result.requests.total;
  return {
    perSecond: requests / seconds,
    cpuMicros: before === undefined ? undefined : ((after - before) * 1000) / requests,
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Starts the five servers of one CORS mode; checks that both same-headers servers send the plugin's header set. */
async function startMode(mode, out) {
  const servers = { plugin: await start('plugin', mode) };
  const headers = await ownHeaders(servers.plugin);
  out(`plugin headers (${mode}): ${Object.keys(headers).join(', ')}, x-request-id`);
  servers.bare = await start('bare', mode);
  servers['same-headers'] = await start('same-headers', mode, headers);
  servers['hand-default'] = await start('hand-default', mode);
  servers['hand-same'] = await start('hand-same', mode, { 'x-environment': headers['x-environment'] });
  const expected = JSON.stringify(Object.entries(headers).sort());
  for (const variant of ['same-headers', 'hand-same']) {
    const actual = Object.entries(await ownHeaders(servers[variant])).sort();
    if (JSON.stringify(actual) !== expected) {
      throw new Error(`${variant} (${mode}) does not send the plugin's headers: ${JSON.stringify(actual)}`);
    }
  }
  return servers;
}

function report(mode, summary, out) {
  const ratio = (a, b) => summary[a].perSecond / summary[b].perSecond;
  const cpuRatio = (a, b) => summary[b].cpuMicros / summary[a].cpuMicros;
  out('');
  out(mode === 'cors' ? `With CORS origins (Origin: ${ORIGIN} allowed)` : 'Without CORS origins');
  out('| server                      | median req/s | server CPU µs/request |');
  out('| --------------------------- | ------------ | --------------------- |');
  for (const variant of VARIANTS) {
    const { perSecond, cpuMicros } = summary[variant];
    out(
      `| ${LABELS[variant].padEnd(27)} | ${perSecond.toFixed(0).padStart(12)} | ${(cpuMicros?.toFixed(1) ?? 'n/a').padStart(21)} |`,
    );
  }
  const ratios = {
    pluginOverSameHeaders: ratio('plugin', 'same-headers'),
    pluginOverSameHeadersCpu: cpuRatio('plugin', 'same-headers'),
    pluginOverBare: ratio('plugin', 'bare'),
    sameHeadersOverBare: ratio('same-headers', 'bare'),
    pluginOverHandDefault: ratio('plugin', 'hand-default'),
    pluginOverHandSame: ratio('plugin', 'hand-same'),
  };
  const met = ratios.pluginOverSameHeaders >= 0.95 && ratios.pluginOverSameHeadersCpu >= 0.95;
  const f = (value) => (Number.isFinite(value) ? value.toFixed(3) : 'n/a');
  out('');
  out(`plugin / same headers: ${f(ratios.pluginOverSameHeaders)} req/s, ${f(ratios.pluginOverSameHeadersCpu)} CPU`);
  out(`  (goal ≥ 0.95 in both: ${met ? 'met' : 'not met'})`);
  out(`plugin / by hand, defaults: ${f(ratios.pluginOverHandDefault)} req/s`);
  out(`plugin / by hand, same headers: ${f(ratios.pluginOverHandSame)} req/s`);
  out(`plugin / bare: ${f(ratios.pluginOverBare)}; same headers / bare: ${f(ratios.sameHeadersOverBare)}`);
  return { ...ratios, met };
}

async function main() {
  const out = args.json ? (line = '') => process.stderr.write(`${line}\n`) : (line = '') => console.log(line);
  if (!existsSync(join(ROOT, 'dist', 'fastify.js'))) {
    console.error('dist/fastify.js is missing: run `npm run build` first.');
    process.exit(1);
  }
  writeProject();
  const rounds = Number(args.rounds);
  const duration = Number(args.duration);
  out('envward HTTP benchmark: GET /hello on bare Fastify, bare Fastify sending the same headers,');
  out('Fastify with the envward plugin (production, in-memory rate limit) and the same features assembled by hand');
  out(
    `node ${process.version}, ${args.connections} connections, ${rounds} rounds of ${duration} s, servers in child processes`,
  );
  const servers = {};
  try {
    for (const mode of MODES) {
      for (const [variant, server] of Object.entries(await startMode(mode, out)))
        servers[`${mode}:${variant}`] = server;
    }
    const keys = MODES.flatMap((mode) => VARIANTS.map((variant) => `${mode}:${variant}`));
    for (const key of keys) await load(servers[key], Number(args.warmup));
    const figures = Object.fromEntries(keys.map((key) => [key, []]));
    for (let round = 0; round < rounds; round++) {
      const order = keys.map((_, index) => keys[(index + round * 3) % keys.length]);
      for (const key of order) figures[key].push(await load(servers[key], duration));
      out(
        `  round ${round + 1}: ${keys.map((key) => `${key} ${figures[key].at(-1).perSecond.toFixed(0)}`).join(', ')}`,
      );
    }
    const results = {};
    for (const mode of MODES) {
      const summary = Object.fromEntries(
        VARIANTS.map((variant) => {
          const runs = figures[`${mode}:${variant}`];
          const cpu = runs.map((figure) => figure.cpuMicros).filter((value) => value !== undefined);
          return [
            variant,
            {
              perSecond: median(runs.map((figure) => figure.perSecond)),
              cpuMicros: cpu.length > 0 ? median(cpu) : undefined,
            },
          ];
        }),
      );
      results[mode] = { summary, ratios: report(mode, summary, out) };
    }
    out('');
    out(
      `goal (plugin ≥ 0.95 × same headers, req/s and CPU, with and without CORS): ${MODES.every((mode) => results[mode].ratios.met) ? 'met' : 'not met'}`,
    );
    if (args.json) console.log(JSON.stringify({ results, rounds: figures }));
  } finally {
    for (const { child } of Object.values(servers)) child.disconnect();
  }
}

if (args.serve) await serve(args.serve, args.cors);
else await main();
