/**
 * A real PostgreSQL database per test run: created on 127.0.0.1:5432 (trust
 * auth, as on the project's machines and in .ci/run) under a unique name, and
 * dropped by `drop()`; `copy()` makes a real copy of one (`create database
 * ... template`), `createTestRole()` a login role without superuser.
 * `ENVWARD_TEST_PG` points the suite at another server (a URL without a
 * database name's path is fine: `postgres://user@host:port`).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const SERVER = process.env.ENVWARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  /** `postgres://.../<name>`, ready for `database.url` or `DATABASE_URL`. */
  readonly url: string;
  readonly name: string;
  /** Runs SQL on the test database (for setting up or tampering in tests). */
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
  /**
   * A real copy on the same server (`create database ... template`), as a
   * fresh test database to drop in turn. Nothing may be connected to this one.
   */
  copy(label?: string): Promise<TestDatabase>;
  /** Drops the database (terminating its connections). Safe to call twice. */
  drop(): Promise<void>;
}

export interface TestRole {
  readonly name: string;
  /** `postgres://<role>@.../<database>`. */
  urlFor(database: string): string;
  /** Drops the role; drop the databases it owns objects in first. Safe to call twice. */
  drop(): Promise<void>;
}

function urlFor(database: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const uniqueName = (label: string) =>
  `envward_test_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;

/** Creates a fresh, empty database named `envward_test_<label>_<random>`. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = uniqueName(label);
  await onServer((client) => client.query(`create database "${name}"`));
  return testDatabase(name);
}

/** A login role without superuser (trust auth: no password), named like the test databases. */
export async function createTestRole(label = 'role'): Promise<TestRole> {
  const name = uniqueName(label);
  await onServer((client) => client.query(`create role "${name}" login nosuperuser`));
  let dropped = false;
  return {
    name,
    urlFor(database) {
      const url = new URL(urlFor(database));
      url.username = name;
      url.password = '';
      return url.toString();
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer((client) => client.query(`drop role if exists "${name}"`));
    },
  };
}

function testDatabase(name: string): TestDatabase {
  let dropped = false;
  return {
    url: urlFor(name),
    name,
    async query(text, values) {
      const client = new pg.Client({ connectionString: urlFor(name) });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async copy(label = 'copy') {
      const copy = uniqueName(label);
      await onServer((client) => client.query(`create database "${copy}" template "${name}"`));
      return testDatabase(copy);
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer((client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
