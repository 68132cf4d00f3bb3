#!/usr/bin/env node
// Benchmark: what the envward Fastify plugin costs per request.
//
// What it measures
// - Three servers, each in its own child process (so the load generator in
//   this process and the server under load each get a core), all answering
//   `GET /hello` with `{"hello":"world"}` and none logging (no logger is given
//   to any of them, so Fastify's request logging is off in all three):
//   * bare: `Fastify()`;
//   * plugin: Fastify made with envwardServerOptions(config) and the whole
//     plugin registered: X-Environment, request ids (X-Request-Id made and
//     echoed), security headers, CORS as the environment sets it, the request
//     counter and latency histogram, the in-memory rate limit (limit 10^9, so
//     it counts but never refuses), the JSON error handler, readiness checks
//     in the background;
//   * same headers: bare Fastify whose one hook sets the very headers the
//     plugin's responses carry (a fresh UUID as X-Request-Id), and nothing
//     else. Its gap to bare is what the bytes of those headers cost (Node
//     writing them, the kernel, the client parsing them); the gap between it
//     and the plugin is the plugin's own work.
// - The environment is `production` of a generated project in
//   bench/.work/http/ (HSTS on, no CORS origin, `http.rateLimit.max` 10^9).
//   No store is opened: the hello route does not touch the database.
// - autocannon (programmatic, in this process), --connections keep-alive
//   connections, no pipelining. Each server gets a warm-up run, then --rounds
//   rounds of --duration seconds each, in rotating order. Every response must
//   be a 200 or the run stops. On Linux the servers' CPU time per request
//   (user + system, from /proc) is reported too: it is steadier than req/s
//   on a shared machine, and it is what a server-bound service pays.
// - Printed: the median req/s and CPU µs per request of each server, and the
//   ratio plugin / bare (goal ≥ 0.90).
//
// Rerun: npm run build && npm run bench:http [-- --rounds 6 --duration 5 --connections 50 --json]
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work', 'http');
const SELF = fileURLToPath(import.meta.url);
const VARIANTS = ['bare', 'same-headers', 'plugin'];
const LABELS = {
  bare: 'bare Fastify',
  'same-headers': 'bare Fastify + same headers',
  plugin: 'Fastify + envward plugin',
};
/** Response headers every server sends anyway; the others are the plugin's. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'x-request-id']);

const { values: args } = parseArgs({
  options: {
    serve: { type: 'string' },
    headers: { type: 'string', default: '{}' },
    rounds: { type: 'string', default: '6' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});

/** Child: one server on an ephemeral port; tells the parent the port. */
async function serve(variant) {
  const { default: Fastify } = await import('fastify');
  let app;
  if (variant === 'plugin') {
    const { resolveConfig } = await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href);
    const { envwardFastify, envwardServerOptions } = await import(pathToFileURL(join(ROOT, 'dist', 'fastify.js')).href);
    const config = await resolveConfig({ cwd: WORK, env: 'production', variables: {}, hostname: 'bench-host' });
    app = Fastify(envwardServerOptions(config));
    await app.register(envwardFastify, { config, version: 'bench' });
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
  process.send?.({ port: app.server.address().port });
  process.on('disconnect', () => app.close().then(() => process.exit(0)));
}

function writeProject() {
  mkdirSync(join(WORK, 'config', 'environments', 'production'), { recursive: true });
  writeFileSync(
    join(WORK, 'envward.config.ts'),
    `import { defineConfig, http, z } from 'envward';
export default defineConfig({
  use: [http],
  schema: z.object({
    app: z.object({ name: z.string().default('bench') }),
  }),
});
`,
  );
  writeFileSync(join(WORK, 'config', 'base.yml'), 'app:\n  name: bench\n');
  writeFileSync(
    join(WORK, 'config', 'environments', 'production', 'settings.yml'),
    'http:\n  rateLimit:\n    max: 1000000000\n',
  );
}

function start(variant, headers = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, ['--serve', variant, '--headers', JSON.stringify(headers)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (message) => resolve({ child, url: `http://127.0.0.1:${message.port}/hello` }));
    child.once('exit', (code) => reject(new Error(`${variant} server exited (${code}) before listening`)));
  });
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
  const result = await autocannon({ url: server.url, connections: Number(args.connections), duration: seconds });
  const after = cpuMs(server.child.pid);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${server.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
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

async function main() {
  const out = args.json ? (line = '') => process.stderr.write(`${line}\n`) : (line = '') => console.log(line);
  if (!existsSync(join(ROOT, 'dist', 'fastify.js'))) {
    console.error('dist/fastify.js is missing: run `npm run build` first.');
    process.exit(1);
  }
  writeProject();
  const rounds = Number(args.rounds);
  const duration = Number(args.duration);
  out('envward HTTP benchmark: GET /hello on bare Fastify, on bare Fastify sending the same headers,');
  out('and on Fastify with the envward plugin (production settings, in-memory rate limit)');
  out(
    `node ${process.version}, ${args.connections} connections, ${rounds} rounds of ${duration} s, servers in child processes`,
  );
  const servers = { plugin: await start('plugin') };
  const sample = await fetch(servers.plugin.url);
  const headers = Object.fromEntries([...sample.headers].filter(([name]) => !OWN_HEADERS.has(name)));
  servers.bare = await start('bare');
  servers['same-headers'] = await start('same-headers', headers);
  out(`plugin headers: ${Object.keys(headers).join(', ')}, x-request-id`);
  try {
    for (const variant of VARIANTS) await load(servers[variant], Number(args.warmup));
    const figures = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
    for (let round = 0; round < rounds; round++) {
      const order = VARIANTS.map((_, index) => VARIANTS[(index + round) % VARIANTS.length]);
      for (const variant of order) figures[variant].push(await load(servers[variant], duration));
      out(
        `  round ${round + 1}: ${VARIANTS.map((variant) => `${variant} ${figures[variant].at(-1).perSecond.toFixed(0)}`).join(', ')} req/s`,
      );
    }
    const summary = Object.fromEntries(
      VARIANTS.map((variant) => {
        const cpu = figures[variant].map((figure) => figure.cpuMicros).filter((value) => value !== undefined);
        return [
          variant,
          {
            perSecond: median(figures[variant].map((figure) => figure.perSecond)),
            cpuMicros: cpu.length > 0 ? median(cpu) : undefined,
          },
        ];
      }),
    );
    out('');
    out('| server                      | median req/s | server CPU µs/request |');
    out('| --------------------------- | ------------ | --------------------- |');
    for (const variant of VARIANTS) {
      const { perSecond, cpuMicros } = summary[variant];
      out(
        `| ${LABELS[variant].padEnd(27)} | ${perSecond.toFixed(0).padStart(12)} | ${(cpuMicros?.toFixed(1) ?? 'n/a').padStart(21)} |`,
      );
    }
    const ratio = summary.plugin.perSecond / summary.bare.perSecond;
    out('');
    out(`ratio plugin / bare: ${ratio.toFixed(3)} (goal ≥ 0.90: ${ratio >= 0.9 ? 'met' : 'not met'})`);
    out(`ratio same headers / bare: ${(summary['same-headers'].perSecond / summary.bare.perSecond).toFixed(3)}`);
    out(`ratio plugin / same headers: ${(summary.plugin.perSecond / summary['same-headers'].perSecond).toFixed(3)}`);
    if (args.json) console.log(JSON.stringify({ summary, ratio, rounds: figures }));
  } finally {
    for (const { child } of Object.values(servers)) child.disconnect();
  }
}

if (args.serve) await serve(args.serve);
else await main();
