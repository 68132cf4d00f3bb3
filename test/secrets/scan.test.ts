/**
 * `envward scan` through the CLI: each kind of leak is found (exit 1), a
 * clean project passes (exit 0), the shared-value check needs no private
 * key, and no finding ever carries a value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertNoCanary, makeCanary } from '../support/canary.ts';
import {
  type CliResult,
  cli,
  copySecretsProject,
  describeRun,
  keygenAll,
  makeSecretsProject,
  privateKeyIn,
  type SecretsProject,
  secretFiles,
  setSecret,
} from '../support/secrets-project.ts';

interface Finding {
  code: string;
  message: string;
  environments?: string[];
  keys?: string[];
  file?: string;
  line?: number;
}

interface Report {
  findings: Finding[];
  secrets: Record<string, number>;
  strengthChecked: string[];
  hostEnvironment: string;
}

// `preview` is a staging-tier environment that is not protected: `secrets set` only warns about a weak
// value there, so the scan (which holds it to the staging rule) has something weak to find.
const ENVIRONMENTS = `qa: { tier: 'staging' },
    preview: { tier: 'staging', protected: false, code: 'PRV' },`;

const HOST_PRODUCTION = { ENVWARD_ENV: 'production' };

describe('envward scan', { concurrency: true }, () => {
  let template: SecretsProject;
  const canaries: string[] = [];
  const copies: SecretsProject[] = [];
  const copy = () => {
    const q = copySecretsProject(template);
    copies.push(q);
    return q;
  };
  const canary = (label: string) => {
    const value = makeCanary(label);
    canaries.push(value);
    return value;
  };

  before(async () => {
    template = makeSecretsProject({ environments: ENVIRONMENTS });
    await keygenAll(template.dir, ['staging', 'production']);
    await Promise.all([
      (async () => {
        await setSecret(template.dir, 'staging', 'payments.apiKey', canary('stagingapi'));
        await setSecret(template.dir, 'staging', 'database.password', canary('stagingpw'));
      })(),
      (async () => {
        await setSecret(template.dir, 'production', 'payments.apiKey', canary('prodapi'));
        await setSecret(template.dir, 'production', 'database.password', canary('prodpw'));
      })(),
    ]);
  });
  after(() => {
    for (const q of copies) q.cleanup();
    template.cleanup();
  });

  /** Runs scan with and without --json; checks they agree and that neither prints a value. */
  async function scan(
    q: SecretsProject,
    env: Record<string, string> = HOST_PRODUCTION,
    extraCanaries: string[] = [],
  ): Promise<{ report: Report; human: CliResult; machine: CliResult }> {
    const [human, machine] = await Promise.all([
      cli(q.dir, ['scan'], { env }),
      cli(q.dir, ['scan', '--json'], { env }),
    ]);
    for (const [name, result] of [
      ['scan', human],
      ['scan --json', machine],
    ] as const) {
      assertNoCanary(result.stdout, [...canaries, ...extraCanaries], `${name} stdout`);
      assertNoCanary(result.stderr, [...canaries, ...extraCanaries], `${name} stderr`);
      assert.ok(!/ewkey1_[A-Za-z0-9_-]{43}/.test(result.stdout + result.stderr), `${name} prints no private key`);
    }
    assert.equal(machine.stderr, '', 'nothing on stderr with --json');
    const report = JSON.parse(machine.stdout) as Report;
    const expected = report.findings.length > 0 ? 1 : 0;
    assert.equal(machine.code, expected, describeRun(['scan', '--json'], machine));
    assert.equal(human.code, expected, describeRun(['scan'], human));
    for (const finding of report.findings) {
      assert.ok(human.stdout.includes(finding.code), `human output lists ${finding.code}`);
    }
    assert.match(human.stdout, new RegExp(`${report.findings.length} finding\\(s\\)`));
    return { report, human, machine };
  }

  const codes = (report: Report) => report.findings.map((finding) => finding.code).sort();

  test('a clean project: exit 0, no finding', async () => {
    const q = copy();
    const { report } = await scan(q);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.secrets, { staging: 2, production: 2 });
    assert.deepEqual([...report.strengthChecked].sort(), ['production', 'staging']);
    assert.equal(report.hostEnvironment, 'production');
  });

  test('one value in two environments is EW_SCAN_SHARED_VALUE, found without any private key', async () => {
    const q = copy();
    const shared = canary('shared');
    await Promise.all([
      setSecret(q.dir, 'staging', 'payments.apiKey', shared),
      setSecret(q.dir, 'production', 'database.password', shared),
    ]);
    const withKeys = await scan(q);
    assert.deepEqual(codes(withKeys.report), ['EW_SCAN_SHARED_VALUE']);
    q.remove(secretFiles('staging').key);
    q.remove(secretFiles('production').key);
    for (const env of [HOST_PRODUCTION, {}]) {
      const { report } = await scan(q, env);
      assert.deepEqual(codes(report), ['EW_SCAN_SHARED_VALUE'], JSON.stringify(report));
      const finding = report.findings[0] as Finding;
      assert.deepEqual([...(finding.environments ?? [])].sort(), ['production', 'staging']);
      assert.deepEqual([...(finding.keys ?? [])].sort(), ['database.password', 'payments.apiKey']);
      assert.match(finding.message, /staging:payments\.apiKey/);
      assert.match(finding.message, /production:database\.password/);
      assert.deepEqual(report.strengthChecked, [], 'no key here: nothing decrypted');
    }
  });

  test('secrets in plain files are EW_SCAN_PLAIN_SECRET with file:line', async () => {
    const q = copy();
    const inSettings = canary('insettings');
    const inDotenv = canary('indotenv');
    const inBase = canary('inbase');
    const inProjectDotenv = canary('inprojectdotenv');
    q.write(
      'config/environments/staging/settings.yml',
      `# staging\napp:\n  name: s\npayments:\n  apiKey: ${inSettings}\n`,
    );
    q.write('config/environments/production/.env', `# production\nLOG_FORMAT=json\nAPI_TOKEN=${inDotenv}\n`);
    q.write('config/base.yml', `app:\n  name: x\ndatabase:\n  url: postgres://app:${inBase}@db.internal:5432/app\n`);
    q.write('.env', `APP_NAME=y\nDATABASE_PASSWORD=${inProjectDotenv}\n`);
    const { report } = await scan(q);
    const plain = report.findings.filter((finding) => finding.code === 'EW_SCAN_PLAIN_SECRET');
    const at = plain.map((finding) => `${finding.file}:${finding.line} ${finding.keys?.join(',')}`).sort();
    assert.deepEqual(at, [
      '.env:2 DATABASE_PASSWORD',
      'config/base.yml:4 database.url',
      'config/environments/production/.env:3 API_TOKEN',
      'config/environments/staging/settings.yml:5 payments.apiKey',
    ]);
    for (const finding of plain) assert.ok(finding.message.includes(`${finding.file}:${finding.line}`));
    assert.deepEqual(
      codes(report),
      plain.map(() => 'EW_SCAN_PLAIN_SECRET'),
    );
  });

  test('secret-looking names and pasted private keys in plain files are found; ordinary values are not', async () => {
    const q = copy();
    const privateKey = privateKeyIn(q.read(secretFiles('staging').key));
    q.write(
      'config/environments/qa/.env',
      [
        'APP_NAME=qa', // ordinary
        'DATABASE_URL=postgres://db.internal/app', // a URL without a password
        `STRIPE_SECRET=${canary('stripe')}`,
        `GITHUB_TOKEN=${canary('github')}`,
        `SMTP_PASSWORD=${canary('smtp')}`,
        `SIGNING_KEY=${canary('signing')}`,
        `NOTE=${privateKey}`,
        'EMPTY_TOKEN=',
      ].join('\n'),
    );
    const { report, human, machine } = await scan(q, HOST_PRODUCTION, [privateKey]);
    const found = report.findings
      .filter((finding) => finding.code === 'EW_SCAN_PLAIN_SECRET')
      .map((finding) => `${finding.line} ${finding.keys?.join(',')}`)
      .sort();
    assert.deepEqual(found, ['3 STRIPE_SECRET', '4 GITHUB_TOKEN', '5 SMTP_PASSWORD', '6 SIGNING_KEY', '7 NOTE']);
    assert.ok(!(human.stdout + machine.stdout).includes(privateKey.slice(7)), 'the pasted key is not echoed');
  });

  test('a private key tracked by git is EW_SCAN_KEY_TRACKED', async () => {
    const q = copy();
    q.git('add', '-f', secretFiles('production').key);
    const { report } = await scan(q);
    const tracked = report.findings.filter((finding) => finding.code === 'EW_SCAN_KEY_TRACKED');
    assert.deepEqual(
      tracked.map((finding) => finding.file),
      [secretFiles('production').key],
    );
    // Any tracked file holding a private key, wherever it is.
    const r = copy();
    r.write(
      'docs/onboarding.md',
      `# Setup\nexport ENVWARD_KEY_STAGING=${privateKeyIn(r.read(secretFiles('staging').key))}\n`,
    );
    r.git('add', 'docs/onboarding.md');
    const second = await scan(r);
    assert.deepEqual(
      second.report.findings.filter((finding) => finding.code === 'EW_SCAN_KEY_TRACKED').map((finding) => finding.file),
      ['docs/onboarding.md'],
    );
  });

  test("a protected environment's key on a host that runs as a lower tier is EW_SCAN_KEY_ON_LOWER_TIER", async () => {
    const q = copy();
    const { report } = await scan(q, {}); // no signal: this host runs as development
    assert.equal(report.hostEnvironment, 'development');
    const lower = report.findings.filter((finding) => finding.code === 'EW_SCAN_KEY_ON_LOWER_TIER');
    assert.deepEqual(lower.map((finding) => [finding.environments?.join(','), finding.file]).sort(), [
      ['production', secretFiles('production').key],
      ['staging', secretFiles('staging').key],
    ]);
    // On a staging host only production's key is out of place.
    const onStaging = await scan(q, { ENVWARD_ENV: 'staging' });
    assert.deepEqual(
      onStaging.report.findings.map((finding) => [finding.code, finding.environments?.join(',')]),
      [['EW_SCAN_KEY_ON_LOWER_TIER', 'production']],
    );
    // A key given as a variable counts too.
    const productionKey = privateKeyIn(q.read(secretFiles('production').key));
    q.remove(secretFiles('production').key);
    q.remove(secretFiles('staging').key);
    const byVariable = await scan(q, { ENVWARD_KEY_PRODUCTION: productionKey }, [productionKey]);
    assert.deepEqual(
      byVariable.report.findings.map((finding) => [finding.code, finding.environments?.join(','), finding.file]),
      [['EW_SCAN_KEY_ON_LOWER_TIER', 'production', undefined]],
    );
    assert.match(byVariable.report.findings[0]?.message ?? '', /\$ENVWARD_KEY_PRODUCTION/);
  });

  test('a value too weak for its tier is EW_SCAN_WEAK_VALUE where the key is present', async () => {
    const q = copy();
    await keygenAll(q.dir, ['preview']);
    const set = await setSecret(q.dir, 'preview', 'payments.apiKey', 'hunter2');
    assert.match(set.stderr, /warning: .*weak/, 'set only warns in an unprotected environment');
    await setSecret(q.dir, 'preview', 'database.password', canary('previewpw'));
    const { report } = await scan(q, HOST_PRODUCTION, ['hunter2']);
    assert.deepEqual(codes(report), ['EW_SCAN_WEAK_VALUE']);
    const finding = report.findings[0] as Finding;
    assert.deepEqual(finding.environments, ['preview']);
    assert.deepEqual(finding.keys, ['payments.apiKey']);
    assert.equal(finding.file, secretFiles('preview').secrets);
    assert.equal(typeof finding.line, 'number');
    assert.ok(report.strengthChecked.includes('preview'));
    // Without the key the value cannot be checked, and the human report says so.
    q.remove(secretFiles('preview').key);
    const withoutKey = await scan(q, HOST_PRODUCTION, ['hunter2']);
    assert.deepEqual(withoutKey.report.findings, []);
    assert.match(withoutKey.human.stdout, /strength not checked without a key here: preview/);
  });

  test('several findings at once are all reported', async () => {
    const q = copy();
    q.git('add', '-f', secretFiles('staging').key);
    q.write('config/environments/qa/settings.yml', `database:\n  password: ${canary('qapw')}\n`);
    const { report } = await scan(q, {});
    assert.deepEqual(
      [...new Set(codes(report))],
      ['EW_SCAN_KEY_ON_LOWER_TIER', 'EW_SCAN_KEY_TRACKED', 'EW_SCAN_PLAIN_SECRET'],
    );
  });
});
