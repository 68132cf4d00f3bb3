/**
 * Raw SQL in migrations: PostgreSQL's parser on PostgreSQL, keywords with
 * comments and literals stripped on SQLite. A destructive statement is
 * found wherever it sits; a destructive word in a literal or a comment is
 * not a statement.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { CompiledQuery } from 'kysely';
import { classifyStatement, type Verdict } from '../../src/migrate/classify.ts';
import { lexStatements } from '../../src/migrate/sql-lexer.ts';
import { DIALECTS, type Dialect } from '../support/migrate-project.ts';
import { TSX_IMPORT } from '../support/tsx.ts';

const verdict = (text: string, dialect: Dialect) => classifyStatement(CompiledQuery.raw(text), dialect);

/** Destructive statements, as tokens between which comments and whitespace go (valid in both dialects' rules). */
const DESTRUCTIVE: readonly (readonly string[])[] = [
  ['DROP', 'TABLE', 'accounts'],
  ['drop', 'index', 'accounts_owner'],
  ['DROP', 'VIEW', 'IF', 'EXISTS', 'balances'],
  ['TRUNCATE', 'TABLE', 'accounts'],
  ['DELETE', 'FROM', 'accounts'],
  ['UPDATE', 'accounts', 'SET', 'label', '=', "'x'"],
  ['ALTER', 'TABLE', 'accounts', 'DROP', 'COLUMN', 'legacy'],
  ['ALTER', 'TABLE', 'accounts', 'RENAME', 'TO', 'old_accounts'],
  ['ALTER', 'TABLE', 'accounts', 'RENAME', 'COLUMN', 'label', 'TO', 'title'],
  ['ALTER', 'TABLE', 'accounts', 'ALTER', 'COLUMN', 'label', 'TYPE', 'varchar', '(', '10', ')'],
];

const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;
const sqlIdentifier = (text: string) => `"${text.replaceAll('"', '""')}"`;

/** Text that says something destructive, or anything at all. */
const tricky = fc.oneof(
  fc.constantFrom(
    'drop table x',
    ';drop table accounts;--',
    "'; delete from accounts; --",
    '*/ truncate accounts /*',
    '-- \n drop table x',
    '$$ drop table x $$',
    '"',
    "'",
    '`',
    ']',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const text = fc.array(tricky, { maxLength: 3 }).map((parts) => parts.join(''));

const lineComment = text.filter((body) => !/[\r\n]/.test(body)).map((body) => `--${body}\n`);
// PostgreSQL nests block comments and SQLite does not: bodies hold neither opener nor closer.
const blockComment = text.filter((body) => !body.includes('/*') && !body.includes('*/')).map((body) => `/*${body}*/`);
const space = fc.constantFrom(' ', '\n', '\t', '\r\n');
/** What goes between two tokens: at least one comment or whitespace. */
const separator = fc
  .array(fc.oneof(space, lineComment, blockComment), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(''));
const noise = fc.array(fc.oneof(space, lineComment, blockComment), { maxLength: 3 }).map((parts) => parts.join(''));

/** A statement that destroys nothing, with a tricky text in a literal or a quoted name. */
const harmless = fc.oneof(
  text.map((value) => `INSERT INTO notes (body) VALUES (${sqlString(value)})`),
  fc
    .tuple(
      text,
      text.filter((name) => name !== '' && !name.includes('\0')),
    )
    .map(([value, name]) => `SELECT ${sqlString(value)} AS ${sqlIdentifier(name)}`),
  text.map((value) => `CREATE TABLE IF NOT EXISTS notes (body text DEFAULT ${sqlString(value)})`),
  text.map((value) => `COMMENT ON TABLE notes IS ${sqlString(value)}`),
);
const statements = fc
  .array(fc.tuple(noise, harmless), { maxLength: 2 })
  .map((list) => list.map(([before, s]) => `${before}${s};`).join(''));

/** Fixed seeds: the same texts every run. */
const RUNS = { seed: 20261201, numRuns: 300 } as const;

for (const dialect of DIALECTS) {
  describe(`raw SQL on ${dialect}`, () => {
    test('a destructive statement is found whatever comments, whitespace and harmless statements surround it', async () => {
      const placed = fc.integer({ min: 0, max: DESTRUCTIVE.length - 1 }).chain((index) => {
        const tokens = DESTRUCTIVE[index] as readonly string[];
        return fc.tuple(
          statements,
          noise,
          fc.array(separator, { minLength: tokens.length - 1, maxLength: tokens.length - 1 }),
          noise,
          statements,
          fc.constant(tokens),
        );
      });
      await fc.assert(
        fc.asyncProperty(placed, async ([before, lead, separators, trail, after, tokens]) => {
          const statement = tokens.map((token, i) => (i === 0 ? token : `${separators[i - 1]}${token}`)).join('');
          const sql = `${before}${lead}${statement}${trail};${after}`;
          const result = await verdict(sql, dialect);
          assert.equal(result.kind, 'destructive', JSON.stringify(sql));
        }),
        RUNS,
      );
    });

    test('harmless statements with destructive words in literals, names and comments are never destructive', async () => {
      await fc.assert(
        fc.asyncProperty(statements, noise, async (sql, trail) => {
          const result = await verdict(`${sql}${trail}`, dialect);
          assert.notEqual(result.kind, 'destructive', JSON.stringify(sql + trail));
        }),
        RUNS,
      );
    });

    const examples: readonly [string, Verdict['kind']][] = [
      ["insert into accounts (label) values (';drop')", 'additive'],
      ['select \';drop table accounts\' as "drop table x"', 'additive'],
      ['-- tidy\nDROP TABLE t', 'destructive'],
      ['/* tidy */ drop table t', 'destructive'],
      ['select 1; truncate table t', 'destructive'],
      ['delete from t where id = 1', 'unknown'],
      ['update t set a = (select b from c where d = 1)', 'destructive'],
      ['alter table t add column note text', 'unknown'],
      ['create table "drop" (id integer)', 'additive'],
      ['-- only a comment', 'additive'],
      ['vacuum', 'unknown'],
    ];
    for (const [sql, kind] of examples) {
      test(`${JSON.stringify(sql)} is ${kind}`, async () => {
        assert.equal((await verdict(sql, dialect)).kind, kind);
      });
    }
  });
}

describe('raw SQL on postgres: what only the parser sees', () => {
  const examples: readonly [string, Verdict['kind'], RegExp?][] = [
    ['with gone as (delete from t returning *) select * from gone', 'destructive', /delete from t without where/],
    ['do $$ begin if true then drop table t; end if; end $$', 'destructive', /a DO block that runs drop table t/],
    ['do $$ begin raise notice $x$drop table t$x$; end $$', 'unknown', /a DO block/],
    ["do $$ begin execute 'drop table t'; end $$", 'unknown', /a DO block/],
    [
      'create function f() returns void language sql as $$ delete from t $$',
      'unknown',
      /raw SQL whose effect cannot be known/,
    ],
    ['drop database other', 'destructive', /drop database/],
    ['drop role ana', 'destructive', /drop role/],
    ["alter type mood rename value 'sad' to 'blue'", 'destructive', /rename value sad of type mood/],
    ['alter index a rename to b', 'destructive', /rename index a/],
    ['alter table t alter column c type bigint, add column d int', 'destructive', /alter column c type/],
    ['alter table t drop constraint t_fk', 'destructive', /drop constraint t_fk/],
    ['create or replace view v as select 1', 'unknown'],
    ['create table t (id integer primary key autoincrement)', 'unknown', /not valid PostgreSQL/],
    ['drop table [accounts]', 'destructive', /raw SQL: drop table accounts/],
    ['select 1; -- \0\ndrop table t', 'destructive'],
  ];
  for (const [sql, kind, why] of examples) {
    test(`${JSON.stringify(sql)} is ${kind}`, async () => {
      const result = await verdict(sql, 'postgres');
      assert.equal(result.kind, kind);
      if (why && result.kind !== 'additive') assert.match(result.why, why);
    });
  }
});

describe('the SQL lexer', () => {
  test('a quoted literal or name is one token with its content, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.constantFrom("'", '"', '`'), (content, quote) => {
        const quoted = `${quote}${content.replaceAll(quote, quote + quote)}${quote}`;
        const [statement, ...rest] = lexStatements(`select ${quoted} from t`);
        assert.deepEqual(rest, []);
        assert.deepEqual(
          statement?.map((token) => [token.kind, token.text]),
          [
            ['word', 'select'],
            [quote === "'" ? 'literal' : 'identifier', content.replaceAll(quote + quote, quote)],
            ['word', 'from'],
            ['word', 't'],
          ],
        );
      }),
      RUNS,
    );
  });

  test('an unterminated comment or literal runs to the end of the text', () => {
    assert.deepEqual(lexStatements('select 1 /* drop table t; '), [[{ kind: 'word', text: 'select', depth: 0 }]]);
    assert.deepEqual(lexStatements("select 'drop table t; ").length, 1);
  });
});

describe('the PostgreSQL parser is loaded lazily', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  // A loader hook that refuses libpg-query: whatever imports it fails.
  const BLOCK = `data:text/javascript,export async function resolve(s, c, next) { if (s === 'libpg-query') throw new Error('libpg-query was loaded'); return next(s, c); }`;
  const run = (code: string) =>
    execFileSync(
      process.execPath,
      [
        ...TSX_IMPORT,
        '--input-type=module',
        '-e',
        `import { register } from 'node:module'; register(${JSON.stringify(BLOCK)}); ${code}`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );

  test('importing envward, and judging SQLite raw SQL or Kysely-built statements, never loads it', () => {
    const out = run(`
      await import('./dist/index.js');
      const { classifyStatement } = await import('./src/migrate/classify.ts');
      const { CompiledQuery } = await import('kysely');
      console.log((await classifyStatement(CompiledQuery.raw('drop table t'), 'sqlite')).kind);
    `);
    assert.equal(out.trim(), 'destructive');
  });

  test('judging raw SQL on PostgreSQL is what loads it', () => {
    assert.throws(
      () =>
        run(`
          const { classifyStatement } = await import('./src/migrate/classify.ts');
          const { CompiledQuery } = await import('kysely');
          await classifyStatement(CompiledQuery.raw('drop table t'), 'postgres');
        `),
      /libpg-query was loaded/,
    );
  });
});
