import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { openProject } from '../../src/config/index.ts';
import { resolveConfig } from '../../src/index.ts';
import { alertmanagerConfig, alertmanagerYaml, alertRoutes, alertRuleSet } from '../../src/observe/index.ts';
import { OBSERVE_CONFIG } from '../support/observe-project.ts';
import { runCli } from '../support/run-cli.ts';
import { makeTempProject } from '../support/temp-project.ts';

// The observe test project plus a second production-tier environment and a development-tier one.
const project = makeTempProject({
  'envward.config.ts': OBSERVE_CONFIG.replace(
    "qa: { tier: 'staging' },",
    "qa: { tier: 'staging' },\n    'eu-production': { tier: 'production' },\n    sandbox: { tier: 'development' },",
  ),
  'config/base.yml': 'database:\n  url: sqlite:var/app.db\n',
});
after(() => project.cleanup());
let configFile = '';
before(async () => {
  configFile = project.write('alertmanager/alertmanager.yml', alertmanagerYaml(await openProject(project.dir)));
});

/** Runs amtool; a missing amtool fails the test (`.ci/run` installs Debian's prometheus-alertmanager package). */
function amtool(...args: string[]): string {
  try {
    return execFileSync('amtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as { code?: string; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      assert.fail('amtool is not installed: apt-get install prometheus-alertmanager (see .ci/run)');
    }
    assert.fail(`amtool ${args.join(' ')} failed:\n${failure.stdout}\n${failure.stderr}`);
  }
}

/** The receiver Alertmanager picks for an alert with these labels, as amtool computes it. */
function receiverOf(file: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}=${value}`);
  return amtool('config', 'routes', 'test', `--config.file=${file}`, ...pairs).trim();
}

test('the configuration passes amtool check-config', () => {
  const report = amtool('check-config', configFile);
  assert.match(report, /SUCCESS/);
  assert.match(report, /Found:\s+- global config\s+- route\s+- 1 inhibit rules\s+- 3 receivers/);
});

test('production alerts page, staging alerts ticket, the rest go to low-noise (amtool config routes test)', () => {
  const cases: [Record<string, string>, string][] = [
    [{ environment: 'production', severity: 'critical' }, 'pager'],
    [{ environment: 'production', severity: 'page' }, 'pager'],
    [{ environment: 'eu-production', severity: 'page' }, 'pager'],
    [{ environment: 'production', severity: 'ticket' }, 'tickets'],
    [{ environment: 'staging', severity: 'critical' }, 'tickets'],
    [{ environment: 'staging', severity: 'ticket' }, 'tickets'],
    [{ environment: 'qa', severity: 'page' }, 'tickets'],
    [{ environment: 'development', severity: 'ticket' }, 'low-noise'],
    [{ environment: 'test', severity: 'page' }, 'low-noise'],
    [{ environment: 'sandbox', severity: 'ticket' }, 'low-noise'],
    [{ environment: 'unknown-env', severity: 'page' }, 'low-noise'],
    [{ alertname: 'Anything' }, 'low-noise'],
  ];
  for (const [labels, receiver] of cases)
    assert.equal(receiverOf(configFile, labels), receiver, JSON.stringify(labels));
});

test("the labels observe rules puts on each environment's alerts reach that environment's receiver", async () => {
  const opened = await openProject(project.dir);
  const expected: Record<string, string> = {
    production: 'pager',
    staging: 'tickets',
    qa: 'tickets',
    development: 'low-noise',
  };
  for (const [env, receiver] of Object.entries(expected)) {
    const resolved = await resolveConfig<unknown>({
      project: opened,
      env,
      variables: {},
      checkHost: false,
      collectIssues: true,
    });
    for (const rule of alertRuleSet(resolved).rules) {
      assert.equal(receiverOf(configFile, { alertname: rule.alert, ...rule.labels }), receiver, `${env} ${rule.alert}`);
    }
  }
});

test('one route per environment of the catalogue, by tier; grouped by alertname and environment; page inhibits ticket', async () => {
  const opened = await openProject(project.dir);
  assert.deepEqual(
    alertRoutes(opened).map((route) => [route.environment, route.tier, route.receiver, route.ticketReceiver]),
    [
      ['development', 'development', 'low-noise', 'low-noise'],
      ['test', 'test', 'low-noise', 'low-noise'],
      ['staging', 'staging', 'tickets', 'tickets'],
      ['production', 'production', 'pager', 'tickets'],
      ['qa', 'staging', 'tickets', 'tickets'],
      ['eu-production', 'production', 'pager', 'tickets'],
      ['sandbox', 'development', 'low-noise', 'low-noise'],
    ],
  );
  const config = alertmanagerConfig(opened);
  assert.deepEqual(config.route.group_by, ['alertname', 'environment']);
  assert.deepEqual(config.inhibit_rules, [
    {
      source_matchers: ['severity="page"'],
      target_matchers: ['severity="ticket"'],
      equal: ['alertname', 'environment'],
    },
  ]);
  assert.deepEqual(parse(readFileSync(configFile, 'utf8')), config);
});

test('envward observe alertmanager prints the YAML and writes nothing', async () => {
  const before = readdirSync(project.dir, { recursive: true }).sort();
  const result = await runCli(['observe', 'alertmanager', '--cwd', project.dir]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^# Alertmanager routes by environment and severity/);
  assert.equal(result.stdout, readFileSync(configFile, 'utf8'));
  assert.deepEqual(readdirSync(project.dir, { recursive: true }).sort(), before);
});

test('envward observe alertmanager --out writes the file atomically; --json lists the routes', async () => {
  const directory = join(project.dir, 'am-out');
  const out = join(directory, 'alertmanager.yml');
  const result = await runCli(['observe', 'alertmanager', '--out', out, '--json', '--cwd', project.dir]);
  assert.equal(result.code, 0, result.stderr);
  const data = JSON.parse(result.stdout) as { file: string; routes: { environment: string; receiver: string }[] };
  assert.equal(data.file, out);
  assert.deepEqual(
    data.routes.filter((route) => route.receiver === 'pager').map((route) => route.environment),
    ['production', 'eu-production'],
  );
  assert.deepEqual(readdirSync(directory), ['alertmanager.yml']);
  assert.match(amtool('check-config', out), /SUCCESS/);
  assert.equal(receiverOf(out, { environment: 'production', severity: 'critical' }), 'pager');
});

test('envward observe alertmanager refuses --env (it covers every environment) with exit 2, writing nothing', async () => {
  const out = join(project.dir, 'refused', 'alertmanager.yml');
  const result = await runCli(['observe', 'alertmanager', '--env', 'production', '--out', out, '--cwd', project.dir]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /error\[EW_USAGE\]: observe alertmanager routes every environment/);
  assert.equal(result.stdout, '');
  assert.deepEqual(readdirSync(project.dir).includes('refused'), false);
});

test('envward observe alertmanager --out naming a directory is EW_FILE_WRITE', async () => {
  const result = await runCli(['observe', 'alertmanager', '--out', project.dir, '--cwd', project.dir]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error\[EW_FILE_WRITE\]: .*: is a directory; nothing was written there/);
  assert.equal(result.stdout, '');
});
