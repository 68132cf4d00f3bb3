import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { identityRecordsMore, postgresIdentity, sameDatabase } from '../../src/store/database-identity.ts';

describe('database identities', () => {
  test('a PostgreSQL identity names the system identifier, database and schema, with ? for an unknown system', () => {
    assert.equal(
      postgresIdentity({ system: '7311', database: 'ledger', schema: 'public' }),
      'postgres:7311/ledger/public',
    );
    assert.equal(postgresIdentity({ system: null, database: 'ledger', schema: 'stg' }), 'postgres:?/ledger/stg');
  });

  test('equal identities name the same database', () => {
    assert.equal(sameDatabase('sqlite:/srv/app.db', 'sqlite:/srv/app.db'), true);
    assert.equal(sameDatabase('postgres:7311/ledger/public', 'postgres:7311/ledger/public'), true);
  });

  test('another path, system, database or schema is another database', () => {
    assert.equal(sameDatabase('sqlite:/srv/app.db', 'sqlite:/srv/copy.db'), false);
    assert.equal(sameDatabase('postgres:7311/ledger/public', 'postgres:9020/ledger/public'), false);
    assert.equal(sameDatabase('postgres:7311/ledger/public', 'postgres:7311/ledger_copy/public'), false);
    assert.equal(sameDatabase('postgres:7311/ledger/public', 'postgres:7311/ledger/stg'), false);
    assert.equal(sameDatabase('postgres:?/ledger/public', 'sqlite:/srv/ledger/public'), false);
  });

  test('an unknown system identifier on either side matches any; the rest must still be equal', () => {
    assert.equal(sameDatabase('postgres:?/ledger/public', 'postgres:7311/ledger/public'), true);
    assert.equal(sameDatabase('postgres:7311/ledger/public', 'postgres:?/ledger/public'), true);
    assert.equal(sameDatabase('postgres:?/ledger/public', 'postgres:?/ledger_copy/public'), false);
  });

  test('names with a slash are compared whole', () => {
    assert.equal(sameDatabase('postgres:?/a/b/public', 'postgres:7311/a/b/public'), true);
    assert.equal(sameDatabase('postgres:?/a/b/public', 'postgres:7311/a/bpublic'), false);
  });

  test('a stamp without an identity matches nothing, and the current one records more', () => {
    assert.equal(sameDatabase('', 'sqlite:/srv/app.db'), false);
    assert.equal(identityRecordsMore('', 'sqlite:/srv/app.db'), true);
  });

  test('a known system identifier records more than ?, never the other way round', () => {
    assert.equal(identityRecordsMore('postgres:?/ledger/public', 'postgres:7311/ledger/public'), true);
    assert.equal(identityRecordsMore('postgres:7311/ledger/public', 'postgres:?/ledger/public'), false);
    assert.equal(identityRecordsMore('postgres:7311/ledger/public', 'postgres:7311/ledger/public'), false);
    assert.equal(identityRecordsMore('postgres:?/ledger/public', 'postgres:7311/other/public'), false);
  });
});
