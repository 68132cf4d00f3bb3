import { join } from 'node:path';
import { readConfigText } from '../config/text-file.js';
import type { EnvironmentCatalogue } from './catalogue.js';
import type { DetectionSource, Environment } from './environment.js';
import { firstMatchingPattern } from './host-patterns.js';

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
}

function readMarker(projectRoot: string): { name: string; file: string } | undefined {
  const file = join(projectRoot, MARKER_FILE);
  const text = readConfigText(file, MARKER_FILE);
  if (text === undefined) return undefined;
  return { name: (text.split(/\r?\n/, 1)[0] ?? '').trim(), file };
}

/**
 * Detects the environment in the fixed order: option, ENVWARD_ENV, APP_ENV,
 * marker file, host-name patterns, default `development`. NODE_ENV is never
 * read: it says how the code was built, not where it runs.
 */
export function detectEnvironment(input: DetectionInput): Detection {
  const { catalogue, variables } = input;
  if (input.option !== undefined) {
    return { environment: catalogue.get(input.option, '--env option'), source: { kind: 'option', detail: '--env' } };
  }
  for (const variable of ['ENVWARD_ENV', 'APP_ENV'] as const) {
    const value = variables[variable];
    if (value !== undefined) {
      return {
        environment: catalogue.get(value, `variable ${variable}`),
        source: { kind: variable, detail: `${variable}=${value}` },
      };
    }
  }
  const marker = readMarker(input.projectRoot);
  if (marker) {
    return {
      environment: catalogue.get(marker.name, `marker file ${marker.file}`),
      source: { kind: 'marker-file', detail: marker.file },
    };
  }
  for (const environment of catalogue.all) {
    const pattern = firstMatchingPattern(environment.hosts, input.hostname);
    if (pattern) {
      return {
        environment,
        source: { kind: 'host-pattern', detail: `host ${input.hostname} matches ${pattern}` },
      };
    }
  }
  return { environment: catalogue.get('development', 'default'), source: { kind: 'default', detail: 'no signal set' } };
}
