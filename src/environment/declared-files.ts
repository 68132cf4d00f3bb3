import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadYamlTree, treeValue } from '../config/layers/yaml-tree.js';
import { readConfigText } from '../config/text-file.js';
import { EnvDefinitionError } from '../errors.js';
import type { EnvironmentDeclaration, PreviewRecord } from './environment.js';
import { BUILT_IN_ENVIRONMENTS, COLOURS, type Colour, TIERS, type Tier } from './tiers.js';

/** Where `envward env create` and `envward preview up` declare an environment: beside its settings. */
export const DECLARATION_FILE = 'environment.yml';

/** The declaration file of an environment, relative to the project root. */
export function declarationPath(name: string): string {
  return `config/environments/${name}/${DECLARATION_FILE}`;
}

/** An environment declared in its own file rather than in envward.config.ts. */
export interface FileDeclaration extends EnvironmentDeclaration {
  /** The file, relative to the project root. */
  readonly file: string;
  /** The environment it was made from (`--from`), for the record. */
  readonly from?: string;
  /** Present exactly when `envward preview up` made it. */
  readonly preview?: PreviewRecord;
}

const FIELDS = new Set(['tier', 'colour', 'code', 'hosts', 'from', 'preview']);
const PREVIEW_FIELDS = new Set(['owner', 'createdAt', 'expiresAt', 'database']);
const HINT =
  'A file-declared environment sets tier, colour, code, hosts and from only; protection and approvals are declared in envward.config.ts. Fix or remove the file.';

function refuse(file: string, message: string): never {
  throw new EnvDefinitionError(message, file, HINT);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, file: string, field: string, max = 200): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || /[\p{Cc}]/u.test(value)) {
    refuse(file, `\`${field}\` must be a line of text (1-${max} characters)`);
  }
  return value;
}

function time(value: unknown, file: string, field: string): string {
  const shown = text(value instanceof Date ? value.toISOString() : value, file, field, 40);
  if (Number.isNaN(Date.parse(shown))) refuse(file, `\`${field}\` must be an ISO date and time`);
  return new Date(shown).toISOString();
}

function previewRecord(value: unknown, from: unknown, file: string): PreviewRecord {
  if (!isRecord(value)) refuse(file, '`preview` must be a mapping');
  const unknown = Object.keys(value).find((key) => !PREVIEW_FIELDS.has(key));
  if (unknown) refuse(file, `\`preview.${unknown}\` is not a preview field (${[...PREVIEW_FIELDS].join(', ')})`);
  const database = value.database;
  if (!isRecord(database)) refuse(file, '`preview.database` must say what `preview up` made');
  const made =
    database.kind === 'postgres-schema'
      ? ({ kind: 'postgres-schema', schema: text(database.schema, file, 'preview.database.schema', 63) } as const)
      : database.kind === 'sqlite-file'
        ? ({ kind: 'sqlite-file', file: text(database.file, file, 'preview.database.file', 300) } as const)
        : refuse(file, '`preview.database.kind` must be postgres-schema or sqlite-file');
  return Object.freeze({
    from: text(from, file, 'from', 40),
    owner: text(value.owner, file, 'preview.owner', 100),
    createdAt: time(value.createdAt, file, 'preview.createdAt'),
    expiresAt: time(value.expiresAt, file, 'preview.expiresAt'),
    database: Object.freeze(made),
  });
}

function declaration(name: string, parsed: unknown, file: string): FileDeclaration {
  if (!isRecord(parsed)) refuse(file, 'must be a mapping (tier: staging, colour: purple, ...)');
  const unknown = Object.keys(parsed).find((key) => !FIELDS.has(key));
  if (unknown) refuse(file, `\`${unknown}\` is not a field of a file-declared environment`);
  const tier = parsed.tier;
  if (typeof tier !== 'string' || !(TIERS as readonly string[]).includes(tier)) {
    refuse(file, `\`tier\` must be one of ${TIERS.join(', ')}`);
  }
  if ((tier === 'preview') !== (parsed.preview !== undefined)) {
    refuse(file, `only \`envward preview up\` makes preview environments; "${name}" is not one of them`);
  }
  const colour = parsed.colour;
  if (colour !== undefined && !(COLOURS as readonly unknown[]).includes(colour))
    refuse(file, `\`colour\` must be one of ${COLOURS.join(', ')}`);
  return Object.freeze({
    file,
    tier: tier as Tier,
    ...(colour !== undefined ? { colour: colour as Colour } : {}),
    ...(parsed.code !== undefined ? { code: text(parsed.code, file, 'code', 4) } : {}),
    ...(parsed.hosts !== undefined ? { hosts: parsed.hosts as readonly string[] } : {}),
    ...(parsed.from !== undefined ? { from: text(parsed.from, file, 'from', 40) } : {}),
    ...(parsed.preview !== undefined ? { preview: previewRecord(parsed.preview, parsed.from, file) } : {}),
  });
}

/**
 * The environments declared in `config/environments/<name>/environment.yml`
 * (by `env create` and `preview up`), so that envward.config.ts is not edited
 * per environment. A name declared in code too, or a built-in one, is
 * refused: one environment, one declaration.
 */
export function readDeclaredEnvironments(
  root: string,
  inCode: Readonly<Record<string, unknown>> = {},
): Readonly<Record<string, FileDeclaration>> {
  let names: string[];
  try {
    names = readdirSync(join(root, 'config', 'environments')).sort();
  } catch {
    return {};
  }
  const declared: Record<string, FileDeclaration> = {};
  for (const name of names) {
    const file = declarationPath(name);
    const source = readConfigText(join(root, file), file);
    if (source === undefined) continue;
    if ((BUILT_IN_ENVIRONMENTS as readonly string[]).includes(name) || Object.hasOwn(inCode, name)) {
      refuse(file, `"${name}" is declared in envward.config.ts${Object.hasOwn(inCode, name) ? '' : ' (built in)'} too`);
    }
    // Through the settings files' parse cache: every start reads every declaration, and yaml is slow cold.
    const loaded = loadYamlTree(source, file, join(root, file));
    loaded.store();
    declared[name] = declaration(name, loaded.tree === null ? null : treeValue(loaded.tree), file);
  }
  return declared;
}
