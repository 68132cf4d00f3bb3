import { join } from 'node:path';
import { bundledDotenv } from '../../bundled/index.js';
import { ConfigParseError } from '../../errors.js';
import type { ConfigLayer, LayerContext, LayerOutput } from '../layer.js';
import type { LayerName } from '../layer-order.js';
import { LinePositions, readConfigText } from '../text-file.js';
import { LayerCollector } from './text-entry.js';

// dotenv's own line grammar (lib/main.js). dotenv.parse gives the values; this
// finds each name's line and the lines dotenv would silently skip.
const DOTENV_LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;
const LEADING = /^\s*(?:export\s+)?/;

/** Offset (within `gap`) of the first line that is neither blank nor a comment. */
function findMalformedLine(gap: string): number | undefined {
  // Lines end at \r\n, \n or a lone \r, as in dotenv's own grammar.
  for (const match of gap.matchAll(/[^\r\n]*(?:\r\n?|\n|$)/g)) {
    const line = match[0].trim();
    if (line !== '' && !line.startsWith('#')) return match.index + (match[0].length - match[0].trimStart().length);
    if (match[0] === '') break;
  }
  return undefined;
}

const QUOTES = { '"': 'double', "'": 'single', '`': 'backtick' } as const;

/** The kind of quote a value opens and never closes (an unescaped one), or undefined. */
function unterminatedQuote(value: string | undefined): string | undefined {
  const trimmed = (value ?? '').trimStart();
  const quote = trimmed[0] as keyof typeof QUOTES | undefined;
  if (quote === undefined || !(quote in QUOTES)) return undefined;
  let escaped = false;
  for (const character of trimmed.slice(1)) {
    if (character === quote && !escaped) return undefined;
    escaped = character === '\\' && !escaped;
  }
  return QUOTES[quote];
}

/** Parses .env text into entries with lines; a line dotenv cannot read is EW_CONFIG_PARSE. */
export function parseDotenvLayer(text: string, file: string, layer: LayerName, context: LayerContext): LayerOutput {
  const positions = new LinePositions(text);
  const lineOf = new Map<string, { line: number; column: number }>();
  let covered = 0;
  const checkGap = (end: number) => {
    const gap = text.slice(covered, end);
    const index = findMalformedLine(gap);
    if (index !== undefined) {
      const { line } = positions.at(covered + index);
      throw new ConfigParseError({ file, line, column: 1 }, 'not a KEY=value line');
    }
  };
  for (const match of text.matchAll(DOTENV_LINE)) {
    if (match[0] === '') continue;
    checkGap(match.index);
    covered = match.index + match[0].length;
    const nameOffset = match.index + (LEADING.exec(match[0])?.[0].length ?? 0);
    const name = match[1] as string;
    const at = positions.at(nameOffset);
    // dotenv keeps the last of two lines silently; YAML refuses duplicate keys, and so does this.
    const first = lineOf.get(name);
    if (first) {
      throw new ConfigParseError(
        { file, ...at },
        `${name} is set twice (first at ${file}:${first.line}); each variable may be set once`,
      );
    }
    lineOf.set(name, at);
    const quote = unterminatedQuote(match[2]);
    if (quote) {
      throw new ConfigParseError(
        { file, ...at },
        `the value of ${name} opens a ${quote} quote that is never closed (dotenv would keep the quote as text)`,
      );
    }
  }
  checkGap(text.length);

  const values = bundledDotenv().parseDotenv(text);
  const collector = new LayerCollector(context.environment.name);
  for (const [variable, value] of Object.entries(values)) {
    const leaf = context.schema.byVariable.get(variable);
    if (!leaf) continue; // variables for other tools are not envward's business
    collector.addText(leaf, value, { layer, file, variable, ...lineOf.get(variable) });
  }
  return collector.output();
}

/** A layer read from one .env file under the project root. */
export function dotenvFileLayer(name: LayerName, relativePath: (context: LayerContext) => string): ConfigLayer {
  return {
    name,
    load(context) {
      const file = relativePath(context);
      const text = readConfigText(join(context.projectRoot, file), file);
      if (text === undefined) return { entries: [], issues: [] };
      return parseDotenvLayer(text, file, name, context);
    },
  };
}
