import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { cleanEnv } from '../support/run-cli.ts';

/*
 * envward as a new user gets it: `npm pack`, a fresh `npm init -y` project
 * (CommonJS), `npm install <tarball> zod`, no peers; then README's "Use it in
 * a project" list, run in order, which adds the store's peers on the way.
 *
 * Offline: tests must not need the network, and npm's cache (filled by
 * `npm ci`) holds tarballs but not the registry documents npm needs to
 * resolve a range. So every package the install needs is packed from this
 * clone's node_modules and served by a registry on 127.0.0.1 made for the
 * test (a document per package, its tarballs); npm is the real npm, pointed
 * at it with its own empty cache.
 */

const root = new URL('../../', import.meta.url).pathname;
const modules = join(root, 'node_modules');
const work = mkdtempSync(join(tmpdir(), 'envward-pack-'));
const project = join(work, 'project');
const tarballs = join(work, 'tarballs');
const npmCache = join(work, 'npm-cache');
const execFileAsync = promisify(execFile);
const env = cleanEnv({ XDG_CACHE_HOME: join(work, 'cache'), npm_config_update_notifier: 'false' });

function run(command: string, args: readonly string[], cwd = project) {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8' });
}

/** npm, asynchronously: the registry it talks to is served by this process. */
async function npm(args: readonly string[], cwd = project): Promise<string> {
  const flags = ['--no-audit', '--no-fund', '--loglevel=error', `--registry=${registryUrl}`, `--cache=${npmCache}`];
  try {
    return (await execFileAsync('npm', [...args, ...flags], { cwd, env, encoding: 'utf8' })).stdout;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    assert.fail(`npm ${args.join(' ')}\n${failure.stdout}\n${failure.stderr}`);
  }
}

/** The packages `names` need at run time, with their own dependencies, as found in node_modules. */
function closure(names: readonly string[]): string[] {
  const found = new Map<string, string>();
  const visit = (name: string, from: string) => {
    // Node's lookup: the nearest node_modules/<name> above the dependent.
    let dir = from;
    let location: string | undefined;
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        location = candidate;
        break;
      }
      if (dir === root || dir === dirname(dir)) break;
      dir = dirname(dir);
    }
    assert.ok(location, `${name} is not installed in this clone`);
    if (found.has(location)) return;
    found.set(location, name);
    const manifest = JSON.parse(readFileSync(join(location, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, location);
  };
  for (const name of names) visit(name, root);
  return [...found.keys()];
}

interface Packed {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly integrity: string;
  readonly shasum: string;
}

/** Each package's registry document: its versions' manifests, pointing at the packed tarballs. */
const published = new Map<string, Map<string, Record<string, unknown>>>();

/** Packs `dirs` and publishes them to the test's registry; returns the tarballs' paths. */
async function pack(dirs: readonly string[]): Promise<string[]> {
  const out = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tarballs, ...dirs], root);
  const packed = JSON.parse(out) as Packed[];
  for (const [index, entry] of packed.entries()) {
    const manifest = JSON.parse(readFileSync(join(dirs[index] as string, 'package.json'), 'utf8'));
    const versions = published.get(entry.name) ?? new Map();
    versions.set(entry.version, {
      ...manifest,
      dist: { tarball: `${registryUrl}/-/${entry.filename}`, integrity: entry.integrity, shasum: entry.shasum },
    });
    published.set(entry.name, versions);
  }
  return packed.map((entry) => join(tarballs, entry.filename));
}

function serveRegistry(request: IncomingMessage, response: ServerResponse): void {
  const path = decodeURIComponent(new URL(request.url ?? '/', registryUrl).pathname.slice(1));
  if (path.startsWith('-/')) {
    const file = join(tarballs, basename(path));
    if (existsSync(file)) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
      return;
    }
  }
  const versions = published.get(path);
  if (!versions) {
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const latest = [...versions.keys()].sort(compareVersions).at(-1);
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ name: path, 'dist-tags': { latest }, versions: Object.fromEntries(versions) }));
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0));
  for (let i = 0; i < Math.max(x?.length ?? 0, y?.length ?? 0); i++) {
    const difference = (x?.[i] ?? 0) - (y?.[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function envward(args: readonly string[]) {
  return run('npx', ['--offline', 'envward', ...args]);
}

/** README's command list, between its use-it markers. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /<!-- use-it:start -->\s*```sh\n([\s\S]*?)```\s*<!-- use-it:end -->/.exec(readme);
  assert.ok(block, 'README has a use-it block');
  return (block[1] as string)
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

const registry = createServer(serveRegistry);
let registryUrl = '';

before(async () => {
  assert.ok(existsSync(join(root, 'dist', 'index.js')), 'run `npm run build` first');
  mkdirSync(project, { recursive: true });
  mkdirSync(tarballs, { recursive: true });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
  await npm(['init', '-y']);
  // What the registry would hold: the core's dependencies, zod, the store's peers (better-sqlite3 aside, below).
  await pack(closure([...Object.keys(manifest.dependencies), 'zod', 'kysely']));
  const [envwardTarball] = await pack([root]);
  await npm(['install', envwardTarball as string, 'zod']);
});

after(() => {
  registry.close();
  rmSync(work, { recursive: true, force: true });
});

test('the tarball holds only what runs: no sources, tests or examples', () => {
  const files = readdirSync(join(project, 'node_modules', 'envward'), { recursive: true }).map(String);
  assert.deepEqual(
    files.filter((file) => /^(src|test|examples|bench|scripts|docs)\//.test(file)),
    [],
  );
  for (const entry of [
    'index',
    'store',
    'migrate',
    'fastify',
    'observe',
    'outbound',
    'runtime',
    'flags',
    'jobs',
    'console',
    'data',
    'cli',
  ]) {
    assert.ok(files.includes(`dist/${entry}.js`), `dist/${entry}.js is packed`);
  }
});

test("README's list runs in order on a fresh CommonJS project; the store without its peers is EW_PEER_MISSING", async () => {
  for (const line of readmeCommands()) {
    if (line.startsWith('npm install ')) {
      // Before the store's peers are installed, the store names what to install.
      const peerCheck = run('node', [
        '-e',
        `import('envward').then(async ({ resolveConfig }) => {
           const { openStore } = await import('envward/store');
           await openStore(await resolveConfig());
         }).catch((error) => { console.log(JSON.stringify({ code: error.code, hint: error.hint })); });`,
      ]);
      const refusal = JSON.parse(peerCheck.stdout) as { code: string; hint: string };
      assert.equal(refusal.code, 'EW_PEER_MISSING', peerCheck.stdout + peerCheck.stderr);
      // README's line is the one the refusal gives.
      assert.ok(refusal.hint.endsWith(line), `${refusal.hint}\nREADME: ${line}`);
      assert.deepEqual(line.split(/\s+/).slice(2), ['kysely@^0.28.18', 'better-sqlite3@^12.11.1']);
      await npm(['install', 'kysely@^0.28.18']);
      // better-sqlite3 is native: the copy built for this Node by the clone's `npm ci` is used, with
      // the packages it loads at run time (bindings, file-uri-to-path), not rebuilt offline.
      for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
        cpSync(join(modules, name), join(project, 'node_modules', name), { recursive: true });
      }
      continue;
    }
    const args = line.split(/\s+/);
    assert.deepEqual(args.slice(0, 2), ['npx', 'envward'], line);
    const result = envward(args.slice(2));
    assert.equal(result.status, 0, `${line}\n${result.stdout}\n${result.stderr}`);
    assert.doesNotMatch(result.stderr, /ERR_MODULE_NOT_FOUND/);
  }
});

test('the commands the issue names work on the installed package', () => {
  const show = envward(['config', 'show', '--env', 'staging']);
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /database\.url\s+sqlite:var\/staging\/app\.db/);
  const explain = envward(['config', 'explain', 'app.port']);
  assert.equal(explain.status, 0, explain.stderr);
  assert.match(explain.stdout, /app\.port = 3000/);
  for (const args of [
    ['db', 'stamp', '--env', 'development'],
    ['migrate', 'status'],
  ]) {
    const result = envward(args);
    assert.equal(result.status, 0, `${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
  }
});

test('CommonJS loads envward with a dynamic import', () => {
  assert.equal(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).type ?? 'commonjs', 'commonjs');
  const result = run('node', [
    '-e',
    `import('envward').then(async ({ loadConfig, z }) => {
       const config = await loadConfig({ env: 'staging' });
       // One zod in the process: envward's z is the project's own (ESM) zod.
       console.log(config.app.port, (await import('zod')).z === z);
     });`,
  ]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), '3000 true');
});

test('the console starts on the installed package with its peers, unlogged (with a warning) without the logger packages', async () => {
  // The console's peers as an application would install them (README's line), copied with what they load.
  const peers = [
    'fastify',
    'fastify-plugin',
    '@fastify/cookie',
    '@fastify/csrf-protection',
    '@fastify/formbody',
    '@fastify/rate-limit',
    '@node-rs/argon2',
    '@node-rs/argon2-linux-x64-gnu',
  ];
  for (const location of closure(peers)) {
    const name = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const target = join(project, 'node_modules', name);
    if (!existsSync(target)) cpSync(location, target, { recursive: true });
  }
  const add = spawnSync('npx', ['--offline', 'envward', 'users', 'add', 'ada', '--role', 'development:admin'], {
    cwd: project,
    env,
    encoding: 'utf8',
    input: 'a passphrase long enough\n',
  });
  assert.equal(add.status, 0, add.stderr);
  assert.doesNotMatch(add.stdout + add.stderr, /a passphrase long enough/);
  // The installed bin run by node itself, not through npx: a signal to npx would not reach the console it starts,
  // which would then outlive the test (and hold the test's pipes open).
  const bin = join(project, 'node_modules', 'envward', 'bin', 'envward.js');
  const child = execFile(process.execPath, [bin, 'console', '--port', '0'], { cwd: project, env });
  let output = '';
  child.stdout?.on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });
  try {
    const started = Date.now();
    while (!/envward console on (http:\/\/\S+)/.test(output)) {
      assert.ok(Date.now() - started < 30_000 && child.exitCode === null, `console did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const url = /envward console on (http:\/\/\S+)/.exec(output)?.[1] as string;
    const login = await fetch(new URL('login', url));
    assert.equal(login.status, 200);
    assert.match(await login.text(), /\[DEV\] Log in/);
    assert.match(output, /warning: requests are not logged: .*pino/);
  } finally {
    child.kill('SIGINT');
    if (child.exitCode === null) await once(child, 'exit');
  }
});
