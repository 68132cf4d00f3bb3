/**
 * The PostgreSQL listener losing its connection: the backend is terminated
 * (found by its application_name) and kept from coming back (its role may
 * not log in) while a revision is written, so the NOTIFY is surely missed;
 * once the role may log in again, the listener reconnects, resyncs, says so,
 * and applies that revision.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { LISTENER_APPLICATION_NAME } from '../../src/runtime/pg-revision-listener.ts';
import { makeLiveProject, nextChange, recordingLogger } from '../support/live-config-project.ts';
import { createTestRole, type TestRole } from '../support/postgres.ts';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test('a listener whose connection was killed reconnects, resyncs and applies the revision written while it was down', async () => {
  const project = await makeLiveProject('postgres');
  const role: TestRole = await createTestRole('live');
  cleanups.push(
    () => role.drop(),
    () => project.cleanup(),
  );
  const database = project.database?.name as string;
  // The service runs as its own role (owner of the database, so it makes envward's tables);
  // the operator writes as the superuser of base.yml's URL, which the role's lock-out does not stop.
  await project.sql(`alter database "${database}" owner to "${role.name}"`);
  const app = { DATABASE_URL: role.urlFor(database) };
  await project.set({ 'app.limit': '5' }, app);
  const recorded = recordingLogger();
  const { config } = await project.service({ variables: app, logger: recorded.logger });
  assert.equal(config.status().revision, 1);

  const listeners = await project.sql<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1 and datname = $2',
    [LISTENER_APPLICATION_NAME, database],
  );
  assert.equal(listeners.length, 1);
  await project.sql(`alter role "${role.name}" nologin`);
  await project.sql('select pg_terminate_backend($1)', [listeners[0]?.pid]);
  await recorded.waitFor(/config listener lost its connection; resyncing when it is back/);
  assert.equal(config.status().connected, false);

  const written = await project.set({ 'app.greeting': 'written-while-down' });
  // Nothing told this process: the notification went out while it had no connection.
  assert.equal(config.status().revision, 1);
  const told = nextChange(config, ['app.greeting'], 30_000);
  await project.sql(`alter role "${role.name}" login`);
  const change = await told;
  assert.equal(change.revision, written.revision);
  assert.deepEqual(change.changes, [{ key: 'app.greeting', from: 'hello', to: 'written-while-down' }]);
  await recorded.waitFor(/resynced: at revision 2/);
  const status = config.status();
  assert.equal(status.connected, true);
  assert.equal(status.counts.resyncs, 1);
  assert.equal(status.revision, 2);

  // The new connection listens: the next revision is pushed as before.
  const next = nextChange(config, ['app.limit']);
  await project.set({ 'app.limit': '6' });
  assert.equal((await next).revision, 3);
  const again = await project.sql('select pid from pg_stat_activity where application_name = $1 and datname = $2', [
    LISTENER_APPLICATION_NAME,
    database,
  ]);
  assert.equal(again.length, 1);
});
