/**
 * What `data refresh` refuses before anything is written, through the CLI:
 * a production-tier target, the same environment or database, a target
 * stamped for another environment, different migration heads, an unruled
 * table or column, a rule for what does not exist, a missing reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DataProject, FULL_RULES, makeDataProject } from '../support/data-project.ts';

const REFRESH = ['data', 'refresh', '--from', 'production', '--to', 'staging', '--reason', 'r'];

async function stagingNames(project: DataProject): Promise<string[]> {
  return (await project.sql<{ name: string }>('staging', 'select name from customers order by id')).map(
    (row) => row.name,
  );
}

describe('data refresh refusals', () => {
  let project: DataProject;

  before(async () => {
    project = await makeDataProject('sqlite');
    await project.seedProduction(5);
    await project.sql('staging', "insert into customers (id, name) values (1, 'Staging Own')");
  });
  after(() => project.cleanup());

  test('a production-tier target is refused with exit 3, whatever the reason or force', async () => {
    const result = await project.cli(['data', 'refresh', '--from', 'staging', '--to', 'production', '--reason', 'r']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /EW_REFRESH_TARGET/);
    const forced = await project.cli([
      'data',
      'refresh',
      '--from',
      'staging',
      '--to',
      'production',
      '--force',
      '--reason',
      'r',
    ]);
    assert.equal(forced.code, 3, forced.stderr);
  });

  test('the same environment as source and target is refused', async () => {
    const result = await project.cli(['data', 'refresh', '--from', 'staging', '--to', 'staging', '--reason', 'r']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /EW_REFRESH_SAME/);
  });

  test('a refresh without a reason is a usage error', async () => {
    const result = await project.cli(['data', 'refresh', '--from', 'production', '--to', 'staging']);
    assert.equal(result.code, 2, result.stderr);
  });

  test('different migration heads are refused, naming the migration to apply', async () => {
    await project.sql(
      'production',
      "insert into envward_migrations (name, checksum, applied_at, duration_ms, actor, host, environment) values ('002_extra', 'x', 'now', 0, 'a', 'h', 'production')",
    );
    try {
      const result = await project.cli(REFRESH);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /EW_REFRESH_SCHEMA/);
      assert.match(result.stderr, /staging lacks migration\(s\) 002_extra/);
      assert.match(result.stderr, /migrate up --env staging/);
    } finally {
      await project.sql('production', "delete from envward_migrations where name = '002_extra'");
    }
    assert.deepEqual(await stagingNames(project), ['Staging Own']);
  });

  test('a column without a rule, a table without one and a rule for a missing column are refused, all named', async () => {
    const rules = FULL_RULES.replace("phone: 'mask',", "emial: 'hash',").replace(
      "  postings: { id: 'keep', account_id: 'keep', amount: 'keep', memo: 'keep' },\n",
      '',
    );
    project.write(
      'envward.config.ts',
      (await import('node:fs')).readFileSync(`${project.dir}/envward.config.ts`, 'utf8').replace(FULL_RULES, rules),
    );
    try {
      const result = await project.cli(REFRESH);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /EW_REFRESH_UNRULED/);
      assert.match(result.stderr, /customers\.phone/);
      assert.match(result.stderr, /postings/);
      assert.match(result.stderr, /customers\.emial/);
    } finally {
      project.write(
        'envward.config.ts',
        (await import('node:fs')).readFileSync(`${project.dir}/envward.config.ts`, 'utf8').replace(rules, FULL_RULES),
      );
    }
    assert.deepEqual(await stagingNames(project), ['Staging Own']);
  });

  test('a fake method faker does not have is EW_DATA_RULE naming the column', async () => {
    const text = (await import('node:fs')).readFileSync(`${project.dir}/envward.config.ts`, 'utf8');
    project.write('envward.config.ts', text.replace("name: 'fake.person.fullName'", "name: 'fake.person.fulName'"));
    try {
      const result = await project.cli(REFRESH);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /EW_DATA_RULE/);
      assert.match(result.stderr, /customers\.name/);
    } finally {
      project.write('envward.config.ts', text);
    }
  });
});

describe('data refresh refuses a target that is not the target environment’s database', () => {
  test('staging pointed at production’s database is refused as the same database', async () => {
    const project = await makeDataProject('sqlite', { urls: { staging: 'sqlite:var/production/app.db' } });
    try {
      await project.seedProduction(3);
      const result = await project.cli(REFRESH);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /EW_REFRESH_SAME/);
      const [count] = await project.sql<{ n: number }>('production', 'select count(*) as n from customers');
      assert.equal(Number(count?.n), 3);
    } finally {
      await project.cleanup();
    }
  });

  test('a target database stamped for another environment is refused by the stamp check', async () => {
    const project = await makeDataProject('sqlite', { urls: { staging: 'sqlite:var/test/app.db' } });
    try {
      await project.seedProduction(3);
      const result = await project.cli(REFRESH);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /EW_ENV_MISMATCH/);
      const [stamp] = await project.sql<{ environment: string }>('test', 'select environment from envward_stamp');
      assert.equal(stamp?.environment, 'test');
    } finally {
      await project.cleanup();
    }
  });
});
