import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { createLogger, type QueryLogger, slowQueryThresholdMs } from '../../src/observe/index.ts';
import { DATABASE_TIER_DEFAULTS } from '../../src/store/database-settings-schema.ts';
import { openStore } from '../../src/store/index.ts';
import { Capture, makeObserveProject, secretsFor } from '../support/observe-project.ts';

const project = makeObserveProject({
  development: 'database:\n  url: sqlite:var/development/app.db\n  slowQueryMs: 1\n',
  test: 'database:\n  url: sqlite:var/test/app.db\n',
});
after(() => project.cleanup());

// Counting through a recursive CTE keeps SQLite busy for tens of milliseconds.
const slowQuery = (parameter: string, rows: number) =>
  sql<{ n: number; p: string }>`with recursive c(x) as (select 1 union all select x + 1 from c where x < ${rows})
    select count(*) as n, ${parameter} as p from c`;

class Lines implements QueryLogger {
  readonly entries: { object: Record<string, unknown>; message: string }[] = [];
  warn(object: Record<string, unknown>, message: string): void {
    this.entries.push({ object, message });
  }
}

test('a query slower than database.slowQueryMs is logged with its SQL and duration, never its parameters', async () => {
  const lines = new Lines();
  const store = await openStore(await project.resolve('development'), { logger: lines });
  try {
    const parameter = 'parameter-value-that-must-not-be-logged';
    const { rows } = await slowQuery(parameter, 200_000).execute(store.db);
    assert.equal(rows[0]?.n, 200_000);
    const slow = lines.entries.filter((entry) => String(entry.object.sql).includes('with recursive'));
    assert.equal(slow.length, 1);
    assert.equal(slow[0]?.message, 'slow query');
    assert.equal(slow[0]?.object.thresholdMs, 1);
    assert.ok((slow[0]?.object.durationMs as number) > 1);
    assert.ok(!JSON.stringify(lines.entries).includes(parameter), 'parameters are never logged');
  } finally {
    await store.close();
  }
});

test('queries under the tier default threshold are not logged, through a real envward logger', async () => {
  const resolved = await project.resolve('test');
  assert.equal(slowQueryThresholdMs(resolved), DATABASE_TIER_DEFAULTS.test.slowQueryMs);
  const out = new Capture();
  const logger = await createLogger(resolved, { destination: out });
  const store = await openStore(resolved, { logger });
  try {
    await sql`select 1 as one`.execute(store.db);
    assert.equal(out.text, '');
  } finally {
    await store.close();
  }
});

test('slow queries reach the envward logger as warn lines carrying env', async () => {
  const resolved = await project.resolve('test', { set: { 'database.slowQueryMs': '0' } });
  const out = new Capture();
  const logger = await createLogger(resolved, { destination: out });
  const store = await openStore(resolved, { logger });
  try {
    await slowQuery('another-parameter-never-logged', 20_000).execute(store.db);
    const line = out.json().find((entry) => String(entry.sql).includes('with recursive'));
    assert.equal(line?.msg, 'slow query');
    assert.equal(line?.level, 40);
    assert.equal(line?.env, 'test');
    assert.ok(!out.text.includes('another-parameter-never-logged'));
  } finally {
    await store.close();
  }
});

test('production allows slower queries than development by default', async () => {
  assert.ok(DATABASE_TIER_DEFAULTS.production.slowQueryMs > DATABASE_TIER_DEFAULTS.development.slowQueryMs);
  const resolved = await project.resolve('production', { variables: secretsFor('sk-prod-not-a-canary-0004') });
  assert.equal(slowQueryThresholdMs(resolved), DATABASE_TIER_DEFAULTS.production.slowQueryMs);
});
