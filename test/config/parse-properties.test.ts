import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ZodObject, ZodType } from 'zod';
import { type LayerContext, type LayerOutput, parseDotenvLayer, parseYamlLayer } from '../../src/config/index.ts';
import { indexSchema } from '../../src/config/schema-index.ts';
import { buildEnvironmentCatalogue } from '../../src/environment/index.ts';
import { type ConfigEntry, defineConfig, EnvwardError, z } from '../../src/index.ts';

// A fixed seed: every run draws the same inputs, so a run never passes or fails by chance
// (issue 11, item 21). Change it locally to explore more inputs; keep what fails as an example.
fc.configureGlobal({ seed: 20261201 });

const development = buildEnvironmentCatalogue().get('development', 'test');

/** The context a layer gets, for a schema built in the test. */
function contextFor(schema: ZodObject): LayerContext {
  return {
    projectRoot: '/nonexistent',
    environment: development,
    definition: defineConfig({ schema }),
    schema: indexSchema(schema),
    variables: {},
    explicit: {},
  };
}

const fixedContext = contextFor(
  z.object({
    app: z.object({ name: z.string().optional(), port: z.number().optional(), debug: z.boolean().optional() }),
    a: z.object({ b: z.string().optional() }),
    list: z.array(z.string()).optional(),
  }),
);

/** Runs a parser; anything thrown must be an EnvwardError with EW_CONFIG_PARSE naming the file. */
function parsesOrFailsCleanly(parse: () => LayerOutput, file: string): void {
  let output: LayerOutput;
  try {
    output = parse();
  } catch (error) {
    if (!(error instanceof EnvwardError)) throw error;
    assert.equal(error.code, 'EW_CONFIG_PARSE', error.message);
    assert.ok(error.message.startsWith(`${file}:`), error.message);
    return;
  }
  for (const entry of output.entries) {
    assert.equal(entry.source.file, file);
    assert.ok(Number.isInteger(entry.source.line) && (entry.source.line ?? 0) >= 1, 'lines are 1-based');
  }
  for (const issue of output.issues) assert.equal(issue.file, file);
}

const yamlFile = 'config/base.yml';
const dotenvFile = '.env';
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

describe('arbitrary text', () => {
  test('parseYamlLayer returns or throws EW_CONFIG_PARSE on arbitrary strings', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        parsesOrFailsCleanly(() => parseYamlLayer(text, yamlFile, 'base-file', fixedContext), yamlFile);
      }),
      { numRuns: 300 },
    );
  });

  test('parseDotenvLayer returns or throws EW_CONFIG_PARSE on arbitrary strings', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        parsesOrFailsCleanly(() => parseDotenvLayer(text, dotenvFile, 'project-dotenv', fixedContext), dotenvFile);
      }),
      { numRuns: 300 },
    );
  });

  const dotenvTokens = [
    'APP_NAME',
    'APP_PORT',
    'A_B',
    'X',
    '=',
    ' ',
    '\n',
    '\r\n',
    '\r',
    '#',
    '"',
    "'",
    '`',
    'export ',
    ':',
    '\\',
    'x',
    '1',
    '\t',
  ];
  test('parseDotenvLayer returns or throws EW_CONFIG_PARSE on text made of .env tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...dotenvTokens), { maxLength: 40 }), (tokens) => {
        const text = tokens.join('');
        parsesOrFailsCleanly(() => parseDotenvLayer(text, dotenvFile, 'project-dotenv', fixedContext), dotenvFile);
      }),
      { numRuns: 500 },
    );
  });

  const yamlTokens = [
    'app',
    'a',
    'b',
    'port',
    ':',
    ': ',
    ' ',
    '\n',
    '  ',
    '- ',
    '[',
    ']',
    '{',
    '}',
    ',',
    '"',
    "'",
    '#',
    '!!str ',
    '|',
    '>',
    '? ',
    '\t',
    '1',
    '---',
    '...',
    '&x ',
    '*x',
    '<<: ',
  ];
  test('parseYamlLayer returns or throws EW_CONFIG_PARSE on text made of YAML tokens (aliases included)', {}, () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...yamlTokens), { maxLength: 30 }), (tokens) => {
        const text = tokens.join('');
        parsesOrFailsCleanly(() => parseYamlLayer(text, yamlFile, 'base-file', fixedContext), yamlFile);
      }),
      { numRuns: 1000, examples: [[['a', ': ', '*x']]] },
    );
  });
});

describe('.env round trip', () => {
  // Values dotenv reads back verbatim in some quoting: no quote characters, no backslash, no CR.
  const valueChars = fc.constantFrom(...'abcXYZ019 _-.,:;/@$%&()*+<=>?[]^{|}~!#é€\n'.split(''));
  const value = fc.string({ unit: valueChars, maxLength: 24 });
  const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/);
  const line = fc.record({
    exported: fc.boolean(),
    indent: fc.constantFrom('', '  '),
    equals: fc.constantFrom('=', ' = '),
    quote: fc.constantFrom('', "'", '"', '`'),
    before: fc.constantFrom('', '\n', '# a comment\n', '\n# a comment\n\n'),
    value,
  });

  test('a generated .env text parses back to the same values, each at its line and column', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { minLength: 1, maxLength: 8 }),
        fc.array(line, { minLength: 8, maxLength: 8 }),
        (keys, lines) => {
          const shape: Record<string, ZodType> = {};
          for (const name of keys) shape[name] = z.string().optional();
          const context = contextFor(z.object(shape));

          let text = '';
          const expected: ConfigEntry[] = [];
          keys.forEach((name, index) => {
            const spec = lines[index] as (typeof lines)[number];
            // Unquoted values must not need quoting: no comment sign, no newline, no surrounding space.
            const needsQuotes = /[#\n]/.test(spec.value) || spec.value !== spec.value.trim();
            const quote = spec.quote === '' && needsQuotes ? '"' : spec.quote;
            text += spec.before;
            const lineNumber = text.split('\n').length;
            const prefix = `${spec.indent}${spec.exported ? 'export ' : ''}`;
            const variable = name.toUpperCase();
            text += `${prefix}${variable}${spec.equals}${quote}${spec.value}${quote}\n`;
            expected.push({
              key: name,
              value: spec.value,
              source: {
                layer: 'project-dotenv',
                file: dotenvFile,
                variable,
                line: lineNumber,
                column: prefix.length + 1,
              },
            });
          });

          const output = parseDotenvLayer(text, dotenvFile, 'project-dotenv', context);
          assert.deepEqual(output.issues, []);
          assert.deepEqual(output.entries, expected, text);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('YAML round trip', () => {
  type Leaf = string | number;
  interface Tree {
    [name: string]: Leaf | Tree;
  }
  const isTree = (value: Leaf | Tree): value is Tree => typeof value === 'object';

  const name = fc.stringMatching(/^[a-z][a-zA-Z0-9_-]{0,7}$/).filter((n) => !['null', 'true', 'false'].includes(n));
  const leaf: fc.Arbitrary<Leaf> = fc.oneof(
    fc.string({ maxLength: 16 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.integer(),
  );
  const tree = (depth: number): fc.Arbitrary<Tree> =>
    fc.dictionary(
      name,
      depth === 0 ? leaf : fc.oneof({ weight: 2, arbitrary: leaf }, { weight: 1, arbitrary: tree(depth - 1) }),
      {
        minKeys: 1,
        maxKeys: 4,
      },
    ) as fc.Arbitrary<Tree>;

  function schemaOf(node: Tree): ZodObject {
    const shape: Record<string, ZodType> = {};
    for (const [key, value] of Object.entries(node)) {
      shape[key] = isTree(value) ? schemaOf(value) : typeof value === 'number' ? z.number() : z.string();
    }
    return z.object(shape);
  }

  /**
   * Renders `node` as YAML, nested or with dotted keys (`a.b: ...`) as `choices`
   * says, with blank and comment lines between; records each leaf's line and column.
   */
  function render(node: Tree, choices: boolean[]) {
    const lines: string[] = [];
    const expected: [string, Leaf, number, number][] = [];
    let choice = 0;
    const next = () => choices[choice++ % choices.length] === true;
    const visit = (current: Tree, indent: string, prefix: string, path: string) => {
      for (const [key, value] of Object.entries(current)) {
        if (next()) lines.push(next() ? `${indent}# note` : '');
        const shown = `${prefix}${key}`;
        const full = path ? `${path}.${key}` : key;
        if (!isTree(value)) {
          lines.push(`${indent}${shown}: ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`);
          expected.push([full, value, lines.length, indent.length + 1]);
        } else if (next()) {
          visit(value, indent, `${shown}.`, full);
        } else {
          lines.push(`${indent}${shown}:`);
          visit(value, `${indent}  `, '', full);
        }
      }
    };
    visit(node, '', '', '');
    return { text: `${lines.join('\n')}\n`, expected };
  }

  test('generated YAML of nested objects parses to entries with the right keys, values, lines and columns', () => {
    fc.assert(
      fc.property(tree(3), fc.array(fc.boolean(), { minLength: 1, maxLength: 32 }), (node, choices) => {
        const { text, expected } = render(node, choices);
        const output = parseYamlLayer(text, yamlFile, 'environment-file', contextFor(schemaOf(node)));
        assert.deepEqual(output.issues, [], text);
        assert.deepEqual(
          output.entries.map((entry) => [entry.key, entry.value, entry.source.line, entry.source.column]),
          expected,
          text,
        );
        for (const entry of output.entries) {
          assert.equal(entry.source.layer, 'environment-file');
          assert.equal(entry.source.file, yamlFile);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('a key the generated schema lacks is an EW_CONFIG_UNKNOWN_KEY issue at its line', () => {
    fc.assert(
      fc.property(tree(2), fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), (node, choices) => {
        const { text } = render(node, choices);
        const typoLine = text.split('\n').length; // the line after the last one
        const output = parseYamlLayer(`${text}zz-unknown: 1\n`, yamlFile, 'base-file', contextFor(schemaOf(node)));
        assert.deepEqual(
          output.issues.map((issue) => [issue.code, issue.key, issue.line, issue.column]),
          [['EW_CONFIG_UNKNOWN_KEY', 'zz-unknown', typoLine, 1]],
        );
      }),
      { numRuns: 100 },
    );
  });
});
