/**
 * A project whose own code misbehaves (a rule that throws or returns
 * nonsense, a schema that throws, a getter or Proxy that throws, a thrown
 * value that cannot even be turned into text) gets a specific error code
 * naming what is wrong, never EW_INTERNAL, and the CLI never crashes while
 * printing it. Table-driven: one row per hostile project.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir, parseJson, runCli } from '../support/run-cli.ts';

/** A value whose toString throws, and a Proxy whose every trap throws it. */
const HOSTILE = `
const untextable = { toString() { throw 1; } };
const hostile = new Proxy({}, new Proxy({}, { get: () => () => { throw untextable; } }));
`;

const SCHEMA = `z.object({
    app: z.object({ port: z.number().default(3000) }),
    storage: z.object({ url: z.string().default('sqlite:var/app.db') }),
  })`;

function config(body: string, prelude = ''): string {
  return `import { defineConfig, z } from 'envward';
${HOSTILE}${prelude}
export default defineConfig({
  ${body}
});
`;
}

interface Row {
  readonly name: string;
  readonly source: string;
  /** The top-level code `config show` prints. */
  readonly code: 'EW_CONFIG_INVALID' | 'EW_PROJECT_LOAD';
  /** The issue code inside EW_CONFIG_INVALID, when the problem is an issue. */
  readonly issue?: string;
  /** Text the message must carry (what is wrong, where). */
  readonly says: RegExp;
  /** The key the issue names, when known. */
  readonly key?: string;
}

const ROWS: readonly Row[] = [
  {
    name: 'a required block that is not a list of keys',
    source: config(`schema: ${SCHEMA},
  required: { development: 'storage.url' },`),
    code: 'EW_CONFIG_INVALID',
    issue: 'EW_PROJECT_RULE',
    says: /`required\.development` of envward\.config\.ts is not a list of key names/,
  },
  {
    name: 'a project rule that throws',
    source: config(`schema: ${SCHEMA},
  rules: [{ name: 'explodes', check: () => { throw new Error('rule bug'); } }],`),
    code: 'EW_CONFIG_INVALID',
    issue: 'EW_PROJECT_RULE',
    says: /project rule "explodes" threw: Error: rule bug/,
  },
  {
    name: 'a project rule that returns a string',
    source: config(`schema: ${SCHEMA},
  rules: [{ name: 'stringly', check: () => 'app.port is odd' }],`),
    code: 'EW_CONFIG_INVALID',
    issue: 'EW_PROJECT_RULE',
    says: /project rule "stringly" returned a string, not a list of findings/,
  },
  {
    name: 'a project rule that returns a promise',
    source: config(`schema: ${SCHEMA},
  rules: [{ name: 'eventually', check: async () => [] }],`),
    code: 'EW_CONFIG_INVALID',
    issue: 'EW_PROJECT_RULE',
    says: /project rule "eventually" returned a promise \(rules are synchronous\)/,
  },
  {
    name: 'a project rule that throws a value whose toString throws',
    source: config(`schema: ${SCHEMA},
  rules: [{ name: 'untextable', check: () => { throw untextable; } }],`),
    code: 'EW_CONFIG_INVALID',
    issue: 'EW_PROJECT_RULE',
    says: /project rule "untextable" threw: a thrown object \(its toString threw\)/,
  },
  {
    name: 'a schema transform that throws',
    source: config(`schema: z.object({
    app: z.object({ port: z.number().default(3000).transform(() => { throw new Error('transform bug'); }) }),
    storage: z.object({ url: z.string().default('sqlite:var/app.db') }),
  }),`),
    code: 'EW_CONFIG_INVALID',
    issue: 'EW_CONFIG_SCHEMA_THREW',
    says: /the schema threw instead of reporting an issue: Error: transform bug/,
    key: 'app.port',
  },
  {
    name: 'a schema refinement that throws a Proxy',
    source: config(`schema: z.object({
    app: z.object({ port: z.number().default(3000).refine(() => { throw hostile; }) }),
    storage: z.object({ url: z.string().default('sqlite:var/app.db') }),
  }),`),
    code: 'EW_CONFIG_INVALID',
    issue: 'EW_CONFIG_SCHEMA_THREW',
    says: /the schema threw instead of reporting an issue: a value that cannot be described/,
    key: 'app.port',
  },
  {
    name: 'a `schema` getter that throws',
    source: config(`get schema() { throw new Error('getter bug'); },`),
    code: 'EW_PROJECT_LOAD',
    says: /reading `schema` of its default export threw: Error: getter bug/,
  },
  {
    name: 'a config that throws an object whose toString throws',
    source: config(`schema: ${SCHEMA},`, 'throw untextable;\n'),
    code: 'EW_PROJECT_LOAD',
    says: /Could not load .*envward\.config\.ts: a thrown object \(its toString threw\)/,
  },
  {
    name: 'a config that throws a Proxy whose every trap throws',
    source: config(`schema: ${SCHEMA},`, 'throw hostile;\n'),
    code: 'EW_PROJECT_LOAD',
    // What reaches the message is whatever the first trap threw on the way: an untextable object.
    says: /Could not load .*envward\.config\.ts: a (thrown object|value that cannot be described)/,
  },
  {
    name: 'a default export that is a Proxy whose every trap throws',
    source: `${HOSTILE}\nexport default hostile;\n`,
    code: 'EW_PROJECT_LOAD',
    says: /Could not load .*envward\.config\.ts/,
  },
];

describe('a hostile project gets a specific error code, never EW_INTERNAL', { concurrency: true }, () => {
  let cache = { dir: '', cleanup: async () => {} };
  before(async () => {
    cache = await makeTempDir('envward-hostile-cache-');
  });
  after(() => cache.cleanup());

  for (const row of ROWS) {
    test(`${row.name}: ${row.issue ?? row.code}`, async () => {
      const project = await makeTempDir('envward-hostile-');
      try {
        await mkdir(join(project.dir, 'config'), { recursive: true });
        await writeFile(join(project.dir, 'envward.config.ts'), row.source);
        const options = { cwd: project.dir, env: { XDG_CACHE_HOME: cache.dir } };
        const [show, validate, preflight] = await Promise.all([
          runCli(['config', 'show'], options),
          runCli(['config', 'validate', '--json'], options),
          runCli(['preflight', 'development'], options),
        ]);
        for (const [label, result] of [
          ['config show', show],
          ['config validate', validate],
          ['preflight', preflight],
        ] as const) {
          const output = result.stdout + result.stderr;
          assert.doesNotMatch(output, /EW_INTERNAL/, `${label}: ${output}`);
          assert.doesNotMatch(result.stderr, /^\s+at |Unhandled|node:internal/m, `${label} crashed: ${result.stderr}`);
          assert.equal(result.code, 1, `${label}: exit ${result.code}\n${output}`);
          // --json escapes the quotes the messages hold: the text outputs are matched.
          if (label !== 'config validate') assert.match(output, row.says, `${label}: ${output}`);
        }
        assert.match(show.stderr, new RegExp(`^error\\[${row.code}\\]: `, 'm'));
        if (row.issue) {
          assert.match(show.stderr, new RegExp(`\\(${row.issue}\\)`));
          const report = parseJson(validate.stdout) as { environments: { issues: { code: string; key: string }[] }[] };
          const issues = report.environments.flatMap((environment) => environment.issues);
          assert.deepEqual(
            issues.map((issue) => [issue.code, issue.key]),
            [[row.issue, row.key ?? '']],
          );
          assert.match(preflight.stdout, new RegExp(`${row.issue} `));
        } else {
          assert.equal((parseJson(validate.stdout).error as { code: string }).code, row.code);
          assert.match(preflight.stderr, new RegExp(`^error\\[${row.code}\\]: `, 'm'));
        }
      } finally {
        await project.cleanup();
      }
    });
  }
});
