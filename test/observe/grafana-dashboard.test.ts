import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Ajv } from 'ajv';
import { type GrafanaDashboard, grafanaDashboard, grafanaDashboardUid } from '../../src/observe/index.ts';
import { GRAFANA_DASHBOARD_SCHEMA } from '../support/grafana-dashboard-schema.ts';
import { makeObserveProject, secretsFor } from '../support/observe-project.ts';
import { runCli } from '../support/run-cli.ts';

const project = makeObserveProject({ qa: 'alerts:\n  errorRate: 0.1\n  latencyP99Ms: 750\n' });
after(() => project.cleanup());
const variables = secretsFor('sk-not-a-canary-dashboard-0007');
const ENVIRONMENTS = ['production', 'staging', 'qa'] as const;

const dashboardOf = async (env: string) => grafanaDashboard(await project.resolve(env, { variables }));
const validate = new Ajv({ allErrors: true, strict: true }).compile(GRAFANA_DASHBOARD_SCHEMA);

/** Runs promtool; a missing promtool fails the test (`.ci/run` installs Debian's prometheus package). */
function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as { code?: string; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') assert.fail('promtool is not installed: apt-get install prometheus (see .ci/run)');
    assert.fail(`promtool ${args.join(' ')} failed:\n${failure.stdout}\n${failure.stderr}`);
  }
}

function expressions(dashboard: GrafanaDashboard): string[] {
  return dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
}

/** Checks the model against the schema; the list of problems, empty when valid. */
function schemaProblems(model: unknown): string[] {
  if (validate(JSON.parse(JSON.stringify(model)))) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
  );
}

test('each dashboard is valid for the Grafana dashboard schema (production, staging and a custom environment)', async () => {
  for (const env of ENVIRONMENTS) assert.deepEqual(schemaProblems(await dashboardOf(env)), [], env);
});

test('the schema checker refuses a broken model (so a pass means something)', async () => {
  const good = JSON.parse(JSON.stringify(await dashboardOf('staging'))) as Record<string, unknown> & {
    panels: Record<string, unknown>[];
  };
  const broken = [
    { ...good, schemaVersion: undefined },
    { ...good, panels: [{ ...good.panels[0], gridPos: { h: 4, w: 25, x: 0, y: 0 } }] },
    { ...good, panels: [{ ...good.panels[0], type: '' }] },
    { ...good, panels: [{ ...good.panels[0], targets: [{ refId: 'A' }] }] },
    { ...good, uid: 'has spaces in it' },
    { ...good, dashboard: {} },
  ];
  for (const model of broken) assert.notDeepEqual(schemaProblems(model), []);
});

test('panels have unique ids and sit on the 24-column grid without overlapping', async () => {
  const dashboard = await dashboardOf('production');
  const ids = dashboard.panels.map((panel) => panel.id);
  assert.equal(new Set(ids).size, ids.length);
  const cells = new Set<string>();
  for (const { gridPos, title } of dashboard.panels) {
    assert.ok(gridPos.x + gridPos.w <= 24, `${title} runs off the grid`);
    for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
      for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
        assert.ok(!cells.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`);
        cells.add(`${x},${y}`);
      }
    }
  }
});

test('every PromQL expression passes promtool once the Grafana variables are substituted', async () => {
  for (const env of ENVIRONMENTS) {
    const rules = expressions(await dashboardOf(env)).map((expr, index) => ({
      record: `envward_dashboard:panel_query_${index}`,
      expr: expr.replaceAll('$environment', env).replaceAll('$__rate_interval', '1m'),
    }));
    assert.ok(rules.every((rule) => !rule.expr.includes('$environment') && !rule.expr.includes('$__')));
    const file = project.write(`dashboard-rules/${env}.yml`, JSON.stringify({ groups: [{ name: env, rules }] }));
    assert.match(promtool('check', 'rules', file), new RegExp(`SUCCESS: ${rules.length} rules found`));
  }
});

test('every selector matches environment="$environment", a hidden constant set to the environment', async () => {
  for (const env of ENVIRONMENTS) {
    const dashboard = await dashboardOf(env);
    for (const expr of expressions(dashboard)) {
      const selectors = [...expr.matchAll(/[a-z_]+\{([^}]*)\}/g)].map((match) => match[1] as string);
      assert.ok(selectors.length > 0, expr);
      for (const selector of selectors) assert.match(selector, /^environment="\$environment"/, expr);
    }
    const variable = dashboard.templating.list.find((candidate) => candidate.name === 'environment');
    assert.deepEqual(
      { type: variable?.type, query: variable?.query, hide: variable?.hide, current: variable?.current.value },
      { type: 'constant', query: env, hide: 2, current: env },
    );
    const datasource = dashboard.templating.list.find((candidate) => candidate.name === 'datasource');
    assert.deepEqual([datasource?.type, datasource?.query], ['datasource', 'prometheus']);
  }
});

test("the title names the environment and its code; uid and tags are the environment's", async () => {
  const production = await dashboardOf('production');
  const qa = await dashboardOf('qa');
  assert.equal(production.title, 'PRD · production · observe-test (envward)');
  assert.match(qa.title, /^QA · qa · /);
  assert.deepEqual(production.tags, ['envward', 'env:production', 'tier:production']);
  assert.deepEqual(qa.tags, ['envward', 'env:qa', 'tier:staging']);
  assert.equal(production.uid, grafanaDashboardUid('observe-test', 'production'));
  assert.notEqual(production.uid, grafanaDashboardUid('another-project', 'production'));
  assert.equal(production.uid, (await dashboardOf('production')).uid);
  assert.match(production.description, /banner red/);
  assert.equal(production.annotations.list[0]?.iconColor, 'red');
  assert.equal(grafanaDashboardUid('x', 'a'.repeat(40)).length, 40);
});

test('the panels cover requests, errors, latency, readiness, config revision, deployments and jobs', async () => {
  const dashboard = await dashboardOf('staging');
  const all = expressions(dashboard).join('\n');
  for (const metric of [
    'http_requests_total',
    'http_request_duration_seconds_bucket',
    'envward_ready',
    'envward_readiness_check_ok',
    'envward_config_revision',
    'envward_config_reloads_total',
    'envward_deployments_total',
    'envward_job_runs_total',
    'envward_outbound_breaker_state',
  ]) {
    assert.match(all, new RegExp(`\\b${metric}\\{`), metric);
  }
  assert.deepEqual(
    dashboard.panels.map((panel) => [panel.type, panel.title]),
    [
      ['stat', 'Readiness'],
      ['stat', 'Config revision'],
      ['stat', 'Error rate now'],
      ['stat', 'Deployments (24 h)'],
      ['timeseries', 'Request rate'],
      ['timeseries', 'Error rate (5xx share)'],
      ['timeseries', 'Latency p50 / p99'],
      ['timeseries', 'Readiness checks failing'],
      ['timeseries', 'Deployments'],
      ['timeseries', 'Job runs'],
      ['timeseries', 'Config reloads and breakers'],
    ],
  );
});

test("threshold lines sit at the environment's alerts.* values", async () => {
  const steps = (dashboard: GrafanaDashboard, title: string) => {
    const panel = dashboard.panels.find((candidate) => candidate.title === title);
    assert.ok(panel, title);
    return (panel.fieldConfig.defaults.thresholds as { steps: { value: number }[] }).steps.map((step) => step.value);
  };
  const qa = await dashboardOf('qa');
  const production = await dashboardOf('production');
  assert.deepEqual(steps(qa, 'Error rate (5xx share)'), [0, 0.1]);
  assert.deepEqual(steps(qa, 'Latency p50 / p99'), [0, 0.75]);
  assert.deepEqual(steps(production, 'Error rate (5xx share)'), [0, 0.01]);
  assert.deepEqual(steps(production, 'Latency p50 / p99'), [0, 1]);
});

test('envward observe dashboard prints the JSON model on stdout and writes nothing', async () => {
  const before = readdirSync(project.dir, { recursive: true }).sort();
  const result = await runCli(['observe', 'dashboard', '--env', 'production', '--cwd', project.dir]);
  assert.equal(result.code, 0, result.stderr);
  const model = JSON.parse(result.stdout) as GrafanaDashboard;
  assert.deepEqual(schemaProblems(model), []);
  assert.equal(model.title, 'PRD · production · observe-test (envward)');
  assert.deepEqual(readdirSync(project.dir, { recursive: true }).sort(), before);
});

test('envward observe dashboard --out writes the file atomically; --json describes it', async () => {
  const directory = join(project.dir, 'grafana');
  const out = join(directory, 'staging.json');
  const result = await runCli([
    'observe',
    'dashboard',
    '--env',
    'staging',
    '--out',
    out,
    '--json',
    '--cwd',
    project.dir,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const data = JSON.parse(result.stdout) as { environment: string; file: string; uid: string; panels: number };
  assert.equal(data.environment, 'staging');
  assert.equal(data.file, out);
  assert.equal(data.panels, 11);
  const written = JSON.parse(readFileSync(out, 'utf8')) as GrafanaDashboard;
  assert.equal(written.uid, data.uid);
  assert.deepEqual(schemaProblems(written), []);
  assert.deepEqual(readdirSync(directory), ['staging.json']);
});

test('envward observe dashboard --out naming a directory is EW_FILE_WRITE, and nothing is written', async () => {
  const directory = join(project.dir, 'a-directory');
  project.write('a-directory/keep', '');
  const result = await runCli(['observe', 'dashboard', '--env', 'staging', '--out', directory, '--cwd', project.dir]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error\[EW_FILE_WRITE\]: .*a-directory: is a directory; nothing was written there/);
  assert.equal(result.stdout, '');
  assert.deepEqual(readdirSync(directory), ['keep']);
});

test('envward observe dashboard refuses an unknown or unsafe --env with exit 2', async () => {
  const unknown = await runCli(['observe', 'dashboard', '--env', 'prod', '--cwd', project.dir]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /error\[EW_ENV_UNKNOWN\]/);
  const unsafe = await runCli(['observe', 'dashboard', '--env', '../production', '--cwd', project.dir]);
  assert.equal(unsafe.code, 2);
  assert.match(unsafe.stderr, /error\[EW_ENV_NAME\]/);
  const huge = await runCli(['observe', 'dashboard', '--env', 'a'.repeat(100_000), '--cwd', project.dir]);
  assert.equal(huge.code, 2);
  assert.match(huge.stderr, /error\[EW_ENV_NAME\]/);
  assert.ok(huge.stderr.length < 2_000, 'the error does not echo a huge name back whole');
  for (const result of [unknown, unsafe, huge]) assert.equal(result.stdout, '');
  assert.ok(!existsSync(join(project.dir, 'var')));
});

test('envward observe dashboard --out under /proc or with an empty name fails at once, writing nothing', async () => {
  const proc = await runCli(
    ['observe', 'dashboard', '--env', 'staging', '--out', '/proc/envward-nope/x.json', '--cwd', project.dir],
    {
      timeoutMs: 30_000,
    },
  );
  assert.equal(proc.code, 1);
  assert.match(proc.stderr, /error\[EW_FILE_WRITE\]: \/proc\/envward-nope\/x\.json: cannot be written/);
  const empty = await runCli(['observe', 'dashboard', '--env', 'staging', '--out', '', '--cwd', project.dir]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /error\[EW_USAGE\]: --out expects a file name/);
  for (const result of [proc, empty]) assert.equal(result.stdout, '');
});
