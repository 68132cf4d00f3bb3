import type { Environment, Tier } from '../environment/index.js';
import type { ConfigIssue } from '../errors.js';
import type { ProjectDefinition } from '../project/definition.js';
import type { LayerName } from './layer-order.js';
import type { SchemaIndex } from './schema-index.js';
import type { ResolutionWarning } from './warnings.js';

/** Where one value came from: a file position, a variable or a revision. */
export interface ValueSource {
  readonly layer: LayerName;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly variable?: string;
  readonly revision?: string;
  /** The tier whose default this is (the `tier-defaults` layer). */
  readonly tier?: Tier;
}

/** One key set by one layer. */
export interface ConfigEntry {
  readonly key: string;
  readonly value: unknown;
  readonly source: ValueSource;
}

/** Everything a layer may read; `variables` is the process environment, read once. */
export interface LayerContext {
  readonly projectRoot: string;
  readonly environment: Environment;
  readonly definition: ProjectDefinition;
  readonly schema: SchemaIndex;
  readonly variables: Readonly<Record<string, string | undefined>>;
  readonly explicit: Readonly<Record<string, string>>;
}

export interface LayerOutput {
  readonly entries: readonly ConfigEntry[];
  /** Problems found while reading (unknown keys, wrong types); parse failures throw instead. */
  readonly issues: readonly ConfigIssue[];
  /** Things the user should know that do not stop resolution (a missing development key). */
  readonly warnings?: readonly ResolutionWarning[];
}

/** The contract every configuration layer keeps. */
export interface ConfigLayer {
  readonly name: LayerName;
  load(context: LayerContext): LayerOutput | Promise<LayerOutput>;
}

/** `config/base.yml:12` or `DATABASE_URL` or `schema default`: a source as one short string. */
export function describeSource(source: ValueSource): string {
  if (source.file) {
    return source.line !== undefined ? `${source.file}:${source.line}` : source.file;
  }
  if (source.variable) return `$${source.variable}`;
  if (source.revision) return `revision ${source.revision}`;
  if (source.layer === 'tier-defaults' && source.tier) return `${source.tier} tier default`;
  return source.layer;
}
