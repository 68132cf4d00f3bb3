/**
 * Bad input that once surfaced as EW_INTERNAL ("a bug in envward") gets a
 * specific code naming what to fix. One row per input: the command, the
 * project change, the expected code and exit code.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/run-cli.ts';
import { type StandardProjectOptions, type TempProject, writeStandardProject } from '../support/temp-project.ts';

const SETTINGS = 'config/environments/development/settings.yml';

interface Row {
  readonly name: string;
  readonly project?: StandardProjectOptions;
  /** Called with the project directory; returns the CLI arguments. */
  readonly args: (dir: string) => readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly code: string;
  readonly exit: number;
  /** What the message must say (the place or the allowed range). */
  readonly says: RegExp;
}

const rows: readonly Row[] = [
  {
    name: 'a !!binary YAML tag in settings.yml',
    project: { files: { [SETTINGS]: 'database:\n  url: sqlite:var/app.db\napp:\n  name: !!binary aGVsbG8=\n' } },
    args: () => ['config', 'show', '--env', 'development'],
    code: 'EW_CONFIG_PARSE',
    exit: 1,
    says: /settings\.yml:4:\d+: the value tagged !!binary is not plain data/,
  },
  {
    name: 'non-string host patterns in envward.config.ts',
    project: { environments: "qa: { tier: 'staging', hosts: [42] as unknown as string[] }," },
    args: () => ['config', 'show', '--env', 'development'],
    code: 'EW_ENV_DEFINITION',
    exit: 1,
    says: /"qa" has hosts with an entry of type number/,
  },
  {
    name: 'audit list --limit 1e99',
    args: () => ['audit', 'list', '--env', 'development', '--limit', '1e99'],
    code: 'EW_USAGE',
    exit: 2,
    says: /--limit expects a whole number from 1 to 1000000, got "1e99"/,
  },
  {
    name: 'audit list --since 99999999999d',
    args: () => ['audit', 'list', '--env', 'development', '--since', '99999999999d'],
    code: 'EW_USAGE',
    exit: 2,
    says: /--since 99999999999d is too far back: a duration may be at most 36500d/,
  },
  {
    name: 'observe rules --out a directory',
    args: (dir) => {
      mkdirSync(join(dir, 'rules-dir'));
      return ['observe', 'rules', '--env', 'development', '--out', join(dir, 'rules-dir')];
    },
    code: 'EW_FILE_WRITE',
    exit: 1,
    says: /rules-dir: is a directory/,
  },
  {
    name: 'an over-long sqlite: path (5000 characters)',
    args: () => ['db', 'status', '--env', 'development'],
    env: { DATABASE_URL: `sqlite:var/${'a'.repeat(5000)}.db` },
    code: 'EW_DB_URL',
    exit: 1,
    says: /names a SQLite path that is too long/,
  },
  {
    name: 'a sqlite: path with one name over 255 bytes',
    args: () => ['db', 'status', '--env', 'development'],
    env: { DATABASE_URL: `sqlite:var/${'a'.repeat(300)}.db` },
    code: 'EW_DB_URL',
    exit: 1,
    says: /the limit is 255 per name/,
  },
];

const projects: TempProject[] = [];
after(() => {
  for (const project of projects) project.cleanup();
});

describe('bad input gets a specific code, never EW_INTERNAL', { concurrency: true }, () => {
  for (const row of rows) {
    test(`${row.name} is ${row.code} (exit ${row.exit})`, async () => {
      const project = writeStandardProject(row.project);
      projects.push(project);
      const result = await runCli([...row.args(project.dir), '--cwd', project.dir, '--json'], {
        ...(row.env ? { env: row.env } : {}),
      });
      const detail = `exit ${result.code}\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 2000)}`;
      assert.equal(result.code, row.exit, detail);
      const error = JSON.parse(result.stdout).error as { code: string; message: string };
      assert.equal(error.code, row.code, detail);
      assert.match(error.message, row.says, detail);
    });
  }
});
