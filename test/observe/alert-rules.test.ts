import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { ALERT_TIER_DEFAULTS } from '../../src/observe/alert-settings-schema.ts';
import { type AlertRuleSet, alertRuleSet, alertRules } from '../../src/observe/index.ts';
import { makeObserveProject, secretsFor } from '../support/observe-project.ts';
import { runCli } from '../support/run-cli.ts';

const project = makeObserveProject({
  qa: 'alerts:\n  errorRate: 0.1\n  latencyP99Ms: 750\n  breakerOpenMinutes: 2\n',
});
after(() => project.cleanup());
const variables = secretsFor('sk-not-a-canary-alerts-0005');

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

function ruleFor(set: AlertRuleSet, alert: string) {
  const rule = set.rules.find((candidate) => candidate.alert === alert);
  assert.ok(rule, `no rule ${alert}`);
  return rule;
}

test('production and staging rules pass promtool check rules', async () => {
  for (const env of ['production', 'staging', 'qa', 'development']) {
    const file = project.write(`rules/${env}.yml`, alertRules(await project.resolve(env, { variables })));
    assert.match(promtool('check', 'rules', file), /SUCCESS: 3 rules found/);
  }
});

test("thresholds come from each environment's config, with tier defaults", async () => {
  const staging = alertRuleSet(await project.resolve('staging', { variables }));
  const production = alertRuleSet(await project.resolve('production', { variables }));
  const qa = alertRuleSet(await project.resolve('qa', { variables }));
  assert.deepEqual(staging.thresholds, ALERT_TIER_DEFAULTS.staging);
  assert.deepEqual(production.thresholds, ALERT_TIER_DEFAULTS.production);
  assert.deepEqual(qa.thresholds, { errorRate: 0.1, latencyP99Ms: 750, breakerOpenMinutes: 2 });
  assert.notDeepEqual(staging.thresholds, production.thresholds);
  assert.match(ruleFor(production, 'EnvwardHighErrorRate').expr, / > 0\.01$/);
  assert.match(ruleFor(staging, 'EnvwardHighErrorRate').expr, / > 0\.05$/);
  assert.match(ruleFor(qa, 'EnvwardHighLatencyP99').expr, / > 0\.75$/);
  assert.equal(ruleFor(qa, 'EnvwardOutboundBreakerOpen').for, '2m');
  assert.equal(ruleFor(production, 'EnvwardOutboundBreakerOpen').for, '5m');
});

test('every rule selects only its environment and carries environment, tier and severity', async () => {
  for (const [env, tier, severity] of [
    ['production', 'production', 'page'],
    ['qa', 'staging', 'ticket'],
  ] as const) {
    const set = alertRuleSet(await project.resolve(env, { variables }));
    for (const rule of set.rules) {
      const selectors = [...rule.expr.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] as string);
      assert.ok(selectors.length > 0);
      for (const selector of selectors) assert.match(selector, new RegExp(`^environment="${env}"`), rule.expr);
      assert.deepEqual(rule.labels, { environment: env, tier, severity });
    }
  }
});

test('the rules fire on the metrics envward exports (promtool test rules)', async () => {
  const file = project.write(
    'rules/unit-production.yml',
    alertRules(await project.resolve('production', { variables })),
  );
  const tests = {
    rule_files: [file],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          // 5% of production requests fail, over the 1% threshold; staging's series must not count.
          {
            series: 'http_requests_total{environment="production",route="/a",method="GET",status_code="500"}',
            values: '0+5x30',
          },
          {
            series: 'http_requests_total{environment="production",route="/a",method="GET",status_code="200"}',
            values: '0+95x30',
          },
          {
            series: 'http_requests_total{environment="staging",route="/a",method="GET",status_code="200"}',
            values: '0+1000x30',
          },
          { series: 'envward_outbound_breaker_state{environment="production",target="payments"}', values: '1x30' },
          { series: 'envward_outbound_breaker_state{environment="staging",target="payments"}', values: '1x30' },
        ],
        alert_rule_test: [
          {
            eval_time: '15m',
            alertname: 'EnvwardHighErrorRate',
            exp_alerts: [
              {
                exp_labels: { environment: 'production', tier: 'production', severity: 'page' },
                exp_annotations: {
                  summary: 'production: more than 1% of requests fail with 5xx',
                  description: "5% of production's requests answered 5xx over 5 minutes (alerts.errorRate: 1%).",
                },
              },
            ],
          },
          {
            eval_time: '15m',
            alertname: 'EnvwardOutboundBreakerOpen',
            exp_alerts: [
              {
                exp_labels: { environment: 'production', tier: 'production', severity: 'page', target: 'payments' },
                exp_annotations: {
                  summary: 'production: circuit breaker of payments open',
                  description:
                    "production's calls to payments have been cut off by an open circuit breaker for 5 minutes (alerts.breakerOpenMinutes).",
                },
              },
            ],
          },
          { eval_time: '3m', alertname: 'EnvwardOutboundBreakerOpen', exp_alerts: [] },
          { eval_time: '15m', alertname: 'EnvwardHighLatencyP99', exp_alerts: [] },
        ],
      },
    ],
  };
  const testFile = project.write('rules/unit-test.yml', JSON.stringify(tests));
  assert.match(promtool('test', 'rules', testFile), /SUCCESS/);
});

test('envward observe rules --out writes the file atomically; --json describes it', async () => {
  const out = join(project.dir, 'prometheus', 'envward-production.yml');
  const result = await runCli(
    ['observe', 'rules', '--env', 'production', '--out', out, '--json', '--cwd', project.dir],
    {
      env: variables,
    },
  );
  assert.equal(result.code, 0, result.stderr);
  const data = JSON.parse(result.stdout) as { environment: string; file: string; rules: { alert: string }[] };
  assert.equal(data.environment, 'production');
  assert.equal(data.file, out);
  assert.deepEqual(
    data.rules.map((rule) => rule.alert),
    ['EnvwardHighErrorRate', 'EnvwardHighLatencyP99', 'EnvwardOutboundBreakerOpen'],
  );
  assert.ok(existsSync(out));
  assert.match(promtool('check', 'rules', out), /SUCCESS/);
  const groups = (parse(readFileSync(out, 'utf8')) as { groups: { name: string }[] }).groups;
  assert.equal(groups[0]?.name, 'envward-production');
});

test('envward observe rules without --out prints the YAML, and needs no secrets or key', async () => {
  const result = await runCli(['observe', 'rules', '--env', 'staging', '--cwd', project.dir]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^# Prometheus alerting rules for staging/);
  assert.match(result.stdout, /alert: EnvwardHighErrorRate/);
  const file = project.write('rules/stdout.yml', result.stdout);
  assert.match(promtool('check', 'rules', file), /SUCCESS/);
});

test('a bad alerts value is refused by validation (the alerts settings own the type) and exit 1', async () => {
  const result = await runCli(
    ['observe', 'rules', '--env', 'development', '--set', 'alerts.errorRate=5', '--cwd', project.dir],
    {},
  );
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error\[EW_CONFIG_INVALID\]/);
  assert.match(result.stderr, /alerts\.errorRate \[development\] at explicit: Too big: expected number to be <=1/);
  assert.equal(result.stdout, '');
});
