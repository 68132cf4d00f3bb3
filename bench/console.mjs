#!/usr/bin/env node
// Benchmark: what a console page costs, over real HTTP on 127.0.0.1, against
// a named peer in the same run: bare Fastify sending the very same page bytes
// (what any server-rendered admin page costs at the least). The difference
// is the console's own work per page: the session and role lookup in the
// store, the CSRF token, reading the environment (config with provenance,
// revisions, the audit log) and rendering. Login is argon2id by design
// (about 0.1-0.2 s, the point of a password hash).
// Goal (none in the issue): pages well under the 100 ms a person notices.
//
// Rerun: npm run build && npm run bench:console [-- --requests 200 --json]
// Generated files go to bench/.work/console/ (git-ignored).
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { addConsoleUser, startConsole } from '../dist/console.js';

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } },
});
const requests = Number(args.requests);
const root = join(import.meta.dirname, '.work', 'console');
rmSync(root, { recursive: true, force: true });
mkdirSync(join(root, 'node_modules'), { recursive: true });
symlinkSync(join(import.meta.dirname, '..'), join(root, 'node_modules', 'envward'));
writeFileSync(
  join(root, 'envward.config.ts'),
  `import { database, defineConfig, live, z } from 'envward';
export default defineConfig({
  project: 'console-bench',
  use: [database],
  schema: z.object({ app: z.object({ greeting: live(z.string().default('hello')), port: z.number().default(3000) }) }),
});
`,
);
mkdirSync(join(root, 'config', 'environments', 'development'), { recursive: true });
writeFileSync(
  join(root, 'config', 'environments', 'development', 'settings.yml'),
  'database:\n  url: sqlite:var/development.db\n',
);
const variables = { PATH: process.env.PATH };
const password = 'correct horse battery staple';
await addConsoleUser({ cwd: root, env: 'development', variables, name: 'ada', password, roles: 'development:admin' });
const running = await startConsole({ cwd: root, env: 'development', port: 0, variables });

const cookies = new Map();
const keep = (response) => {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
};
const cookie = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
const loginPage = await fetch(new URL('login', running.url));
keep(loginPage);
const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())[1];
const started = performance.now();
const login = await fetch(new URL('login', running.url), {
  method: 'POST',
  headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ _csrf: csrf, name: 'ada', password }).toString(),
  redirect: 'manual',
});
const loginMs = performance.now() - started;
keep(login);
if (login.status !== 303) throw new Error(`login answered ${login.status}`);

/** Median and p90 of `requests` sequential GETs of `url`. */
async function measure(url, headers = {}) {
  const times = [];
  let bytes = '';
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    const response = await fetch(url, { headers });
    bytes = await response.text();
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)], bytes };
}

const rows = [];
for (const path of ['env/development/config', 'env/development/revisions', 'env/development/audit', '']) {
  const page = await measure(new URL(path, running.url), { cookie: cookie() });
  // The peer: bare Fastify sending the same bytes, measured the same way in the same run.
  const bare = Fastify();
  bare.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page.bytes));
  const address = await bare.listen({ host: '127.0.0.1', port: 0 });
  const peer = await measure(`${address}/`);
  await bare.close();
  rows.push({
    page: `/${path}`,
    bytes: page.bytes.length,
    consoleMs: page.median,
    consoleP90Ms: page.p90,
    bareMs: peer.median,
    ratio: page.median / peer.median,
  });
}
await running.close();
rmSync(root, { recursive: true, force: true });

const machine = `${cpus().length} cores, load ${loadavg()[0].toFixed(2)}, node ${process.version}`;
if (args.json) {
  process.stdout.write(`${JSON.stringify({ machine, requests, loginMs, pages: rows }, null, 2)}\n`);
} else {
  process.stdout.write(`console pages over HTTP, ${requests} sequential requests each (${machine})\n`);
  process.stdout.write(`login (argon2id verify, session row): ${loginMs.toFixed(0)} ms\n`);
  for (const row of rows) {
    process.stdout.write(
      `${row.page.padEnd(28)} ${String(row.bytes).padStart(6)} B  console median ${row.consoleMs.toFixed(2)} ms (p90 ${row.consoleP90Ms.toFixed(2)})  bare Fastify, same bytes ${row.bareMs.toFixed(2)} ms  ratio ${row.ratio.toFixed(1)}x\n`,
    );
  }
}
