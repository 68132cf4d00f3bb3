/**
 * Screenshots of every console page for docs/console.md, taken in Debian's
 * Chromium (playwright-core) from a throw-away project with users, a
 * revision, a secret, flags, a job and migrations. Run it after changing a
 * page: `npm run docs:console` (writes docs/console/*.png).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { addConsoleUser, startConsole } from '../src/console/index.ts';
import { resolveConfig } from '../src/index.ts';
import { proposeChange, setConfig } from '../src/runtime/index.ts';
import { keygen, setSecret } from '../src/secrets/index.ts';
import { openStore } from '../src/store/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs/console');
const dir = mkdtempSync(join(tmpdir(), 'envward-console-shots-'));
const files: Record<string, string> = {
  'envward.config.ts': `import { database, defineConfig, live, secret, z } from 'envward';
import { flags } from 'envward/flags';
import { defineJobs } from 'envward/jobs';

export default defineConfig({
  project: 'payments-api',
  use: [
    database,
    flags({ newCheckout: { type: 'boolean', default: false, production: 'requires-reason' } }),
    defineJobs({ nightlyReport: { schedule: '0 3 * * *', tiers: ['staging', 'production'] } }),
  ],
  schema: z.object({
    app: z.object({
      greeting: live(z.string().default('hello')),
      port: z.number().int().default(3000),
    }),
    payments: z.object({ apiKey: secret(z.string()) }),
  }),
  // Production's runtime changes need a second person's approval (change requests).
  environments: { production: { approvals: { required: 1, for: ['config'] } } },
});
`,
  'migrations/0001_accounts.sql': 'create table accounts (id integer primary key, owner text not null);\n',
  'migrations/0002_drop_legacy.sql': 'drop table if exists legacy_accounts;\n',
};
for (const env of ['development', 'test', 'staging', 'production']) {
  files[`config/environments/${env}/settings.yml`] = `database:\n  url: sqlite:var/${env}.db\n`;
}
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}
mkdirSync(join(dir, 'node_modules'), { recursive: true });
execFileSync('ln', ['-s', root, join(dir, 'node_modules/envward')]);

const variables = { PATH: process.env.PATH };
const password = 'correct horse battery staple';
const common = { cwd: dir, variables };
for (const env of ['development', 'test', 'staging', 'production']) {
  await keygen({ ...common, env });
  await setSecret({ ...common, env, key: 'payments.apiKey', value: `sk_${env}_${'x'.repeat(24)}` });
}
await addConsoleUser({
  ...common,
  env: 'development',
  name: 'ada',
  password,
  roles: 'development:admin,test:viewer,staging:operator,production:operator',
});
await addConsoleUser({ ...common, env: 'development', name: 'bob', password, roles: 'production:operator' });
await setConfig({
  ...common,
  env: 'development',
  set: { 'app.greeting': 'hi there' },
  reason: 'friendlier greeting',
  actor: 'console:ada',
});
// Production's database, stamped as `envward db stamp --env production` does.
await (
  await openStore(await resolveConfig({ ...common, env: 'production', checkHost: false }), { stampMode: 'stamp' })
).close();
await proposeChange({
  ...common,
  env: 'production',
  change: { kind: 'config.set', set: { 'app.greeting': 'welcome' } },
  reason: 'CHG-12 new greeting',
  actor: 'console:bob',
});

const running = await startConsole({ cwd: dir, env: 'development', port: 0, variables });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  mkdirSync(out, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  const shot = async (name: string, path: string) => {
    await page.goto(`${running.url}${path.replace(/^\//, '')}`);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
    process.stdout.write(`docs/console/${name}.png  ${path}\n`);
  };
  await shot('login', '/login');
  await page.fill('#name', 'ada');
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(running.url), page.click('button[type=submit]')]);
  const pages: [string, string][] = [
    ['overview', '/'],
    ['config', '/env/development/config'],
    ['config-production', '/env/production/config'],
    ['diff', '/env/development/diff?with=production'],
    ['revisions', '/env/development/revisions'],
    ['flags', '/env/development/flags'],
    ['secrets', '/env/development/secrets'],
    ['jobs', '/env/staging/jobs'],
    ['migrations', '/env/development/migrations'],
    ['audit', '/env/development/audit'],
    ['requests', '/requests'],
    ['request', '/env/production/requests/1'],
    ['revisions-production', '/env/production/revisions'],
    ['users', '/users'],
    // What a viewer sees: the same page without its forms.
    ['revisions-viewer', '/env/test/revisions'],
  ];
  for (const [name, path] of pages) await shot(name, path);
} finally {
  await browser.close();
  await running.close();
  rmSync(dir, { recursive: true, force: true });
}
