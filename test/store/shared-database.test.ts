/**
 * A database holding a protected environment's stamp in one namespace (a
 * table prefix, or on PostgreSQL a schema) and another environment opening
 * another namespace of it: refused unless both are of the same tier and the
 * protected environment declared the sharing (`database.shareWith`), and
 * refused before anything is created. Tiers never mix below a protected one.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { AuditRow } from '../../src/store/index.ts';
import { DIALECTS, type Dialect, makeStoreProject, STORE_CONFIG, type StoreProject } from '../support/store-project.ts';

const REFUSED = 3;
const ENVIRONMENTS = ['development', 'test', 'staging', 'production'] as const;
const PROTECTED = new Set<string>(['staging', 'production']);

/** The store tests' project, with a second production-tier environment. */
const SHARING_CONFIG = STORE_CONFIG.replace(
  "qa: { tier: 'staging' },",
  "qa: { tier: 'staging' },\n    'eu-production': { tier: 'production', code: 'EUP' },",
);

type Layout = { dialect: Dialect; by: 'tablePrefix' | 'schema' };
const LAYOUTS: Layout[] = [
  ...DIALECTS.map((dialect) => ({ dialect, by: 'tablePrefix' as const })),
  { dialect: 'postgres', by: 'schema' },
];

/** The namespace setting of `name` in `layout`: a table prefix `name_`, or a schema `name`. */
const namespace = (layout: Layout, name: string) => ({
  [`database.${layout.by}`]: layout.by === 'schema' ? name : `${name}_`,
});

async function tableNames(project: StoreProject): Promise<string[]> {
  const rows =
    project.dialect === 'sqlite'
      ? await project.sql<{ name: string }>("select name from sqlite_master where type = 'table' order by name")
      : await project.sql<{ name: string }>(
          `select table_schema || '.' || table_name as name from information_schema.tables
           where table_schema not in ('pg_catalog', 'information_schema') order by 1`,
        );
  return rows.map((row) => row.name);
}

async function schemaNames(project: StoreProject): Promise<string[]> {
  if (project.dialect === 'sqlite') return [];
  const rows = await project.sql<{ name: string }>(
    "select nspname as name from pg_namespace where nspname not like 'pg_%' and nspname <> 'information_schema' order by 1",
  );
  return rows.map((row) => row.name);
}

const projects: StoreProject[] = [];
after(() => Promise.all(projects.map((project) => project.cleanup())));

async function fresh(dialect: Dialect, settings: Record<string, string> = {}): Promise<StoreProject> {
  const project = await makeStoreProject(dialect, { files: { 'envward.config.ts': SHARING_CONFIG }, settings });
  projects.push(project);
  return project;
}

for (const layout of LAYOUTS) {
  describe(`every environment against a database stamped by each, ${layout.dialect} by ${layout.by}`, {
    concurrency: true,
  }, () => {
    for (const owner of ENVIRONMENTS) {
      test(`a database ${owner} stamped under its own ${layout.by}`, async () => {
        const project = await fresh(layout.dialect);
        await (
          await project.open(owner, {
            stampMode: 'stamp',
            resolve: { set: namespace(layout, `own${owner.slice(0, 3)}`) },
          })
        ).close();
        for (const opener of ENVIRONMENTS) {
          const admitted = opener === owner || (!PROTECTED.has(opener) && !PROTECTED.has(owner));
          // A refused opener is refused in its own namespace and in none (the default one) alike.
          const variants = admitted
            ? [namespace(layout, `ns${opener.slice(0, 3)}`)]
            : [namespace(layout, `ns${opener.slice(0, 3)}`), {}];
          for (const set of variants) {
            const label = `${opener} (${JSON.stringify(set)}) in ${owner}'s database`;
            const before = { tables: await tableNames(project), schemas: await schemaNames(project) };
            // A protected environment's new namespace is stamped by `db stamp`, never automatically.
            const opening = project.open(opener, {
              resolve: { set },
              ...(admitted && PROTECTED.has(opener) ? { stampMode: 'stamp' as const } : {}),
            });
            if (admitted) {
              const store = await opening;
              assert.equal(store.stamp?.environment, opener, label);
              await store.close();
              continue;
            }
            await assert.rejects(
              opening,
              (error: { code?: string; message?: string }) => {
                assert.equal(error.code, 'EW_SHARED_DATABASE', label);
                const other = PROTECTED.has(owner) ? owner : opener;
                assert.match(error.message ?? '', new RegExp(other), label);
                return true;
              },
              label,
            );
            assert.deepEqual(
              { tables: await tableNames(project), schemas: await schemaNames(project) },
              before,
              `${label}: nothing was created`,
            );
          }
        }
      });
    }
  });
}

for (const dialect of DIALECTS) {
  describe(`declared sharing on ${dialect}`, { concurrency: true }, () => {
    const declared = { production: 'database:\n  tablePrefix: prd_\n  shareWith: [eu-production, staging]\n' };

    test('an environment of the same tier that production declared is admitted, and its first use is audited once', async () => {
      const project = await fresh(dialect, declared);
      const production = await project.open('production', { stampMode: 'stamp' });
      assert.deepEqual(production.stamp?.shares, ['eu-production', 'staging']);
      await production.close();
      for (let round = 0; round < 2; round++) {
        const eu = await project.open('eu-production', {
          stampMode: round === 0 ? 'stamp' : 'enforce',
          resolve: { set: { 'database.tablePrefix': 'eu_' } },
        });
        assert.equal(eu.stamp?.environment, 'eu-production');
        await eu.close();
      }
      const shares = await project.sql<AuditRow>("select * from eu_envward_audit where action = 'db.share'");
      assert.equal(shares.length, 1, 'the first use of the sharing is audited, once');
      assert.match(shares[0]?.target ?? '', /production/);
      // The sharing holds both ways: production still opens beside eu-production.
      await (await project.open('production')).close();
    });

    test('a declared sharing with another tier is still refused', async () => {
      const project = await fresh(dialect, declared);
      await (await project.open('production', { stampMode: 'stamp' })).close();
      await assert.rejects(
        project.open('staging', { stampMode: 'stamp', resolve: { set: { 'database.tablePrefix': 'stg_' } } }),
        { code: 'EW_SHARED_DATABASE', message: /production/ },
      );
    });

    test("a protected newcomer's own declaration does not let it into another protected environment's database", async () => {
      const project = await fresh(dialect, {
        production: 'database:\n  tablePrefix: prd_\n',
        'eu-production': 'database:\n  tablePrefix: eu_\n  shareWith: [production]\n',
      });
      await (await project.open('production', { stampMode: 'stamp' })).close();
      await assert.rejects(project.open('eu-production', { stampMode: 'stamp' }), {
        code: 'EW_SHARED_DATABASE',
        message: /production/,
      });
      // Production is untouched and opens as before.
      await (await project.open('production')).close();
    });

    test('an undeclared environment of the same tier is refused', async () => {
      const project = await fresh(dialect, { production: 'database:\n  tablePrefix: prd_\n' });
      await (await project.open('production', { stampMode: 'stamp' })).close();
      await assert.rejects(
        project.open('eu-production', { stampMode: 'stamp', resolve: { set: { 'database.tablePrefix': 'eu_' } } }),
        { code: 'EW_SHARED_DATABASE' },
      );
    });

    test('--force with a reason lets a refused sharing through, and the override is audited', async () => {
      const project = await fresh(dialect, { production: 'database:\n  tablePrefix: prd_\n' });
      await (await project.open('production', { stampMode: 'stamp' })).close();
      const store = await project.open('development', {
        force: { reason: 'INC-7 read production beside dev' },
        resolve: { set: { 'database.tablePrefix': 'dev_' } },
      });
      assert.deepEqual(
        store.overrides.map((override) => override.guard),
        ['EW_SHARED_DATABASE'],
      );
      const rows = await store.audit.list({ action: 'guard.override' });
      assert.equal(rows.length, 1);
      assert.match(rows[0]?.target ?? '', /EW_SHARED_DATABASE/);
      await store.close();
    });
  });
}

describe('the CLI refuses a namespace inside a production-stamped database', { concurrency: true }, () => {
  test('development with DATABASE_TABLE_PREFIX=dev_ against a production SQLite file exits 3 and creates nothing', async () => {
    const project = await fresh('sqlite');
    await (await project.open('production', { stampMode: 'stamp' })).close();
    const before = await tableNames(project);
    for (const args of [
      ['migrate', 'up', '--env', 'development'],
      ['db', 'stamp', '--env', 'development'],
    ]) {
      const result = await project.cli(args, { env: { DATABASE_TABLE_PREFIX: 'dev_' } });
      assert.equal(result.code, REFUSED, result.stderr);
      assert.match(result.stderr, /EW_SHARED_DATABASE/);
      assert.match(result.stderr, /production/);
    }
    assert.deepEqual(await tableNames(project), before, 'no dev_ tables');
  });

  test('development with DATABASE_SCHEMA=devx against a production PostgreSQL database exits 3 and makes no schema', async () => {
    const project = await fresh('postgres');
    await (await project.open('production', { stampMode: 'stamp' })).close();
    const result = await project.cli(['migrate', 'up', '--env', 'development'], {
      env: { DATABASE_SCHEMA: 'devx' },
    });
    assert.equal(result.code, REFUSED, result.stderr);
    assert.match(result.stderr, /EW_SHARED_DATABASE/);
    assert.deepEqual(await schemaNames(project), ['public'], 'schema devx does not exist');
  });
});
