import { join } from 'node:path';
import { readConfigText } from '../config/text-file.js';
import { EnvConflictError } from '../errors.js';
import type { EnvironmentCatalogue } from './catalogue.js';
import type { DetectionSource, DetectionSourceKind, Environment } from './environment.js';
import { firstMatchingPattern } from './host-patterns.js';
import { assertEnvironmentName } from './names.js';

/** The marker file, in the project root, whose first line names the environment. */
export const MARKER_FILE = '.envward-environment';

export interface DetectionInput {
  readonly catalogue: EnvironmentCatalogue;
  /** Explicit choice: the CLI's --env or the API's `env` option. Wins over everything. */
  readonly option?: string | undefined;
  /** The process environment, read once by the caller. */
  readonly variables: Readonly<Record<string, string | undefined>>;
  readonly projectRoot: string;
  readonly hostname: string;
}

export interface Detection {
  readonly environment: Environment;
  readonly source: DetectionSource;
  /** Told signals (variables, marker file) that named another environment and were overruled by the option. */
  readonly overruled: readonly OverruledSignal[];
}

/** A signal that named a different environment than the one chosen with --env or the API option. */
export interface OverruledSignal {
  readonly kind: DetectionSourceKind;
  readonly detail: string;
  readonly name: string;
}

interface ToldSignal extends OverruledSignal {
  readonly where: string;
}

function readMarker(projectRoot: string): { name: string; file: string } | undefined {
  const file = join(projectRoot, MARKER_FILE);
  const text = readConfigText(file, MARKER_FILE);
  if (text === undefined) return undefined;
  return { name: (text.split(/\r?\n/, 1)[0] ?? '').trim(), file };
}

/** The signals someone set on purpose to name the environment, in detection order. */
function toldSignals(input: DetectionInput): ToldSignal[] {
  const signals: ToldSignal[] = [];
  for (const variable of ['ENVWARD_ENV', 'APP_ENV'] as const) {
    const value = input.variables[variable];
    if (value !== undefined) {
      signals.push({ kind: variable, detail: `${variable}=${value}`, name: value, where: `variable ${variable}` });
    }
  }
  const marker = readMarker(input.projectRoot);
  if (marker) {
    signals.push({ kind: 'marker-file', detail: marker.file, name: marker.name, where: `marker file ${marker.file}` });
  }
  return signals;
}

/**
 * Detects the environment in the fixed order: option, ENVWARD_ENV, APP_ENV,
 * marker file, host-name patterns, default `development`. NODE_ENV is never
 * read: it says how the code was built, not where it runs.
 *
 * The variables and the marker file are each someone telling envward where
 * it runs; when two of them name different environments none is trusted
 * (EW_ENV_CONFLICT) unless the option decides. Host-name patterns and the
 * default are not told, and a disagreement with them is the host check's.
 */
export function detectEnvironment(input: DetectionInput): Detection {
  const { catalogue } = input;
  if (input.option !== undefined) {
    const environment = catalogue.get(input.option, '--env option');
    return {
      environment,
      source: { kind: 'option', detail: '--env' },
      overruled: overruledBy(environment, input).map(({ kind, detail, name }) => ({ kind, detail, name })),
    };
  }
  const told = toldSignals(input);
  const [first] = told;
  if (first) {
    // Each name must be a valid name; two valid names that differ conflict even when one is unknown.
    for (const signal of told) assertEnvironmentName(signal.name, signal.where);
    if (told.some((signal) => signal.name !== first.name)) {
      throw new EnvConflictError(told.map(({ detail, name }) => ({ detail, name })));
    }
    return {
      environment: catalogue.get(first.name, first.where),
      source: { kind: first.kind, detail: first.detail },
      overruled: [],
    };
  }
  for (const environment of catalogue.all) {
    const pattern = firstMatchingPattern(environment.hosts, input.hostname);
    if (pattern) {
      return {
        environment,
        source: { kind: 'host-pattern', detail: `host ${input.hostname} matches ${pattern}` },
        overruled: [],
      };
    }
  }
  return {
    environment: catalogue.get('development', 'default'),
    source: { kind: 'default', detail: 'no signal set' },
    overruled: [],
  };
}

/** The told signals that name another environment than `chosen`; a marker that cannot be read names none. */
function overruledBy(chosen: Environment, input: DetectionInput): ToldSignal[] {
  let told: ToldSignal[];
  try {
    told = toldSignals(input);
  } catch {
    return []; // the option decides; an unreadable marker file has nothing to say
  }
  return told.filter((signal) => signal.name !== chosen.name);
}
