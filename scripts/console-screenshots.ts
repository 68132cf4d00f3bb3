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
import { setConfig } from '../src/runtime/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs/console');
const dir = mkdtempSync(join(tmpdir(), 'envward-console-shots-'));
const files: Record<string, string> = {
  'envward.config.ts': `import { database, defineConfig, live, z } from 'envward';
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
  }),
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
await addConsoleUser({
  cwd: dir,
  env: 'development',
  variables,
  name: 'ada',
  password,
  roles: 'development:admin,test:operator,staging:operator,production:viewer',
});
await setConfig({
  cwd: dir,
  env: 'development',
  variables,
  set: { 'app.greeting': 'hi there' },
  reason: 'friendlier greeting',
  actor: 'console:ada',
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
    ['users', '/users'],
  ];
  for (const [name, path] of pages) await shot(name, path);
  // A viewer's refused act: the production revisions page has no form, and a POST is a 403 page.
  await shot('revisions-production-viewer', '/env/production/revisions');
} finally {
  await browser.close();
  await running.close();
  rmSync(dir, { recursive: true, force: true });
}
