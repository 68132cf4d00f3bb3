/**
 * The console in a real browser (Debian's Chromium through playwright-core)
 * against a console listening on a real port: login, the banner per tier,
 * a viewer refused an operator action, a change with its reason in the
 * audit log, a POST without the CSRF token refused, logout. `.ci/run`
 * installs Chromium; without it these tests fail (they are not skipped).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../../src/console/index.ts';
import { launchChromium } from '../support/browser.ts';
import { type ConsoleProject, makeConsoleProject, PASSWORD } from '../support/console-project.ts';

let project: ConsoleProject;
let running: RunningConsole;
let browser: Browser;

before(async () => {
  project = makeConsoleProject();
  await project.addUser('ada', 'development:admin,test:viewer,staging:viewer,qa:viewer,production:viewer');
  await project.addUser('vic', 'development:viewer');
  running = await startConsole({
    cwd: project.dir,
    env: 'development',
    port: 0,
    variables: { PATH: process.env.PATH },
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await running?.close();
  project?.cleanup();
});

async function loggedIn(name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(running.url);
  assert.match(page.url(), /\/login$/);
  await page.fill('#name', name);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(running.url), page.click('button[type=submit]')]);
  return page;
}

test('login in the browser leads to the overview with the console environment banner', async () => {
  const page = await loggedIn('ada');
  assert.equal(await page.title(), '[DEV] Environments · development · envward');
  const banner = page.locator('.banner');
  assert.equal(await banner.getAttribute('data-environment'), 'development');
  assert.match((await banner.innerText()).replace(/\s+/g, ' '), /DEV DEVELOPMENT: development/);
  await page.context().close();
});

test('each tier has its banner colour and name in text on its pages', async () => {
  const page = await loggedIn('ada');
  const expected: Record<string, [string, string]> = {
    development: ['rgb(27, 94, 32)', 'DEVELOPMENT: development'],
    test: ['rgb(13, 71, 161)', 'TEST: test'],
    staging: ['rgb(255, 179, 0)', 'STAGING: staging'],
    production: ['rgb(183, 28, 28)', 'PRODUCTION: production'],
  };
  for (const [env, [colour, text]] of Object.entries(expected)) {
    const answer = await page.goto(`${running.url}env/${env}/config`);
    assert.equal(answer?.status(), 200, env);
    const banner = page.locator('.banner');
    assert.equal(
      await banner.evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).backgroundColor),
      colour,
      `${env} banner colour`,
    );
    assert.ok((await banner.innerText()).includes(text), `${env} banner text`);
    assert.match(
      await page.title(),
      new RegExp(`^\\[${env === 'test' ? 'TST' : env === 'staging' ? 'STG' : env === 'production' ? 'PRD' : 'DEV'}\\]`),
    );
    // The banner stays at the top when the page scrolls.
    assert.equal(
      await banner.evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).position),
      'sticky',
    );
  }
  await page.context().close();
});

test('a POST without the CSRF token is refused with 403', async () => {
  const page = await loggedIn('ada');
  const answer = await page.context().request.post(`${running.url}logout`, { form: { nothing: 'here' } });
  assert.equal(answer.status(), 403);
  // Still logged in: the refused logout changed nothing.
  await page.goto(running.url);
  assert.equal(new URL(page.url()).pathname, '/');
  await page.context().close();
});

test('logout ends the session: the old cookie opens nothing', async () => {
  const page = await loggedIn('ada');
  const cookies = await page.context().cookies();
  await Promise.all([page.waitForURL(/\/login$/), page.click('header .who button')]);
  const replay = await (await browser.newContext()).newPage();
  await replay.context().addCookies(cookies);
  await replay.goto(running.url);
  assert.match(replay.url(), /\/login$/);
  await replay.context().close();
  await page.context().close();
});

test('a viewer sees no change form, and the POST it could forge is refused with 403', async () => {
  const page = await loggedIn('vic');
  await page.goto(`${running.url}env/development/revisions`);
  assert.equal(await page.locator(`form[action="/env/development/revisions/set"]`).count(), 0);
  assert.equal(await page.locator('button', { hasText: 'Write a revision' }).count(), 0);
  // The logout form's token is a valid one: the refusal is the role's, not CSRF's.
  const token = await page.locator('input[name=_csrf]').first().getAttribute('value');
  const answer = await page.context().request.post(`${running.url}env/development/revisions/set`, {
    form: { _csrf: token ?? '', key: 'app.greeting', value: 'forged', reason: 'no' },
  });
  assert.equal(answer.status(), 403);
  await page.goto(`${running.url}env/development/config`);
  assert.equal(await page.locator('text=forged').count(), 0);
  await page.context().close();
});

test("an operator's change with a reason appears in the environment's audit log page", async () => {
  const page = await loggedIn('ada');
  await page.goto(`${running.url}env/development/revisions`);
  await page.fill('#set-key', 'app.greeting');
  await page.fill('#set-value', 'hello from the browser');
  await page.fill('#set-reason', 'browser test INC-7');
  await Promise.all([page.waitForURL(/\/revisions$/), page.click('button:has-text("Write a revision")')]);
  assert.match(await page.locator('.flash-ok').innerText(), /Revision \d+ of development written/);
  await page.goto(`${running.url}env/development/audit`);
  const row = page.locator('tr', { hasText: 'config.set' }).first();
  const text = (await row.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /console:ada/);
  assert.match(text, /browser test INC-7/);
  await page.context().close();
});
